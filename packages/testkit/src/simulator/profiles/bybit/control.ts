import { argChars, type BybitSession } from "./session.ts";
import type { SimTopic, TopicParse } from "./topics.ts";

/**
 * Bybit v5 public op requests: `{"req_id"?, "op": "subscribe"|"unsubscribe"|"ping", "args"?}`.
 * Replies `{"success", "ret_msg", "conn_id", "req_id", "op"}`; spot says `ret_msg:"subscribe"` and
 * leaves `req_id` out when none was sent (and in every failure), linear says `""` for both. A
 * subscribe is all or nothing: one bad topic fails the request.
 */

export interface ControlLimits {
  /** Spot: 10 args per request; 0 = no limit (linear). */
  maxArgsPerRequest: number;
  /** Characters of all subscribed args of one connection. */
  maxArgsChars: number;
  /** Topics per connection; 0 = no limit (Bybit limits characters only). */
  maxTopics: number;
  parse(raw: string): TopicParse;
}

export type ControlAction =
  | { kind: "reply"; frame: string }
  | { kind: "ping"; frame: string }
  | { kind: "subscribe"; frame: string; topics: SimTopic[] }
  | { kind: "unsubscribe"; frame: string; names: string[] };

function reply(
  s: BybitSession,
  op: string,
  success: boolean,
  retMsg: string,
  reqId: string | undefined,
): string {
  const out: Record<string, unknown> = { success, ret_msg: retMsg, conn_id: s.connId };
  if (s.category === "linear") out.req_id = reqId ?? "";
  else if (reqId !== undefined && success) out.req_id = reqId;
  out.op = op;
  return JSON.stringify(out);
}

export function handleControl(text: string, s: BybitSession, limits: ControlLimits): ControlAction {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: "reply", frame: reply(s, "", false, "error:request is not valid JSON", undefined) };
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
    return { kind: "reply", frame: reply(s, "", false, "error:request must be a JSON object", undefined) };
  }
  const req = msg as Record<string, unknown>;
  const reqId =
    typeof req.req_id === "string" ? req.req_id : req.req_id === undefined ? undefined : String(req.req_id);
  const op = typeof req.op === "string" ? req.op : "";
  const fail = (m: string): ControlAction => ({ kind: "reply", frame: reply(s, op, false, m, reqId) });
  switch (op) {
    case "ping":
      return { kind: "ping", frame: reply(s, "ping", true, "pong", reqId) };
    case "subscribe":
    case "unsubscribe": {
      const args = req.args;
      if (!Array.isArray(args) || args.length === 0 || args.some((a) => typeof a !== "string")) {
        return fail("error:args must be a non-empty list of topics");
      }
      if (limits.maxArgsPerRequest > 0 && args.length > limits.maxArgsPerRequest) {
        return fail(`args size >${limits.maxArgsPerRequest}`);
      }
      const names = [...new Set(args as string[])];
      if (op === "unsubscribe") {
        return {
          kind: "unsubscribe",
          frame: reply(s, op, true, s.category === "spot" ? op : "", reqId),
          names,
        };
      }
      const topics: SimTopic[] = [];
      let chars = s.argsChars;
      for (const name of names) {
        if (s.topics.has(name)) return fail(`error:already subscribed,topic:${name}`);
        const r = limits.parse(name);
        if (!r.ok) return fail(r.reason);
        topics.push(r.topic);
        chars += argChars(name);
      }
      if (chars > limits.maxArgsChars) {
        return fail(`error:args length over the ${limits.maxArgsChars}-character limit of one connection`);
      }
      if (limits.maxTopics > 0 && s.topics.size + topics.length > limits.maxTopics) {
        return fail(`error:too many topics, the limit is ${limits.maxTopics} per connection`);
      }
      return { kind: "subscribe", frame: reply(s, op, true, s.category === "spot" ? op : "", reqId), topics };
    }
    default:
      return fail(`error:illegal op ${op.slice(0, 30)}`);
  }
}
