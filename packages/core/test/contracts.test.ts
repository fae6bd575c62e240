import { expect, test } from "bun:test";
import { contractSpecOf, contractsToBase, messageToBase } from "../src/contracts.ts";
import type { Deriv, Liquidation } from "../src/schemas/messages.ts";

test("a spec only where the instrument has a positive contract value", () => {
  expect(contractSpecOf({ contractValue: 0.01 })).toEqual({ value: 0.01, inverse: false });
  expect(contractSpecOf({ contractValue: 100, inverse: true })).toEqual({ value: 100, inverse: true });
  expect(contractSpecOf({ contractValue: null })).toBeUndefined();
  expect(contractSpecOf({ contractValue: 0 })).toBeUndefined();
  expect(contractSpecOf({})).toBeUndefined();
});

test("linear: contracts × value without binary noise; inverse: × value / price", () => {
  expect(contractsToBase(3, 60_000, { value: 0.1, inverse: false })).toBe(0.3);
  expect(contractsToBase(7, 60_000, { value: 0.01, inverse: false })).toBe(0.07);
  expect(contractsToBase(0, 60_000, { value: 0.01, inverse: false })).toBe(0);
  expect(contractsToBase(6, 60_000, { value: 100, inverse: true })).toBe(0.01);
});

test("liquidations keep their raw contracts; deriv messages pass unchanged", () => {
  const base = { exchange: "okx", market: "BTC-USDT-PERP", symbol: "BTC-USDT-SWAP", ts: 1, recvTs: 2 };
  const liq: Liquidation = { type: "liquidation", ...base, id: "x", price: 50_000, amount: 12, side: "sell" };
  expect(messageToBase(liq, { value: 0.01, inverse: false })).toMatchObject({ amount: 0.12, contracts: 12 });
  const deriv: Deriv = {
    type: "deriv",
    ...base,
    markPrice: 1,
    indexPrice: null,
    fundingRate: null,
    nextFundingTime: null,
    openInterest: 5,
  };
  expect(messageToBase(deriv, { value: 0.01, inverse: false })).toBe(deriv);
});
