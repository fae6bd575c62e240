import type { Arg, ArgParse, Topic } from "./channels.ts";
import { ackFrame, errorFrame } from "./payloads.ts";

/**
 * OKX WebSocket requests: `{"op":"subscribe"|"unsubscribe","args":[{channel, instId|instType}],"id"?}`.
 * Each argument is answered on its own: `{"event":"subscribe","arg":{..},"connId":".."}` or an
 * error (60018 wrong URL or channel). Whole-request errors: 60012 invalid request (not JSON, no
 * op, no args, args over 64 KB), 60014 requests too frequent (over 480 per hour).
 */

export const MAX_ARGS_BYTES = 64 * 1024;
export const OPS_PER_HOUR = 480;
const HOUR = 3_600_000;

export interface ControlTarget {
  connId: string;
  parse(arg: Arg): ArgParse;
  has(key: string): boolean;
  count(): number;
  /** 0 = no limit (OKX documents none for public channels). */
  maxArgs: number;
  subscribe(topic: Topic): void;
  unsubscribe(key: string): void;
  /** Request times of the last hour (mutated). */
  ops: number[];
}

export interface ControlResult {
  replies: string[];
  /** Topics subscribed by this request, for their initial pushes. */
  subscribed: Topic[];
}

function isArg(v: unknown): v is Arg {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const a = v as Record<string, unknown>;
  return (
    typeof a.channel === "string" &&
    (a.instId === undefined || typeof a.instId === "string") &&
    (a.instType === undefined || typeof a.instType === "string")
  );
}

export function handleControl(text: string, t: ControlTarget, now: number = Date.now()): ControlResult {
  const invalid = (id?: string): ControlResult => ({
    replies: [errorFrame("60012", `Invalid request: ${text.slice(0, 200)}`, t.connId, id)],
    subscribed: [],
  });
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return invalid();
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return invalid();
  const req = msg as Record<string, unknown>;
  const id = typeof req.id === "string" && /^[A-Za-z0-9]{1,32}$/.test(req.id) ? req.id : undefined;
  const op = req.op;
  if (op !== "subscribe" && op !== "unsubscribe") return invalid(id);
  const args = req.args;
  if (!Array.isArray(args) || args.length === 0 || !args.every(isArg)) return invalid(id);
  if (JSON.stringify(args).length > MAX_ARGS_BYTES) return invalid(id);

  while (t.ops.length > 0 && t.ops[0]! <= now - HOUR) t.ops.shift();
  if (t.ops.length >= OPS_PER_HOUR) {
    return { replies: [errorFrame("60014", "Requests too frequent.", t.connId, id)], subscribed: [] };
  }
  t.ops.push(now);

  const replies: string[] = [];
  const subscribed: Topic[] = [];
  for (const arg of args) {
    const r = t.parse(arg);
    if (!r.ok) {
      replies.push(errorFrame(r.code, r.msg, t.connId, id));
      continue;
    }
    if (op === "unsubscribe") {
      t.unsubscribe(r.topic.key);
      replies.push(ackFrame("unsubscribe", r.topic.arg, t.connId, id));
      continue;
    }
    if (!t.has(r.topic.key) && t.maxArgs > 0 && t.count() >= t.maxArgs) {
      replies.push(
        errorFrame(
          "60012",
          `Invalid request: more than ${t.maxArgs} channels on one connection`,
          t.connId,
          id,
        ),
      );
      continue;
    }
    if (!t.has(r.topic.key)) {
      t.subscribe(r.topic);
      subscribed.push(r.topic);
    }
    replies.push(ackFrame("subscribe", r.topic.arg, t.connId, id));
  }
  return { replies, subscribed };
}
