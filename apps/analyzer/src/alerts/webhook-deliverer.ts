import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook } from "@tickerplant/core";
import { claimDueDeliveries, type DueDelivery, recordDeliveryAttempt } from "@tickerplant/db";
import type { Logger, Sql } from "@tickerplant/runtime";
import { Counter, type Registry } from "prom-client";
import { type ResolveHost, refusedWebhookTarget, type WebhookTargetPolicy } from "./webhook-target.ts";

export interface WebhookOptions {
  pollMs: number;
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  /** Which hosts may be called (webhook-target.ts): internal addresses are refused by default. */
  targets: WebhookTargetPolicy;
}

/**
 * Delivers firings to their rule's webhook: a JSON POST signed with HMAC-SHA256 (see
 * core's webhook-signature.ts), retried with exponential back-off; after `maxAttempts` failures the
 * delivery is dead (the dead-letter state, listed by `GET /api/v1/alerts/deliveries?status=dead`).
 * Every attempt is logged. Delivery is at least once: a replica killed mid-request leaves the
 * delivery to be retried, and receivers drop repeats by the `x-tickerplant-delivery` id.
 */
export class WebhookDeliverer {
  private timer: Timer | undefined;
  private running: Promise<void> = Promise.resolve();
  private pending = false;
  private readonly attempts: Counter;

  constructor(
    private readonly deps: {
      sql: Sql;
      log: Logger;
      registry: Registry;
      isActive(): boolean;
      options: WebhookOptions;
      /** DNS for the target check; tests give a fixed table. */
      resolveHost?: ResolveHost;
    },
  ) {
    this.attempts = new Counter({
      name: "tickerplant_analyzer_webhook_attempts_total",
      help: "webhook delivery attempts, by outcome (delivered, retry, dead, refused: an internal target)",
      labelNames: ["outcome"],
      registers: [deps.registry],
    });
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.deps.options.pollMs);
  }

  wake(): void {
    if (this.pending || !this.deps.isActive()) return;
    this.pending = true;
    this.running = this.running
      .then(async () => {
        this.pending = false;
        await this.drain();
      })
      .catch((err) => this.deps.log.warn("webhook delivery round failed", { err }));
  }

  private async drain(): Promise<void> {
    const o = this.deps.options;
    const due = await claimDueDeliveries(this.deps.sql, 20, o.timeoutMs + o.backoffMs);
    await Promise.all(due.map((d) => this.deliver(d)));
  }

  /** Back-off before attempt `attempt + 1`. */
  backoff(attempt: number): number {
    const o = this.deps.options;
    return Math.min(o.backoffMaxMs, o.backoffMs * 2 ** Math.max(0, attempt - 1));
  }

  private async deliver(d: DueDelivery): Promise<void> {
    const o = this.deps.options;
    const started = performance.now();
    const refused = await refusedWebhookTarget(d.url, o.targets, this.deps.resolveHost);
    if (refused !== null && !refused.retryable) {
      this.attempts.inc({ outcome: "refused" });
      this.deps.log.warn("webhook target refused", { delivery: d.id, url: d.url, reason: refused.reason });
      await this.record(d, { status: null, error: refused.reason, started, outcome: "dead" });
      return;
    }
    const { status, error } = refused ? { status: null, error: refused.reason } : await this.post(d);
    const outcome = error === null ? "delivered" : d.attempts >= o.maxAttempts ? "dead" : "retry";
    this.attempts.inc({ outcome });
    if (outcome === "dead")
      this.deps.log.warn("webhook delivery dead", { delivery: d.id, url: d.url, error });
    await this.record(d, { status, error, started, outcome });
  }

  private async post(d: DueDelivery): Promise<{ status: number | null; error: string | null }> {
    const body = JSON.stringify(d.payload);
    try {
      const res = await fetch(d.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "tickerplant-webhooks/1",
          [SIGNATURE_HEADER]: signWebhook(d.secret ?? "", body, Date.now()),
          [DELIVERY_HEADER]: d.id,
          "x-tickerplant-attempt": String(d.attempts),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.deps.options.timeoutMs),
      });
      await res.body?.cancel().catch(() => {});
      return {
        status: res.status,
        error: res.status < 200 || res.status >= 300 ? `HTTP ${res.status}` : null,
      };
    } catch (err) {
      return { status: null, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  }

  private async record(
    d: DueDelivery,
    a: {
      status: number | null;
      error: string | null;
      started: number;
      outcome: "delivered" | "retry" | "dead";
    },
  ): Promise<void> {
    await recordDeliveryAttempt(this.deps.sql, {
      id: d.id,
      attempt: d.attempts,
      status: a.status,
      error: a.error?.slice(0, 500) ?? null,
      ms: performance.now() - a.started,
      outcome: a.outcome,
      retryInMs: this.backoff(d.attempts),
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
