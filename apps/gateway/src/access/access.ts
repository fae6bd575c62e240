import { ApiError } from "../errors.ts";
import type { GatewayMetrics } from "../metrics.ts";
import type { ApiKeyRing, KeyIdentity, Role } from "./keys.ts";
import { roleAtLeast } from "./keys.ts";
import { ConnectionCounter, RateLimiter } from "./rate-limiter.ts";

/** Who sent a request: the API key it presented (if any) and its address. */
export interface Principal {
  key?: KeyIdentity;
  ip: string;
  /** What limits count against: `key:<id>` for keyed clients, `ip:<address>` otherwise. */
  client: string;
}

export interface AccessOptions {
  keys: ApiKeyRing;
  /** Public read routes and /ws need a key with at least the `read` role. */
  keyRequired: boolean;
  /** Requests per second per IP (anonymous) and per key; 0 = no limit. Bursts of twice that. */
  ratePerIp: number;
  ratePerKey: number;
  /** Open WebSocket connections per IP (anonymous) and per key; 0 = no limit. */
  wsPerIp: number;
  wsPerKey: number;
  /** Take the client address from the last X-Forwarded-For entry (behind one reverse proxy). */
  trustProxy: boolean;
  metrics: GatewayMetrics;
}

/** The address is looked up when a limit or a log asks for it (Bun's requestIP costs ~µs a call). */
class RequestPrincipal implements Principal {
  private address: string | undefined;

  constructor(
    readonly key: KeyIdentity | undefined,
    private readonly lookUp: () => string,
  ) {}

  get ip(): string {
    this.address ??= this.lookUp();
    return this.address;
  }

  get client(): string {
    return this.key ? `key:${this.key.id}` : `ip:${this.ip}`;
  }
}

type AddressSource = { requestIP(request: Request): { address: string } | null } | null | undefined;

const RETRY_CONNECTION_S = 5;
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The gateway's one access check: API keys and roles, request and connection rate limits.
 * Routes that change state use `require(role)` as their `beforeHandle`; `admit` runs for every
 * /api/v1 request and /ws upgrade.
 */
export class Access {
  private readonly principals = new WeakMap<Request, Principal>();
  private readonly ipRate: RateLimiter;
  private readonly keyRate: RateLimiter;
  private readonly ipSockets: ConnectionCounter;
  private readonly keySockets: ConnectionCounter;

  constructor(private readonly o: AccessOptions) {
    this.ipRate = new RateLimiter(o.ratePerIp, o.ratePerIp * 2);
    this.keyRate = new RateLimiter(o.ratePerKey, o.ratePerKey * 2);
    this.ipSockets = new ConnectionCounter(o.wsPerIp);
    this.keySockets = new ConnectionCounter(o.wsPerKey);
  }

  get keys(): ApiKeyRing {
    return this.o.keys;
  }

  /**
   * Identifies the request's sender and applies the request rate limit. Throws 401 for a key that
   * is not configured (or a missing one when keys are required) and 429 past the rate limit.
   */
  admit(request: Request, server: AddressSource, opts: { keyInQuery?: boolean } = {}): Principal {
    const p = this.identify(request, server, opts.keyInQuery ?? false);
    if (this.o.keyRequired && !p.key) throw this.unauthorized("missing", "an x-api-key header is required");
    const limiter = p.key ? this.keyRate : this.ipRate;
    if (limiter.perSecond <= 0) return p; // no limit: the address is not needed
    const verdict = limiter.take(p.client);
    if (!verdict.ok) {
      this.o.metrics.rateLimited.inc({ scope: p.key ? "key" : "ip", kind: "request" });
      throw new ApiError(429, "rate_limited", `too many requests; retry in ${verdict.retryAfterS} s`, {
        headers: { "retry-after": String(verdict.retryAfterS) },
      });
    }
    return p;
  }

  /**
   * The role a request needs by its path and method, checked before the body is read or validated:
   * `/api/v1/admin/*` needs admin (403 admin_disabled when no admin key exists), any other
   * state-changing method (POST, PUT, PATCH, DELETE) needs write. Routes may ask for more with
   * `require`.
   */
  authorize(request: Request, path: string, server?: AddressSource): void {
    if (path.startsWith("/api/v1/admin")) {
      if (!this.o.keys.hasRole("admin"))
        throw new ApiError(403, "admin_disabled", "the admin API is off (no ADMIN_API_KEYS)");
      this.require("admin")({ request, server });
    } else if (WRITE_METHODS.has(request.method)) {
      this.require("write")({ request, server });
    }
  }

  /** A `beforeHandle` that lets only keys with at least `role` through (401 without one, 403 below it). */
  require(role: Role): (ctx: { request: Request; server?: AddressSource }) => void {
    return ({ request, server }) => {
      const p = this.principals.get(request) ?? this.identify(request, server, false);
      if (!p.key) {
        throw this.unauthorized(
          "missing",
          this.o.keys.hasRole(role)
            ? `a valid x-api-key header with the ${role} role is required`
            : `a valid x-api-key header with the ${role} role is required (no such key is configured)`,
        );
      }
      if (!roleAtLeast(p.key.role, role)) {
        this.o.metrics.authFailures.inc({ reason: "forbidden" });
        throw new ApiError(
          403,
          "forbidden",
          `this API key's role (${p.key.role}) cannot do this; ${role} is required`,
        );
      }
    };
  }

  /** Throws 429 when the sender already holds its share of WebSocket connections. */
  checkConnection(p: Principal): void {
    const counter = p.key ? this.keySockets : this.ipSockets;
    if (counter.limit > 0 && counter.count(p.client) >= counter.limit) {
      this.o.metrics.rateLimited.inc({ scope: p.key ? "key" : "ip", kind: "connection" });
      throw new ApiError(
        429,
        "too_many_connections",
        `at most ${counter.limit} WebSocket connections per ${p.key ? "API key" : "address"}`,
        { headers: { "retry-after": String(RETRY_CONNECTION_S) } },
      );
    }
  }

  /** Takes a connection slot; false when a concurrent upgrade took the last one. */
  openConnection(p: Principal): boolean {
    const ok = (p.key ? this.keySockets : this.ipSockets).acquire(p.client);
    if (!ok) this.o.metrics.rateLimited.inc({ scope: p.key ? "key" : "ip", kind: "connection" });
    return ok;
  }

  closeConnection(p: Principal): void {
    (p.key ? this.keySockets : this.ipSockets).release(p.client);
  }

  principalOf(request: Request): Principal | undefined {
    return this.principals.get(request);
  }

  private identify(request: Request, server: AddressSource, keyInQuery: boolean): Principal {
    const known = this.principals.get(request);
    if (known) return known;
    let given = request.headers.get("x-api-key");
    if (given === null && keyInQuery) given = new URL(request.url).searchParams.get("api_key");
    let key: KeyIdentity | undefined;
    // With no keys configured at all a header is ignored (routes that need a role refuse anyway).
    if (given !== null && given !== "" && this.o.keys.size > 0) {
      key = this.o.keys.find(given);
      if (!key) throw this.unauthorized("invalid", "the x-api-key is not valid");
    }
    const p = new RequestPrincipal(key, () => this.addressOf(request, server));
    this.principals.set(request, p);
    return p;
  }

  private addressOf(request: Request, server: AddressSource): string {
    if (this.o.trustProxy) {
      const forwarded = request.headers.get("x-forwarded-for");
      const last = forwarded?.split(",").at(-1)?.trim();
      if (last) return last;
    }
    return server?.requestIP(request)?.address ?? "unknown";
  }

  private unauthorized(reason: "missing" | "invalid", message: string): ApiError {
    this.o.metrics.authFailures.inc({ reason });
    return new ApiError(401, "unauthorized", message);
  }
}
