/**
 * Drives a real AlertEngine in-process with vitest fake timers (which also fake Date.now, the
 * engine's default clock) and an in-memory store: feed readings and statuses, advance time, look at
 * the changes it published and the alerts it holds.
 */
import { Registry } from 'prom-client';
import { vi } from 'vitest';
import { AlertEngine, type AlertEngineOptions, type AlertEngineTuning } from '../../../alerting/alert-engine.js';
import type { RuleSeeds } from '../../../alerting/rules/rule-seeds.js';
import { type Preset, presetSchema, type RuleDefinitionInput, ruleDefinitionSchema } from '../../../common/alert-rules.js';
import type { Alert, AlertChange, AlertChangeKind } from '../../../common/alerts.js';
import type { DeviceStatus, Site } from '../../../common/sites.js';
import { silentLogger } from '../../../platform/logger.js';
import { SiteCatalog } from '../../../platform/seeds.js';
import { MemoryAlertStore } from './memory-alert-store.js';

/** 2026-03-01T00:00:00Z: the fake clock's start. */
export const T0 = Date.UTC(2026, 2, 1);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

export function testSite(id: string, kind: Site['kind'], reportingIntervalSec = 60): Site {
  return {
    id,
    name: id,
    kind,
    lat: 10,
    lon: 105,
    province: { former: 'Kiên Giang', current: 'An Giang' },
    reportingIntervalSec,
    ...(kind === 'camera' ? { snapshotUrl: `http://127.0.0.1/${id}.jpg` } : {}),
  };
}

export const WQ = 'KG-WQ-01';
export const WQ2 = 'KG-WQ-02';
export const SAL = 'KG-SAL-01';
export const CAM = 'KG-CAM-01';
export const SITES = [testSite(WQ, 'water-quality'), testSite(WQ2, 'water-quality'), testSite(SAL, 'salinity'), testSite(CAM, 'camera')];

export interface HarnessOptions {
  readonly rules: readonly RuleDefinitionInput[];
  readonly presets?: readonly unknown[];
  readonly store?: MemoryAlertStore;
  readonly sites?: readonly Site[];
  /** Overrides `sites`: a lookup the test can change (sites registered or removed). */
  readonly lookup?: AlertEngineOptions['sites'];
  readonly tuning?: Partial<AlertEngineTuning>;
  /** What the engine warms its site facts from (the store's latest values and statuses). */
  readonly facts?: AlertEngineOptions['facts'];
}

export class EngineHarness {
  readonly changes: AlertChange[] = [];
  private constructor(
    readonly engine: AlertEngine,
    readonly store: MemoryAlertStore,
  ) {
    engine.onChange((change) => this.changes.push(change));
  }

  /** Starts an engine (fake timers must already be installed). */
  static async start(options: HarnessOptions): Promise<EngineHarness> {
    const store = options.store ?? new MemoryAlertStore();
    const seeds: RuleSeeds = {
      rules: options.rules.map((rule) => ruleDefinitionSchema.parse(rule)),
      presets: (options.presets ?? []).map((preset): Preset => presetSchema.parse(preset)),
    };
    const engine = new AlertEngine({
      store,
      sites: options.lookup ?? new SiteCatalog(options.sites ?? SITES),
      seeds,
      logger: silentLogger(),
      metrics: new Registry(),
      tuning: { flushDelayMs: 10, ...options.tuning },
      ...(options.facts ? { facts: options.facts } : {}),
    });
    await engine.start();
    return new EngineHarness(engine, store);
  }

  /** One reading measured now (plus `offsetMs`). */
  read(siteId: string, values: Record<string, number>, offsetMs = 0): void {
    this.engine.readingsAccepted([{ siteId, ts: Date.now() + offsetMs, values }]);
  }

  status(siteId: string, status: DeviceStatus): void {
    this.engine.statusAccepted({ siteId, status, ts: Date.now() });
  }

  /** Advances fake time, running timers and the promises they start. */
  async advance(ms: number): Promise<void> {
    await vi.advanceTimersByTimeAsync(ms);
  }

  /** Feeds `value(i)` every `stepMs` for `count` steps (reading first, then time passes). */
  async series(siteId: string, metric: string, count: number, stepMs: number, value: (i: number) => number): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.read(siteId, { [metric]: value(i) });
      await this.advance(stepMs);
    }
  }

  open(ruleId?: string): Alert[] {
    return this.engine.openAlerts().filter((alert) => ruleId === undefined || alert.ruleId === ruleId);
  }

  kinds(): AlertChangeKind[] {
    return this.changes.map((change) => change.change);
  }

  count(kind: AlertChangeKind): number {
    return this.changes.filter((change) => change.change === kind).length;
  }

  async stop(): Promise<void> {
    await this.engine.stop();
  }
}

/** A threshold rule on one metric for one kind; bands as `[severity, op, value, clear?]`. */
export function thresholdRule(
  id: string,
  metric: string,
  bands: readonly (readonly [string, string, number, number?])[],
  extra: Record<string, unknown> = {},
): RuleDefinitionInput {
  return {
    id,
    name: { vi: id, en: id },
    condition: 'threshold',
    metric,
    scope: { kind: 'water-quality' },
    bands: bands.map(([severity, op, value, clear]) => ({ severity, op, value, ...(clear === undefined ? {} : { clear }) })),
    ...extra,
  } as RuleDefinitionInput;
}
