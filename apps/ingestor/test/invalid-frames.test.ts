import { expect, test } from "bun:test";
import { InvalidFrameReports, type InvalidFrameWindow } from "../src/invalid-frames.ts";

test("the first bad frame is reported at once, the rest once per window with counts by reason, none for a quiet window", async () => {
  const reports: InvalidFrameWindow[] = [];
  const r = new InvalidFrameReports({ windowMs: 60, report: (w) => reports.push(w) });
  r.add("malformed");
  expect(reports.map((w) => w.counts)).toEqual([{ malformed: 1 }]);
  r.add("truncated");
  r.add("truncated");
  r.add("malformed");
  expect(reports.length).toBe(1); // rate-limited
  await Bun.sleep(90);
  expect(reports.map((w) => [w.total, w.counts])).toEqual([
    [1, { malformed: 1 }],
    [3, { truncated: 2, malformed: 1 }],
  ]);
  await Bun.sleep(150); // a quiet window ends the reporting
  expect(reports.length).toBe(2);
  r.add("gzip");
  expect(reports.map((w) => w.total)).toEqual([1, 3, 1]);
  r.add("gzip");
  r.stop(); // what is counted is reported at stop
  expect(reports.map((w) => w.total)).toEqual([1, 3, 1, 1]);
  expect(reports.every((w) => w.to >= w.from)).toBe(true);
});
