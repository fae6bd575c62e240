import { randomUUID } from "node:crypto";
import type { AlertFiring, Trade } from "@tickerplant/core";
import { type AlertRule, fireAlert, loadAlertRules, rearmAlert } from "@tickerplant/db";
import type { Logger, Sql } from "@tickerplant/runtime";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Venues } from "../assets/venues.ts";
import type { StatsEngine } from "../stats-engine.ts";
import { observe } from "./conditions.ts";

export interface AlertEvaluatorDeps {
  sql: Sql;
  venues: Venues;
  stats: StatsEngine;
  registry: Registry;
  log: Logger;
  /** Rules are reloaded from PostgreSQL this often (new, deleted, re-armed elsewhere). */
  reloadMs: number;
  isActive(): boolean;
  /** A firing was stored: publish it and deliver its webhook now rather than on the next poll. */
  onFired(): void;
  now?: () => number;
}

/**
 * Evaluates the alert rules of a market whenever a message for it arrives (trades, quotes, status)
 * and every second (for windows that slide and feeds that go silent). Only the active replica
 * fires; standbys evaluate too and remember crossings (see `takeOver`). A rule fires once per crossing: `fireAlert` disarms it in the transaction that stores
 * the firing, conditional on it being armed, so two replicas (or a re-evaluation after a fail-over)
 * cannot fire one crossing twice; it re-arms once the condition clears past its hysteresis band.
 */
export class AlertEvaluator {
  private rules = new Map<string, AlertRule>();
  private byMarket = new Map<string, AlertRule[]>();
  private readonly busy = new Set<string>();
  private timers: Timer[] = [];
  private loaded = false;
  /** Standby only: the first crossing seen per armed rule, fired on takeover. */
  private readonly pending = new Map<string, AlertFiring>();
  private readonly fired: Counter;
  private readonly now: () => number;

  constructor(private readonly deps: AlertEvaluatorDeps) {
    this.now = deps.now ?? Date.now;
    this.fired = new Counter({
      name: "tickerplant_analyzer_alerts_fired_total",
      help: "alert firings stored, by kind",
      labelNames: ["kind"],
      registers: [deps.registry],
    });
    const self = this;
    new Gauge({
      name: "tickerplant_analyzer_alert_rules",
      help: "live alert rules",
      registers: [deps.registry],
      collect(this: Gauge) {
        this.set(self.rules.size);
      },
    });
  }

  async start(): Promise<void> {
    await this.reload();
    this.timers.push(
      setInterval(
        () => void this.reload().catch((err) => this.deps.log.warn("alert rules reload failed", { err })),
        this.deps.reloadMs,
      ),
      setInterval(() => this.evaluateAll(), 1000),
    );
  }

  async reload(): Promise<void> {
    const rules = await loadAlertRules(this.deps.sql);
    const byId = new Map<string, AlertRule>();
    const byMarket = new Map<string, AlertRule[]>();
    for (const r of rules) {
      byId.set(r.id, r);
      const key = `${r.exchange}:${r.market}`;
      byMarket.set(key, [...(byMarket.get(key) ?? []), r]);
    }
    this.rules = byId;
    this.byMarket = byMarket;
    this.loaded = true;
  }

  /**
   * A replica that became active fires what it saw cross while it was standby (the active replica
   * may have died before firing it; if it did fire, PostgreSQL finds the rule disarmed and nothing
   * is stored twice), then evaluates every rule.
   */
  takeOver(): void {
    void this.reload()
      .then(() => {
        for (const [id, firing] of this.pending) {
          const rule = this.rules.get(id);
          if (rule && !this.busy.has(id)) this.fire(rule, { ...firing, ts: this.now() });
        }
        this.pending.clear();
        this.evaluateAll();
      })
      .catch((err) => this.deps.log.warn("alert takeover pass failed", { err }));
  }

  /** Trades arrived: price rules see each trade, the others the market's state after them. */
  onTrades(trades: readonly Trade[]): void {
    if (!this.loaded) return;
    const touched = new Set<string>();
    for (const t of trades) {
      const key = `${t.exchange}:${t.market}`;
      touched.add(key);
      for (const r of this.byMarket.get(key) ?? [])
        if (r.kind === "price_above" || r.kind === "price_below") this.evaluate(r, t);
    }
    for (const key of touched)
      for (const r of this.byMarket.get(key) ?? [])
        if (r.kind !== "price_above" && r.kind !== "price_below") this.evaluate(r);
  }

  /** Messages arrived for these markets (`exchange:market`). */
  onMarkets(keys: Iterable<string>): void {
    if (!this.loaded) return;
    for (const key of keys) for (const r of this.byMarket.get(key) ?? []) this.evaluate(r);
  }

  private evaluateAll(): void {
    if (!this.loaded) return;
    for (const r of this.rules.values()) this.evaluate(r);
  }

  /**
   * The active replica fires and re-arms; a standby only remembers the first crossing of each
   * armed rule (forgotten when the condition clears), for `takeOver`.
   */
  private evaluate(rule: AlertRule, trade?: Trade): void {
    if (this.busy.has(rule.id)) return;
    const now = this.now();
    const venue = this.deps.venues.get(rule.exchange, rule.market);
    const view = this.deps.stats.view(rule.exchange, rule.market);
    const o = observe(rule, venue, view, now, trade);
    const active = this.deps.isActive();
    if (rule.armed && o.met) {
      if (rule.lastFiredAt !== null && now - rule.lastFiredAt < rule.cooldown * 1000) return;
      const firing: AlertFiring = {
        type: "alert",
        id: randomUUID(),
        alertId: rule.id,
        exchange: rule.exchange,
        market: rule.market,
        kind: rule.kind,
        threshold: rule.threshold,
        value: o.value,
        detail: o.detail,
        ts: now,
        ...(venue?.simulated || view?.lastTrade.simulated || trade?.simulated ? { simulated: true } : {}),
      };
      if (active) this.fire(rule, firing);
      else if (!this.pending.has(rule.id)) this.pending.set(rule.id, firing);
    } else if (o.cleared) {
      this.pending.delete(rule.id);
      if (active && !rule.armed)
        this.run(rule, async () => {
          await rearmAlert(this.deps.sql, rule.id);
          rule.armed = true;
        });
    }
  }

  private fire(rule: AlertRule, firing: AlertFiring): void {
    this.run(rule, async () => {
      const stored = await fireAlert(this.deps.sql, firing, rule.webhook);
      rule.armed = false;
      if (!stored) return; // fired already (by us before a fail-over, or another replica)
      rule.lastFiredAt = firing.ts;
      this.fired.inc({ kind: rule.kind });
      this.deps.log.info("alert fired", {
        alert: rule.id,
        kind: rule.kind,
        value: firing.value,
        firing: firing.id,
      });
      this.deps.onFired();
    });
  }

  private run(rule: AlertRule, work: () => Promise<void>): void {
    this.busy.add(rule.id);
    work()
      .catch((err) => this.deps.log.warn("alert evaluation failed", { alert: rule.id, err }))
      .finally(() => this.busy.delete(rule.id));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }
}
