import {
  type ExchangeAdapter,
  type JobPriority,
  type RestRequest,
  TickerplantError,
  TransientError,
} from "@tickerplant/core";
import { Counter, type Registry } from "prom-client";
import { backoffDelay } from "./backoff.ts";
import type { Logger } from "./logger.ts";
import type { WeightBudget } from "./weight-budget.ts";

export class RestError extends TickerplantError {
  constructor(
    readonly status: number,
    message: string,
    retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`http_${status}`, message, retryable, options);
  }
}

/** Why an attempt is being retried (for callers that report it, e.g. a book snapshot that timed out). */
export interface RestRetry {
  attempt: number;
  reason: "timeout" | "network" | "rate_limited" | "server_error";
  status?: number;
  detail: string;
}

/** Longest back-off after consecutive rate-limit answers without a Retry-After. */
const MAX_RATE_LIMIT_BACKOFF_MS = 5 * 60_000;

/**
 * Runs an adapter's REST requests against the exchange under its shared weight budget: reserve the
 * weight (at the caller's priority), send, read the used-weight header, honour 429/418 (and the
 * exchange's other rate-limit statuses) with Retry-After or a back-off that doubles with each
 * consecutive one, across every process; retry transient failures.
 */
export class RestExecutor {
  private readonly requests: Counter;
  private readonly weight: Counter;
  private readonly rateLimits: Counter;

  constructor(
    private readonly deps: {
      adapter: ExchangeAdapter;
      baseUrl: string;
      budget: WeightBudget;
      registry: Registry;
      log: Logger;
      maxAttempts?: number;
      timeoutMs?: number;
    },
  ) {
    // One executor per exchange shares these (a second registration would throw).
    this.requests =
      (deps.registry.getSingleMetric("tickerplant_rest_requests_total") as Counter | undefined) ??
      new Counter({
        name: "tickerplant_rest_requests_total",
        help: "REST requests to exchanges, by exchange, path and status",
        labelNames: ["exchange", "path", "status"],
        registers: [deps.registry],
      });
    this.weight =
      (deps.registry.getSingleMetric("tickerplant_rest_weight_total") as Counter | undefined) ??
      new Counter({
        name: "tickerplant_rest_weight_total",
        help: "request weight spent, by exchange",
        labelNames: ["exchange"],
        registers: [deps.registry],
      });
    this.rateLimits =
      (deps.registry.getSingleMetric("tickerplant_rest_rate_limited_total") as Counter | undefined) ??
      new Counter({
        name: "tickerplant_rest_rate_limited_total",
        help: "rate-limit answers (429, 418, exchange-specific) from exchanges, by exchange and status",
        labelNames: ["exchange", "status"],
        registers: [deps.registry],
      });
  }

  url(req: RestRequest): string {
    const u = new URL(req.path, this.deps.baseUrl);
    for (const [k, v] of Object.entries(req.query)) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Requests time out after this long (`timeoutMs`, default 10 s), counted as status `timeout`. */
  get timeoutMs(): number {
    return this.deps.timeoutMs ?? 10_000;
  }

  async execute(
    req: RestRequest,
    signal?: AbortSignal,
    priority: JobPriority = "immediate",
    onRetry?: (r: RestRetry) => void,
  ): Promise<{ body: unknown; recvTs: number; headers: Headers }> {
    const exchange = this.deps.adapter.id;
    const maxAttempts = this.deps.maxAttempts ?? 5;
    for (let attempt = 0; ; attempt++) {
      await this.deps.budget.acquire(req.weight, signal, priority);
      this.weight.inc({ exchange }, req.weight);
      let res: Response;
      try {
        res = await fetch(this.url(req), {
          method: req.method,
          signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), ...(signal ? [signal] : [])]),
        });
      } catch (cause) {
        if (signal?.aborted) throw cause;
        // Our own deadline (the exchange answered too slowly) rather than a refused or broken connection.
        const timedOut = cause instanceof DOMException && cause.name === "TimeoutError";
        const reason = timedOut ? "timeout" : "network";
        this.requests.inc({ exchange, path: req.path, status: timedOut ? "timeout" : "error" });
        const detail = timedOut ? `no answer within ${this.timeoutMs} ms` : String(cause);
        if (attempt + 1 >= maxAttempts)
          throw new TransientError(reason, `${req.path}: ${timedOut ? detail : "request failed"}`, { cause });
        onRetry?.({ attempt, reason, detail });
        await Bun.sleep(backoffDelay(attempt, 500, 10_000));
        continue;
      }
      this.requests.inc({ exchange, path: req.path, status: String(res.status) });
      const limits = this.deps.adapter.rest.limits;
      const usedHeader = limits.usedHeader;
      const used = usedHeader ? Number(res.headers.get(usedHeader)) : Number.NaN;
      if (Number.isFinite(used)) await this.deps.budget.observeUsed(used);
      if (res.status === 429 || res.status === 418 || limits.rateLimitStatuses?.includes(res.status)) {
        const retryAfter = res.headers.get("retry-after");
        // Retry-After in seconds or as an HTTP date; without one, wait out the exchange's window.
        const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
        const dateMs = retryAfter === null ? Number.NaN : Date.parse(retryAfter) - Date.now();
        const told = Number.isFinite(seconds)
          ? seconds * 1000
          : Number.isFinite(dateMs) && dateMs > 0
            ? dateMs
            : (limits.rateLimitBackoffMs ?? limits.windowMs);
        // Block every process first (one round trip), then count the run of rate-limit answers.
        await this.deps.budget.blockFor(told);
        const consecutive = await this.deps.budget.rateLimited();
        const backoff = Math.min(MAX_RATE_LIMIT_BACKOFF_MS, 1000 * 2 ** Math.min(consecutive - 1, 20));
        const retryAfterMs = consecutive > 1 ? Math.max(told, backoff) : told;
        if (retryAfterMs > told) await this.deps.budget.blockFor(retryAfterMs);
        this.rateLimits.inc({ exchange, status: String(res.status) });
        this.deps.log.warn("exchange rate limit hit; backing off", {
          exchange,
          status: res.status,
          retryAfterMs,
          consecutive,
        });
        if (attempt + 1 >= maxAttempts) throw new RestError(res.status, `${req.path}: rate limited`, true);
        onRetry?.({
          attempt,
          reason: "rate_limited",
          status: res.status,
          detail: `HTTP ${res.status}, retry in ${retryAfterMs} ms`,
        });
        continue;
      }
      if (res.status >= 500) {
        if (attempt + 1 >= maxAttempts) throw new RestError(res.status, `${req.path}: server error`, true);
        onRetry?.({ attempt, reason: "server_error", status: res.status, detail: `HTTP ${res.status}` });
        await Bun.sleep(backoffDelay(attempt, 500, 10_000));
        continue;
      }
      await this.deps.budget.succeeded();
      const text = await res.text();
      if (!res.ok) throw new RestError(res.status, `${req.path}: ${text.slice(0, 200)}`, false);
      try {
        return { body: JSON.parse(text), recvTs: Date.now(), headers: res.headers };
      } catch (cause) {
        throw new RestError(res.status, `${req.path}: response is not JSON`, false, { cause });
      }
    }
  }
}
