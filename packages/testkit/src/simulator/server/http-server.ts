import type { Server } from "bun";
import type { HttpReply, ProfileRuntime } from "../profiles/types.ts";
import type { SocketData } from "./connection.ts";
import type { ConnectionManager } from "./connections.ts";
import { handleControl, type SimControl } from "./control-api.ts";
import type { Faults } from "./faults.ts";
import type { SimStats } from "./stats.ts";
import type { WeightLimiter } from "./weight-limiter.ts";

/** Every HTTP answer (and the WebSocket upgrade) says that the data is simulated. */
export const SIMULATED_HEADER = "X-Tickerplant-Simulated";

export interface HttpServerDeps {
  host: string;
  port: number;
  backpressureLimitBytes: number;
  runtime: ProfileRuntime;
  connections: ConnectionManager;
  limiter: WeightLimiter;
  faults: Faults;
  stats: SimStats;
  control: SimControl;
}

function respond(reply: HttpReply, extra: Record<string, string> = {}): Response {
  const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  return new Response(body, {
    status: reply.status ?? 200,
    headers: {
      "Content-Type": "application/json;charset=UTF-8",
      [SIMULATED_HEADER]: "1",
      ...extra,
      ...reply.headers,
    },
  });
}

function restCall(req: Request, url: URL, d: HttpServerDeps): Response | Promise<Response> {
  const delay = d.faults.takeRestDelay(url.pathname);
  if (delay > 0) return Bun.sleep(delay).then(() => answerRest(req, url, d));
  return answerRest(req, url, d);
}

function answerRest(req: Request, url: URL, d: HttpServerDeps): Response {
  const route = d.runtime.rest(req.method, url);
  if (!route) return respond({ status: 404, body: { code: -1, msg: `Unknown endpoint ${url.pathname}` } });
  d.stats.restRequests++;
  const budget = route.budget ?? {
    limiter: d.limiter,
    rateLimitedReply: (s: number) => d.runtime.rateLimitedReply(s),
    weightHeaders: (u: number) => d.runtime.weightHeaders(u),
  };
  const forced = d.faults.takeForced429();
  if (forced !== undefined) {
    d.stats.restRejected429++;
    const reply = budget.rateLimitedReply(forced);
    const status = d.faults.forcedRejectStatus;
    const headers = { ...budget.weightHeaders(budget.limiter.current()), "Retry-After": String(forced) };
    return respond(status === 429 ? reply : { ...reply, status }, headers);
  }
  const taken = budget.limiter.take(route.weight);
  if (!taken.ok) {
    d.stats.restRejected429++;
    return respond(budget.rateLimitedReply(taken.retryAfterSec), budget.weightHeaders(taken.used));
  }
  return respond(route.run(), budget.weightHeaders(taken.used));
}

/** One Bun server: exchange WebSocket paths, exchange REST, and the /_sim control API. */
export function startHttpServer(d: HttpServerDeps): Server<SocketData> {
  return Bun.serve<SocketData>({
    hostname: d.host,
    port: d.port,
    fetch(req, server) {
      const url = new URL(req.url);
      if (url.pathname.startsWith("/_sim/")) return respond(handleControl(url, d.control));
      const up = d.runtime.upgrade(url);
      if (up) {
        if (!up.accept) return respond(up.reply);
        const data: SocketData = { path: url.pathname + url.search, session: up.session, rules: up.rules };
        if (server.upgrade(req, { headers: { [SIMULATED_HEADER]: "1" }, data })) return undefined;
        return respond({ status: 426, body: { code: -1, msg: "WebSocket upgrade required" } });
      }
      return restCall(req, url, d);
    },
    websocket: {
      idleTimeout: 0,
      sendPings: false,
      backpressureLimit: d.backpressureLimitBytes,
      closeOnBackpressureLimit: true,
      maxPayloadLength: 1024 * 1024,
      open(ws) {
        const conn = d.connections.opened(ws);
        d.runtime.onOpen(conn);
      },
      message(ws, message) {
        const conn = ws.data.conn;
        if (!conn || !d.connections.incoming(conn)) return;
        d.runtime.onMessage(conn, typeof message === "string" ? message : message.toString("utf8"));
      },
      ping(ws) {
        if (ws.data.conn) d.connections.incoming(ws.data.conn);
      },
      pong(ws) {
        const conn = ws.data.conn;
        if (!conn) return;
        d.connections.pong(conn);
        d.connections.incoming(conn);
      },
      close(ws) {
        const conn = ws.data.conn;
        if (!conn) return;
        d.runtime.onClose(conn);
        d.connections.closed(conn);
      },
    },
  });
}
