import { ParseError } from "../../errors.ts";
import { isObject, sample } from "./fields.ts";

/**
 * Every OKX REST answer is `{"code":"0","msg":"","data":[...]}`; a non-zero code is an error
 * (51001 unknown instrument, 51000 bad parameter, 50011 rate limited, …).
 */
export function okxData(body: unknown, what: string): unknown[] {
  if (!isObject(body)) throw new ParseError(`okx ${what}: expected {code,msg,data}, got ${sample(body)}`);
  if (body.code !== "0") {
    throw new ParseError(`okx ${what}: error ${sample(body.code, 20)} ${sample(body.msg, 120)}`);
  }
  if (!Array.isArray(body.data))
    throw new ParseError(`okx ${what}: "data" is not an array: ${sample(body.data)}`);
  return body.data;
}
