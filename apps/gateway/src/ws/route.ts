import { Elysia } from "elysia";
import type { Access, Principal } from "../access/access.ts";
import { ApiError } from "../errors.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { ClientSocket } from "./outbox.ts";
import { ClientSession, type SessionDeps } from "./session.ts";

/**
 * `/ws`: one ClientSession per connection. Connections beyond WS_MAX_CLIENTS are refused at the
 * upgrade with 503 and the JSON error body; past a client's own share (per address or API key),
 * with 429 and Retry-After.
 */
export function wsRoute(deps: SessionDeps & { maxClients: number; metrics: GatewayMetrics; access: Access }) {
  const sessions = new Map<string, ClientSession>();
  const owners = new Map<string, Principal>();
  const track = () => deps.metrics.wsClients.set(sessions.size);
  return new Elysia({ name: "gateway-ws" }).ws("/ws", {
    detail: { hide: true },
    beforeHandle({ request }) {
      if (sessions.size >= deps.maxClients) {
        deps.metrics.wsConnections.inc({ outcome: "refused" });
        throw new ApiError(
          503,
          "too_many_clients",
          `the gateway is at its limit of ${deps.maxClients} WebSocket clients`,
        );
      }
      const principal = deps.access.principalOf(request);
      if (principal) deps.access.checkConnection(principal);
    },
    open(ws) {
      const principal = deps.access.principalOf(ws.data.request);
      if (principal) {
        if (!deps.access.openConnection(principal)) {
          deps.metrics.wsConnections.inc({ outcome: "refused" });
          ws.raw.close(1008, "too many connections from this client");
          return;
        }
        owners.set(ws.id, principal);
      }
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
      const owner = owners.get(ws.id);
      if (owner) deps.access.closeConnection(owner);
      owners.delete(ws.id);
      track();
    },
  });
}
