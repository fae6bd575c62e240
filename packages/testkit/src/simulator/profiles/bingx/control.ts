import type { Topic, TopicParse } from "./topics.ts";
import type { Venue } from "./venue.ts";

/**
 * Client → server messages on a BingX market socket: `{"id","reqType":"sub"|"unsub","dataType"}`
 * (one dataType per message), and heartbeat answers (`Pong`, or the spot `{"pong":id,"time":t}`).
 * Acks: spot `{"code":0,"id","msg":"SUCCESS","timestamp"}`, swap
 * `{"id","code":0,"msg":"","dataType":"","data":null}`; errors carry BingX's codes: 80015 dataType
 * not supported, 80403 over 200 topics, 80014 invalid request (spot: 100400 ILLEGAL_ARGUMENT).
 */

export interface ControlTarget {
  venue: Venue;
  parse(dataType: string): TopicParse;
  has(name: string): boolean;
  count(): number;
  maxTopics: number;
  subscribe(topic: Topic): void;
  unsubscribe(name: string): void;
  /** The client answered a heartbeat. */
  pong(): void;
}

export type ControlOutcome =
  | { kind: "none" }
  | { kind: "reply"; frame: string }
  /** Ack sent; a new incrDepth subscriber gets its full depth next. */
  | { kind: "subscribed"; frame: string; topic: Topic };

const NONE: ControlOutcome = { kind: "none" };

export function ackFrame(venue: Venue, id: string, now: number): string {
  const idJson = JSON.stringify(id);
  return venue === "spot"
    ? `{"code":0,"id":${idJson},"msg":"SUCCESS","timestamp":${now}}`
    : `{"id":${idJson},"code":0,"msg":"","dataType":"","data":null}`;
}

export function errorFrame(venue: Venue, id: string | null, code: number, msg: string, now: number): string {
  const idPart = id === null ? "" : `"id":${JSON.stringify(id)},`;
  return venue === "spot"
    ? `{"code":${code},${idPart}"msg":${JSON.stringify(msg)},"timestamp":${now}}`
    : `{${idPart}"code":${code},"msg":${JSON.stringify(msg)},"dataType":"","data":null}`;
}

function invalidRequest(venue: Venue, id: string | null, now: number): ControlOutcome {
  const frame =
    venue === "spot"
      ? errorFrame(venue, id, 100400, "ILLEGAL_ARGUMENT", now)
      : errorFrame(venue, id, 80014, "invalid parameter", now);
  return { kind: "reply", frame };
}

export function handleControl(text: string, target: ControlTarget, now: number = Date.now()): ControlOutcome {
  if (text.length <= 16 && text.trim().toLowerCase() === "pong") {
    target.pong();
    return NONE;
  }
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return invalidRequest(target.venue, null, now);
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg))
    return invalidRequest(target.venue, null, now);
  const req = msg as Record<string, unknown>;
  if (req.pong !== undefined) {
    target.pong();
    return NONE;
  }
  const id = typeof req.id === "string" ? req.id : typeof req.id === "number" ? String(req.id) : null;
  const dataType = req.dataType;
  // spot accepted subscribe messages without reqType in its first API version
  const reqType = req.reqType ?? (target.venue === "spot" ? "sub" : undefined);
  if (id === null || typeof dataType !== "string" || (reqType !== "sub" && reqType !== "unsub")) {
    return invalidRequest(target.venue, id, now);
  }
  const parsed = target.parse(dataType);
  if (!parsed.ok) return { kind: "reply", frame: errorFrame(target.venue, id, 80015, parsed.reason, now) };
  const topic = parsed.topic;
  if (reqType === "unsub") {
    target.unsubscribe(topic.name);
    return { kind: "reply", frame: ackFrame(target.venue, id, now) };
  }
  if (target.has(topic.name)) return { kind: "reply", frame: ackFrame(target.venue, id, now) };
  if (target.count() >= target.maxTopics) {
    return {
      kind: "reply",
      frame: errorFrame(
        target.venue,
        id,
        80403,
        `the limit is ${target.maxTopics} topics per connection`,
        now,
      ),
    };
  }
  target.subscribe(topic);
  return { kind: "subscribed", frame: ackFrame(target.venue, id, now), topic };
}
