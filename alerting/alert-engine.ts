/**
 * The alert engine: evaluates the rules (./rules) against what ingest has accepted, keeps one alert
 * per site and rule, runs the raise-after / clear-after windows, persists everything, and publishes
 * every alert change. It runs inside the process that owns the database (ingest, or all-in-one).
 *
 * Public API (in-process):
 * - `new AlertEngine(options)`, a {@link Component}: `start()` loads rules (applying seeds), open
 *   alerts and pending windows from the store, warms site facts and resumes every timer (a window
 *   that ran out while the process was down is decided at once); `stop()` cancels timers, flushes
 *   and disconnects. Inputs before start / after stop are ignored.
 * - Inputs from ingest (never throw; call after the data is stored): `readingsAccepted(readings)`,
 *   `statusAccepted(status)` — together the {@link AlertInputs} seam.
 * - `onChange(listener)`: `listener(change: AlertChange)` for every change (raised,
 *   severity_changed, updated — a new worst value, at most once per `updatePublishIntervalMs` per
 *   alert —, acknowledged, commented, cleared), in order, after the change was written to the store (or the
 *   write failed and is being retried). Returns an unsubscribe function. A throwing listener is
 *   logged and does not affect others. The same changes go to MQTT `alerts/{siteId}` (QoS 1).
 * - {@link AlertingApi} (REST through web): list / get / acknowledge / comment alerts; list /
 *   create / update / delete rules; list presets. Acknowledge and comment resolve once persisted.
 * - `openAlerts()`: the open alerts now (a snapshot); `activeAlerts()` the same as a promise,
 *   failing with `unavailable` before start (the notifier's AlertChangeSource).
 *
 * Time: lifecycle decisions use the engine clock (arrival time); rate and swing windows use the
 * readings' own timestamps. See docs/alerting.md.
 */
import { randomUUID } from 'node:crypto';
import type { Preset, RuleDefinitionInput, RuleRecord } from '../common/alert-rules.js';
import { type Alert, type AlertChange, type AlertChangeKind, isActiveState, severityRank } from '../common/alerts.js';
import type { Reading } from '../common/payloads.js';
import { type Site, STALE_AFTER_INTERVALS } from '../common/sites.js';
import { AppError } from '../platform/errors.js';
import type { Component } from '../platform/lifecycle.js';
import type { Logger } from '../platform/logger.js';
import type { Registry } from '../platform/observability.js';
import type { SiteLookup } from '../platform/sites/site-lookup.js';
import type { AlertingApi, AlertQuery, SiteLatest, SiteStatusRecord } from '../platform/store/types.js';
import { acknowledgeAlert, addComment, changeSeverity, clearAlert, raiseAlert, updateValues } from './alert-lifecycle.js';
import { type AlertingMetrics, registerAlertingMetrics } from './alerting-metrics.js';
import { DeadlineQueue } from './deadline-queue.js';
import { severityOfRank } from './evaluation/bands.js';
import { alertReading, type EvaluationInput, evaluate } from './evaluation/rule-evaluator.js';
import { emptyFacts, initialRuleState, type RuleState, ruleStateSchema, type SiteFacts } from './evaluation/rule-state.js';
import { decideLevel, nextDeadline, withLevel } from './evaluation/severity-tracker.js';
import { MqttAlertPublisher } from './mqtt-alert-publisher.js';
import { RuleBook } from './rules/rule-book.js';
import type { RuleSeeds } from './rules/rule-seeds.js';
import type { EffectiveRule, RuleSet } from './rules/rule-set.js';
import type { AlertStore, RuleStateRow } from './store/alert-store.js';

/** What ingest hands the engine once data is stored. Implementations never throw. */
export interface AlertInputs {
  /** Accepted readings (values in catalog units, `ts` epoch ms), in arrival order. */
  readingsAccepted(readings: readonly Reading[]): void;
  /** An accepted device status (retained replays of an unchanged status are not passed). */
  statusAccepted(status: SiteStatusRecord): void;
}

export interface AlertEngineTuning {
  /** Delay between a change and the store write that carries it (batches bursts), ms. */
  readonly flushDelayMs: number;
  /** Longest wait between retries of a failed store write, ms. */
  readonly flushRetryMaxMs: number;
  /** `updated` changes (new last/peak value) are published at most this often per alert, ms. */
  readonly updatePublishIntervalMs: number;
  /** How often progress is written, alerts of removed sites clear and (hourly) old alerts are purged, ms. */
  readonly housekeepingIntervalMs: number;
  /** Cleared alerts are kept this long, days. */
  readonly retentionDays: number;
}

export const DEFAULT_ALERT_ENGINE_TUNING: AlertEngineTuning = {
  flushDelayMs: 100,
  flushRetryMaxMs: 30_000,
  updatePublishIntervalMs: 60_000,
  housekeepingIntervalMs: 60_000,
  retentionDays: 365,
};

export interface AlertEngineOptions {
  readonly store: AlertStore;
  readonly sites: Pick<SiteLookup, 'get'>;
  /** Validated rule seeds (loadRuleSeeds). */
  readonly seeds: RuleSeeds;
  /** Where site facts (latest values, device statuses) are warm-started from; failures are logged. */
  readonly facts?: {
    latestValues(): Promise<SiteLatest[]>;
    listSiteStatuses(): Promise<SiteStatusRecord[]>;
  };
  /** Publishes changes on `alerts/{siteId}` as `svc:ingest` when given. */
  readonly mqtt?: { readonly url: () => string; readonly serviceToken: string; readonly clientId?: string };
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Epoch ms; Date.now by default (fake timers in tests replace both it and the timers). */
  readonly clock?: () => number;
  /** Alert ids; random UUIDs by default. */
  readonly newId?: () => string;
  readonly tuning?: Partial<AlertEngineTuning>;
}

/** Longest delay setTimeout accepts, ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const DAY_MS = 86_400_000;

interface Tracked {
  readonly siteId: string;
  readonly ruleId: string;
  state: RuleState;
}

const keyOf = (siteId: string, ruleId: string) => `${siteId}|${ruleId}`;

export class AlertEngine implements Component, AlertingApi, AlertInputs {
  readonly name = 'alerting';
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly tuning: AlertEngineTuning;
  private readonly metrics: AlertingMetrics;
  private readonly rules: RuleBook;
  private readonly publisher: MqttAlertPublisher | undefined;
  private readonly newId: () => string;
  private readonly listeners = new Set<(change: AlertChange) => void>();

  private readonly facts = new Map<string, SiteFacts>();
  private readonly tracked = new Map<string, Tracked>();
  /** Open alerts by site|rule key. */
  private readonly open = new Map<string, Alert>();
  /** Alerts changed since the last successful flush, by id (the store may not have them yet). */
  private readonly unsaved = new Map<string, Alert>();
  /** Open alerts whose only change is a new last value: written at housekeeping and stop. */
  private readonly quietAlerts = new Set<string>();
  /** States changed in what decisions depend on: written within `flushDelayMs`. */
  private readonly dirtyStates = new Set<string>();
  /** States changed only in progress (latest value, window, stuck run): written at housekeeping and stop. */
  private readonly quietStates = new Set<string>();
  private readonly deletedStates = new Map<string, { siteId: string; ruleId: string }>();
  private pendingChanges: AlertChange[] = [];
  private readonly lastUpdatePublished = new Map<string, number>();
  private readonly deadlines = new DeadlineQueue();

  private running = false;
  /** Epoch ms the engine started listening: silence before it is not held against a device. */
  private watchingSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushChain: Promise<void> = Promise.resolve();
  private flushFailures = 0;
  private housekeeping: NodeJS.Timeout | undefined;
  private lastPurgeAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: AlertEngineOptions) {
    this.log = options.logger;
    this.clock = options.clock ?? Date.now;
    this.tuning = { ...DEFAULT_ALERT_ENGINE_TUNING, ...options.tuning };
    this.newId = options.newId ?? randomUUID;
    this.metrics = registerAlertingMetrics(options.metrics, () => this.countActive());
    this.rules = new RuleBook({ store: options.store, seeds: options.seeds, logger: this.log, clock: () => this.clock() });
    this.publisher = options.mqtt
      ? new MqttAlertPublisher({
          url: options.mqtt.url,
          serviceToken: options.mqtt.serviceToken,
          logger: this.log,
          metrics: this.metrics,
          ...(options.mqtt.clientId === undefined ? {} : { clientId: options.mqtt.clientId }),
        })
      : undefined;
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────────

  async start(): Promise<void> {
    if (this.running) return;
    const { store } = this.options;
    await this.rules.load();
    const [rows, openAlerts] = await Promise.all([store.listRuleStates(), store.listActiveAlerts()]);
    await this.warmFacts();
    for (const alert of openAlerts) {
      const key = keyOf(alert.siteId, alert.ruleId);
      const other = this.open.get(key);
      // One open alert per site and rule; should the store ever hold two, the older one is closed.
      if (other) this.replaceAlert(clearAlert(other.raisedAt <= alert.raisedAt ? other : alert, this.clock()), 'cleared');
      if (!other || other.raisedAt <= alert.raisedAt) this.open.set(key, alert);
    }
    this.loadStates(rows);
    this.running = true;
    this.watchingSince = this.clock();
    this.reconcile(this.clock(), 'all');
    this.armTimer();
    this.scheduleFlush();
    this.housekeeping = setInterval(() => this.runHousekeeping(), this.tuning.housekeepingIntervalMs);
    this.housekeeping.unref();
    await this.publisher?.start();
    this.log.info(
      {
        rules: this.rules.list().length,
        presets: this.rules.presets.length,
        openAlerts: this.open.size,
        pendingWindows: this.deadlines.size,
      },
      'alert engine started',
    );
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
    clearInterval(this.housekeeping);
    this.housekeeping = undefined;
    this.promoteQuietChanges();
    await this.flush();
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.publisher?.stop();
    this.deadlines.clear();
    this.tracked.clear();
    this.open.clear();
    this.unsaved.clear();
    this.quietAlerts.clear();
    this.quietStates.clear();
    this.facts.clear();
    this.lastUpdatePublished.clear();
    this.log.info('alert engine stopped');
  }

  /** Calls `listener` with every alert change; returns the unsubscribe function. */
  onChange(listener: (change: AlertChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The open alerts now (a snapshot). */
  openAlerts(): Alert[] {
    return [...this.open.values()];
  }

  /**
   * The open alerts, for the notifier's reconciliation after a restart (its AlertChangeSource);
   * `unavailable` while the engine is not running, so nobody mistakes "not started" for "none open".
   */
  async activeAlerts(): Promise<Alert[]> {
    this.requireRunning();
    return this.openAlerts();
  }

  /** Writes pending changes now (resolves when written or failed); REST calls await it. */
  flush(): Promise<void> {
    const next = this.flushChain.then(() => this.flushOnce());
    this.flushChain = next.catch(() => undefined);
    return next;
  }

  // ── inputs ───────────────────────────────────────────────────────────────────────────────────

  readingsAccepted(readings: readonly Reading[]): void {
    if (!this.running) return;
    try {
      const at = this.clock();
      const touched = new Map<string, Site>();
      for (const reading of readings) {
        const site = this.options.sites.get(reading.siteId);
        if (!site) continue;
        const facts = this.factsOf(site);
        const rules = this.rules.ruleSet.indexFor(site);
        for (const [metric, value] of Object.entries(reading.values)) {
          if (!Number.isFinite(value)) continue;
          const known = facts.latest.get(metric);
          const inOrder = known === undefined || reading.ts > known.ts;
          if (inOrder) facts.latest.set(metric, { value, ts: reading.ts });
          const input: EvaluationInput = { type: 'sample', metric, ts: reading.ts, value, inOrder };
          for (const rule of rules.bySampledMetric.get(metric) ?? []) this.apply(site, rule, input, at);
        }
        facts.lastReadingTs = Math.max(facts.lastReadingTs ?? reading.ts, reading.ts);
        // Heard from now, whatever the measurement time: a device backfilling or replaying old
        // readings is online (offline detection is about arrival, not about sample timestamps).
        facts.lastSeen = Math.max(facts.lastSeen ?? at, at);
        touched.set(site.id, site);
      }
      for (const site of touched.values()) this.applyFacts(site, at);
      this.afterEvaluation();
    } catch (error) {
      this.evaluationFailed(error);
    }
  }

  statusAccepted(status: SiteStatusRecord): void {
    if (!this.running) return;
    try {
      const site = this.options.sites.get(status.siteId);
      if (!site) return;
      const facts = this.factsOf(site);
      if (facts.statusTs === undefined || status.ts >= facts.statusTs) {
        facts.status = status.status;
        facts.statusTs = status.ts;
      }
      facts.lastSeen = Math.max(facts.lastSeen ?? status.ts, status.ts);
      this.applyFacts(site, this.clock());
      this.afterEvaluation();
    } catch (error) {
      this.evaluationFailed(error);
    }
  }

  // ── AlertingApi ──────────────────────────────────────────────────────────────────────────────

  async listAlerts(query: AlertQuery): Promise<Alert[]> {
    this.requireRunning();
    const stored = await this.options.store.queryAlerts(query);
    const byId = new Map(stored.map((alert) => [alert.id, alert]));
    for (const alert of [...this.open.values(), ...this.unsaved.values()]) byId.set(alert.id, alert);
    return [...byId.values()]
      .filter((alert) => matches(alert, query))
      .sort((a, b) => b.raisedAt - a.raisedAt || a.id.localeCompare(b.id))
      .slice(0, query.limit);
  }

  async getAlert(id: string): Promise<Alert | undefined> {
    this.requireRunning();
    return this.inMemory(id) ?? (await this.options.store.getAlert(id));
  }

  async acknowledge(id: string, by: string, comment?: string): Promise<Alert> {
    const alert = await this.requireAlert(id);
    const acknowledged = acknowledgeAlert(alert, by, this.clock(), comment);
    this.replaceAlert(acknowledged, 'acknowledged');
    await this.flush();
    this.log.info({ alertId: id, siteId: alert.siteId, ruleId: alert.ruleId, by }, 'alert acknowledged');
    return acknowledged;
  }

  async comment(id: string, by: string, text: string): Promise<Alert> {
    const alert = await this.requireAlert(id);
    const commented = addComment(alert, by, this.clock(), text);
    this.replaceAlert(commented, 'commented');
    await this.flush();
    return commented;
  }

  async listRules(): Promise<RuleRecord[]> {
    this.requireRunning();
    return this.rules.list();
  }

  async createRule(rule: RuleDefinitionInput, by: string): Promise<RuleRecord> {
    this.requireRunning();
    const record = await this.rules.create(rule, by);
    await this.rulesChanged('created', record.rule.id, by);
    return record;
  }

  async updateRule(id: string, rule: RuleDefinitionInput, by: string): Promise<RuleRecord> {
    this.requireRunning();
    const record = await this.rules.update(id, rule, by);
    await this.rulesChanged('updated', id, by);
    return record;
  }

  async deleteRule(id: string, by: string): Promise<void> {
    this.requireRunning();
    await this.rules.remove(id);
    await this.rulesChanged('deleted', id, by);
  }

  async listPresets(): Promise<Preset[]> {
    return [...this.rules.presets];
  }

  // ── evaluation ───────────────────────────────────────────────────────────────────────────────

  private factsOf(site: Site): SiteFacts {
    let facts = this.facts.get(site.id);
    if (!facts) {
      facts = emptyFacts(site.reportingIntervalSec);
      this.facts.set(site.id, facts);
    }
    facts.reportingIntervalMs = site.reportingIntervalSec * 1000;
    return facts;
  }

  /** Facts as offline rules see them before raising: silence counts only from when the engine started listening. */
  private observedFacts(facts: SiteFacts): SiteFacts {
    if (facts.lastSeen === undefined || facts.lastSeen >= this.watchingSince) return facts;
    return { ...facts, lastSeen: this.watchingSince };
  }

  private applyFacts(site: Site, at: number): void {
    const input: EvaluationInput = { type: 'facts' };
    for (const rule of this.rules.ruleSet.indexFor(site).onFacts) this.apply(site, rule, input, at);
  }

  /** Evaluates one input for one rule and acts on the outcome. */
  private apply(site: Site, rule: EffectiveRule, input: EvaluationInput, at: number): void {
    const tracked = this.trackedFor(site.id, rule, at);
    // The start-up grace only delays raising: an alert already open keeps judging by the real facts.
    const known = this.factsOf(site);
    const facts = this.open.has(rule.key) ? known : this.observedFacts(known);
    const result = evaluate(rule.spec, tracked.state, facts, input, at);
    this.settle(site, rule, tracked, result.state, at, result.recheckAt);
  }

  /** The rule's state at the site, created (or reset, when the rule changed) as needed. */
  private trackedFor(siteId: string, rule: EffectiveRule, at: number): Tracked {
    const key = rule.key;
    const existing = this.tracked.get(key);
    if (existing && existing.state.fingerprint === rule.fingerprint) return existing;
    const open = this.open.get(key);
    const level = open ? severityRank(open.severity) : 0;
    const tracked: Tracked = { siteId, ruleId: rule.id, state: initialRuleState(rule.fingerprint, at, level) };
    this.tracked.set(key, tracked);
    this.dirtyStates.add(key);
    this.deletedStates.delete(key);
    return tracked;
  }

  /** Decides the alert level at `at`, moves the alert accordingly and schedules the next look. */
  private settle(site: Site, rule: EffectiveRule, tracked: Tracked, evaluated: RuleState, at: number, recheckAt?: number): void {
    const key = rule.key;
    const level = decideLevel(evaluated.tracker, at, rule);
    const state: RuleState = level === evaluated.tracker.level ? evaluated : { ...evaluated, tracker: withLevel(evaluated.tracker, level) };
    const open = this.open.get(key);
    if (level > 0 || open) this.moveAlert(site, rule, state, level, open, at);
    if (state !== tracked.state) {
      if (mattersForDecisions(tracked.state, state)) this.dirtyStates.add(key);
      else this.quietStates.add(key);
      tracked.state = state;
    }
    const deadline = nextDeadline(state.tracker, rule);
    const next = deadline === undefined ? recheckAt : recheckAt === undefined ? deadline : Math.min(deadline, recheckAt);
    this.deadlines.reschedule(key, next);
  }

  /** Raises, escalates, updates or clears the rule's alert at the site to match `level`. */
  private moveAlert(site: Site, rule: EffectiveRule, state: RuleState, level: number, open: Alert | undefined, at: number): void {
    const reading = alertReading(rule.spec, state, level);
    if (level > 0) {
      const severity = severityOfRank(level);
      if (!open) {
        this.replaceAlert(raiseAlert({ id: this.newId(), siteId: site.id, rule, severity, reading, at }), 'raised');
      } else if (open.severity !== severity) {
        this.replaceAlert(changeSeverity(open, severity, reading, at), 'severity_changed');
      } else {
        const updated = updateValues(open, reading, at);
        // A new worst value is news (published, throttled); a new last value is only recorded.
        if (updated !== open) this.replaceAlert(updated, updated.peakValue !== open.peakValue ? 'updated' : null);
      }
    } else if (open) {
      // The value it cleared at is worth keeping; the threshold stays the one it was raised on.
      const last = reading.value === null ? open : { ...open, lastValue: reading.value };
      this.replaceAlert(clearAlert(last, at), 'cleared');
    }
  }

  /**
   * Records a changed alert and queues it for the store and — unless `change` is null (a new last
   * value only) or an `updated` comes too soon after the previous one — for publishing.
   */
  private replaceAlert(alert: Alert, change: AlertChangeKind | null): void {
    const key = keyOf(alert.siteId, alert.ruleId);
    if (isActiveState(alert.state)) this.open.set(key, alert);
    else if (this.open.get(key)?.id === alert.id) this.open.delete(key);
    if (change === null && isActiveState(alert.state) && !this.unsaved.has(alert.id)) {
      this.quietAlerts.add(alert.id);
      return;
    }
    this.quietAlerts.delete(alert.id);
    this.unsaved.set(alert.id, alert);
    if (change === null) {
      this.scheduleFlush();
      return;
    }
    if (change === 'updated') {
      const last = this.lastUpdatePublished.get(alert.id);
      if (last !== undefined && alert.updatedAt - last < this.tuning.updatePublishIntervalMs) {
        this.scheduleFlush();
        return;
      }
    }
    if (isActiveState(alert.state)) this.lastUpdatePublished.set(alert.id, alert.updatedAt);
    else this.lastUpdatePublished.delete(alert.id);
    this.pendingChanges.push({ change, alert });
    if (change === 'raised' || change === 'cleared' || change === 'severity_changed') {
      this.log.info({ alertId: alert.id, siteId: alert.siteId, ruleId: alert.ruleId, severity: alert.severity, change }, `alert ${change}`);
    }
    this.scheduleFlush();
  }

  private afterEvaluation(): void {
    this.armTimer();
    if (this.dirtyStates.size > 0 || this.deletedStates.size > 0) this.scheduleFlush();
  }

  private evaluationFailed(error: unknown): void {
    this.metrics.errors.inc({ stage: 'evaluate' });
    this.log.error({ err: error }, 'alert evaluation failed');
  }

  // ── timers ───────────────────────────────────────────────────────────────────────────────────

  private armTimer(): void {
    if (!this.running) return;
    const due = this.deadlines.peek();
    if (due === undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = undefined;
      return;
    }
    if (this.timer && this.timerAt !== undefined && this.timerAt <= due) return;
    clearTimeout(this.timer);
    this.timerAt = due;
    this.timer = setTimeout(() => this.onTimer(), Math.min(Math.max(0, due - this.clock()), MAX_TIMER_MS));
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    if (!this.running) return;
    try {
      const at = this.clock();
      for (const key of this.deadlines.takeDue(at)) this.tick(key, at);
    } catch (error) {
      this.evaluationFailed(error);
    }
    this.afterEvaluation();
  }

  private tick(key: string, at: number): void {
    const tracked = this.tracked.get(key);
    if (!tracked) return;
    const site = this.options.sites.get(tracked.siteId);
    const rule = site ? this.rules.ruleSet.indexFor(site).byId.get(tracked.ruleId) : undefined;
    if (!site || !rule) {
      this.forget(tracked.siteId, tracked.ruleId, at);
      return;
    }
    this.apply(site, rule, { type: 'tick' }, at);
  }

  // ── rules and sites changing ─────────────────────────────────────────────────────────────────

  private async rulesChanged(what: string, ruleId: string, by: string): Promise<void> {
    this.log.info({ ruleId, by }, `alert rule ${what}`);
    this.reconcile(this.clock(), 'changed');
    this.afterEvaluation();
    await this.flush();
  }

  /**
   * Brings the tracked state in line with the rule set and the sites: alerts of rules that no longer
   * apply (or of sites that are gone) clear. With `evaluate`, rules are then evaluated against what
   * is known now: `all` at start (every pending window is resumed, overdue ones decided), `changed`
   * after a rule edit (only new or changed rules, which start afresh from the latest values).
   */
  private reconcile(at: number, evaluate: 'all' | 'changed' | 'none'): void {
    const ruleSet = this.rules.ruleSet;
    for (const tracked of [...this.tracked.values()]) this.forgetIfGone(tracked.siteId, tracked.ruleId, ruleSet, at);
    for (const alert of [...this.open.values()]) this.forgetIfGone(alert.siteId, alert.ruleId, ruleSet, at);
    if (evaluate === 'none') return;
    const siteIds = new Set([...this.facts.keys(), ...[...this.tracked.values()].map((tracked) => tracked.siteId)]);
    for (const siteId of siteIds) {
      const site = this.options.sites.get(siteId);
      if (site) this.evaluateSite(site, ruleSet, at, evaluate === 'all');
    }
  }

  private forgetIfGone(siteId: string, ruleId: string, ruleSet: RuleSet, at: number): void {
    const site = this.options.sites.get(siteId);
    if (!site || !ruleSet.indexFor(site).byId.has(ruleId)) this.forget(siteId, ruleId, at);
  }

  /** Evaluates the rules of a site against what is known now: every rule, or only new and changed ones. */
  private evaluateSite(site: Site, ruleSet: RuleSet, at: number, all: boolean): void {
    const facts = this.factsOf(site);
    for (const rule of ruleSet.indexFor(site).all) {
      const existing = this.tracked.get(rule.key);
      const fresh = !existing || existing.state.fingerprint !== rule.fingerprint;
      if (!fresh && !all) continue;
      if (fresh && 'metric' in rule.spec && rule.spec.condition !== 'stale') {
        const latest = facts.latest.get(rule.spec.metric);
        const recent = latest !== undefined && at - latest.ts <= STALE_AFTER_INTERVALS * facts.reportingIntervalMs;
        if (latest && recent) {
          this.apply(site, rule, { type: 'sample', metric: rule.spec.metric, ts: latest.ts, value: latest.value, inOrder: true }, at);
          continue;
        }
      }
      if (rule.spec.condition === 'stale' || rule.spec.condition === 'offline') this.apply(site, rule, { type: 'facts' }, at);
      else this.apply(site, rule, { type: 'tick' }, at);
    }
  }

  /** Stops tracking a rule at a site; its open alert clears. */
  private forget(siteId: string, ruleId: string, at: number): void {
    const key = keyOf(siteId, ruleId);
    const open = this.open.get(key);
    if (open) this.replaceAlert(clearAlert(open, at), 'cleared');
    if (this.tracked.delete(key)) {
      this.dirtyStates.delete(key);
      this.quietStates.delete(key);
      this.deletedStates.set(key, { siteId, ruleId });
    }
    this.deadlines.reschedule(key, undefined);
  }

  private runHousekeeping(): void {
    if (!this.running) return;
    try {
      // Sites removed (through another process too) and rules that stopped applying; no re-evaluation.
      this.reconcile(this.clock(), 'none');
      this.promoteQuietChanges();
      this.afterEvaluation();
      this.scheduleFlush();
    } catch (error) {
      this.evaluationFailed(error);
    }
    const now = this.clock();
    if (now - this.lastPurgeAt < 3_600_000) return;
    this.lastPurgeAt = now;
    this.options.store.purgeClearedBefore(now - this.tuning.retentionDays * DAY_MS).then(
      (purged) => {
        if (purged > 0) this.log.info({ purged }, 'old cleared alerts purged');
      },
      (error: unknown) => this.log.warn({ err: error }, 'purging old alerts failed'),
    );
  }

  // ── persistence ──────────────────────────────────────────────────────────────────────────────

  private async warmFacts(): Promise<void> {
    const source = this.options.facts;
    if (!source) return;
    try {
      const [latest, statuses] = await Promise.all([source.latestValues(), source.listSiteStatuses()]);
      for (const { siteId, values } of latest) {
        const site = this.options.sites.get(siteId);
        if (!site) continue;
        const facts = this.factsOf(site);
        for (const [metric, { value, ts }] of Object.entries(values)) {
          facts.latest.set(metric, { value, ts });
          facts.lastReadingTs = Math.max(facts.lastReadingTs ?? ts, ts);
          facts.lastSeen = Math.max(facts.lastSeen ?? ts, ts);
        }
      }
      for (const status of statuses) {
        const site = this.options.sites.get(status.siteId);
        if (!site) continue;
        const facts = this.factsOf(site);
        facts.status = status.status;
        facts.statusTs = status.ts;
        facts.lastSeen = Math.max(facts.lastSeen ?? status.ts, status.ts);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not load latest values and statuses; alert facts start empty');
    }
  }

  private loadStates(rows: readonly RuleStateRow[]): void {
    let discarded = 0;
    for (const row of rows) {
      const parsed = ruleStateSchema.safeParse(row.state);
      if (!parsed.success) {
        discarded++;
        this.deletedStates.set(keyOf(row.siteId, row.ruleId), { siteId: row.siteId, ruleId: row.ruleId });
        continue;
      }
      this.tracked.set(keyOf(row.siteId, row.ruleId), { siteId: row.siteId, ruleId: row.ruleId, state: parsed.data });
    }
    if (discarded > 0) this.log.warn({ discarded }, 'unreadable alert rule states discarded; those rules start afresh');
  }

  /** Queues the quiet changes (latest values, window progress) for the next write. */
  private promoteQuietChanges(): void {
    for (const key of this.quietStates) if (this.tracked.has(key)) this.dirtyStates.add(key);
    this.quietStates.clear();
    if (this.quietAlerts.size === 0) return;
    for (const alert of this.open.values()) {
      if (this.quietAlerts.has(alert.id) && !this.unsaved.has(alert.id)) this.unsaved.set(alert.id, alert);
    }
    this.quietAlerts.clear();
  }

  private scheduleFlush(): void {
    if (this.flushTimer || !this.running) return;
    const delay =
      this.flushFailures === 0 ? this.tuning.flushDelayMs : Math.min(this.tuning.flushRetryMaxMs, 500 * 2 ** this.flushFailures);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, delay);
    this.flushTimer.unref();
  }

  private async flushOnce(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const alerts = [...this.unsaved.values()];
    const stateKeys = [...this.dirtyStates];
    const deleted = [...this.deletedStates.values()];
    const changes = this.pendingChanges;
    this.pendingChanges = [];
    this.dirtyStates.clear();
    this.deletedStates.clear();
    const now = this.clock();
    const states: RuleStateRow[] = stateKeys.flatMap((key) => {
      const tracked = this.tracked.get(key);
      return tracked ? [{ siteId: tracked.siteId, ruleId: tracked.ruleId, state: tracked.state, updatedAt: now }] : [];
    });
    try {
      await this.options.store.commit({ alerts, states, deletedStates: deleted });
      this.flushFailures = 0;
      for (const alert of alerts) if (this.unsaved.get(alert.id) === alert) this.unsaved.delete(alert.id);
    } catch (error) {
      this.flushFailures++;
      this.metrics.errors.inc({ stage: 'store' });
      this.log.error({ err: error, alerts: alerts.length, states: states.length }, 'could not store alert changes; retrying');
      for (const key of stateKeys) if (this.tracked.has(key)) this.dirtyStates.add(key);
      for (const entry of deleted) {
        const key = keyOf(entry.siteId, entry.ruleId);
        if (!this.tracked.has(key)) this.deletedStates.set(key, entry);
      }
      this.scheduleFlush();
    }
    // Published even when the write failed: an alert that cannot be stored must still reach people.
    for (const change of changes) this.emit(change);
  }

  private emit(change: AlertChange): void {
    this.metrics.changes.inc({ change: change.change });
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.metrics.errors.inc({ stage: 'listener' });
        this.log.error({ err: error, change: change.change, alertId: change.alert.id }, 'alert change listener failed');
      }
    }
    this.publisher?.publish(change);
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────

  private inMemory(id: string): Alert | undefined {
    const unsaved = this.unsaved.get(id);
    if (unsaved) return unsaved;
    for (const alert of this.open.values()) if (alert.id === id) return alert;
    return undefined;
  }

  private async requireAlert(id: string): Promise<Alert> {
    this.requireRunning();
    const found = this.inMemory(id) ?? (await this.options.store.getAlert(id));
    // The store read is asynchronous: the engine may have changed the alert meanwhile.
    const alert = this.inMemory(id) ?? found;
    if (!alert) throw new AppError('not_found', `alert ${id} not found`);
    return alert;
  }

  private requireRunning(): void {
    if (!this.running) throw new AppError('unavailable', 'the alert engine is not running');
  }

  private countActive(): ReadonlyMap<string, number> {
    const counts = new Map<string, number>();
    for (const alert of this.open.values()) counts.set(alert.severity, (counts.get(alert.severity) ?? 0) + 1);
    return counts;
  }
}

/**
 * Whether a new state differs from the old in what decisions depend on (the tracker and its
 * windows, the bands that are on), which is written at once. Progress alone — a new latest value, a
 * sample added to a rate or swing window, one more reading in a stuck run — is written with the
 * housekeeping (every minute) and at stop, which bounds the write load at any reporting rate; a
 * crash loses at most that minute of progress, never a decision.
 */
function mattersForDecisions(before: RuleState, after: RuleState): boolean {
  return (
    before.tracker !== after.tracker ||
    before.fingerprint !== after.fingerprint ||
    before.direction !== after.direction ||
    before.bandsOn.length !== after.bandsOn.length ||
    before.bandsOn.some((key, index) => after.bandsOn[index] !== key)
  );
}

/** Does `alert` pass the query's filters (applied again to in-memory versions)? */
function matches(alert: Alert, query: AlertQuery): boolean {
  if (query.states && query.states.length > 0 && !query.states.includes(alert.state)) return false;
  if (query.severities && query.severities.length > 0 && !query.severities.includes(alert.severity)) return false;
  if (query.siteId !== undefined && alert.siteId !== query.siteId) return false;
  if (query.to !== undefined && alert.raisedAt >= query.to) return false;
  if (query.from !== undefined && alert.clearedAt !== null && alert.clearedAt < query.from) return false;
  return true;
}
