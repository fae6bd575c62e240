import { expect, test } from "bun:test";
import { ReceivedTrades } from "./lib/ws-resume.ts";

test("a late trade is out of order unless a heal fetched it again; a healed trade ahead of the rest moves the cursor", () => {
  const got = new ReceivedTrades();
  for (const id of [1, 2, 5, 6]) got.add(id, id);
  got.add(3, 3, true); // a heal filling the hole 3–4: late by design
  got.add(4, 4); // the same hole filled live: out of order
  got.add(8, 8, true); // backfilled, but ahead of everything: the new cursor
  got.add(7, 7); // then older than the cursor: out of order
  got.add(6, 6, true); // twice, however labelled
  expect({
    healed: got.healed,
    outOfOrder: got.outOfOrder,
    disorder: got.disorderIds,
    dup: got.duplicates,
  }).toEqual({
    healed: 1,
    outOfOrder: 2,
    disorder: [4, 7],
    dup: 1,
  });
});
