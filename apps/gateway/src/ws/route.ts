import { Elysia } from "elysia";
import { ApiError } from "../errors.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { ClientSocket } from "./outbox.ts";
import { ClientSession, type SessionDeps } from "./session.ts";

/**
 * `/ws`: one ClientSession per connection. Connections beyond WS_MAX_CLIENTS are refused at the
 * upgrade with 503 and the JSON error body.
 */
export function wsRoute(deps: SessionDeps & { maxClients: number; metrics: GatewayMetrics }) {
  const sessions = new Map<string, ClientSession>();
  const track = () => deps.metrics.wsClients.set(sessions.size);
  return new Elysia({ name: "gateway-ws" }).ws("/ws", {
    detail: { hide: true },
    beforeHandle() {
      if (sessions.size >= deps.maxClients) {
        deps.metrics.wsConnections.inc({ outcome: "refused" });
        throw new ApiError(
          503,
          "too_many_clients",
          `the gateway is at its limit of ${deps.maxClients} WebSocket clients`,
        );
      }
    },
    open(ws) {
      deps.metrics.wsConnections.inc({ outcome: "accepted" });
      // Elysia's copy of Bun's socket type lacks getBufferedAmount; the runtime object has it.
      sessions.set(ws.id, new ClientSession(ws.id, ws.raw as unknown as ClientSocket, deps));
      track();
    },
    message(ws, message) {
      sessions.get(ws.id)?.onMessage(message);
    },
    drain(ws) {
      sessions.get(ws.id)?.onDrain();
    },
    close(ws) {
      sessions.get(ws.id)?.onClose();
      sessions.delete(ws.id);
      track();
    },
  });
}
