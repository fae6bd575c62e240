import { ParseError } from "../../errors.ts";
import { sample } from "../wire/fields.ts";
import { objectBody } from "../wire/rest-body.ts";

/**
 * Every OKX REST answer is `{"code":"0","msg":"","data":[...]}`; a non-zero code is an error
 * (51001 unknown instrument, 51000 bad parameter, 50011 rate limited, …).
 */
export function okxData(body: unknown, what: string): unknown[] {
  const b = objectBody(body, `okx ${what}`, "{code,msg,data}");
  if (b.code !== "0") {
    throw new ParseError(`okx ${what}: error ${sample(b.code, 20)} ${sample(b.msg, 120)}`);
  }
  if (!Array.isArray(b.data)) throw new ParseError(`okx ${what}: "data" is not an array: ${sample(b.data)}`);
  return b.data;
}
