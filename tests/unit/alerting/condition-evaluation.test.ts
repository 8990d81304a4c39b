/**
 * Rate, swing, stale, stuck and offline rules through the real engine with fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RuleDefinitionInput } from '../../../common/alert-rules.js';
import { CAM, EngineHarness, HOUR, MINUTE, SAL, SECOND, T0, WQ } from './engine-harness.js';
import { MemoryAlertStore } from './memory-alert-store.js';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});

let harness: EngineHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  vi.useRealTimers();
});

const rule = (definition: Record<string, unknown>): RuleDefinitionInput =>
  ({ name: { vi: String(definition.id), en: String(definition.id) }, ...definition }) as RuleDefinitionInput;

describe('rate', () => {
  const salinityRising = rule({
    id: 'salinity-rising',
    condition: 'rate',
    metric: 'salinity',
    scope: { kind: 'salinity' },
    windowSec: 3600,
    bands: [
      { severity: 'warning', op: '>', value: 0.5, clear: 0.3 },
      { severity: 'major', op: '>', value: 2 },
    ],
  });

  it('raises when salinity rises faster than the band, reporting the rate in ‰/h', async () => {
    harness = await EngineHarness.start({ rules: [salinityRising] });
    // +1 ‰ per hour, one reading a minute, for 70 minutes.
    await harness.series(SAL, 'salinity', 70, MINUTE, (i) => 2 + i / 60);
    const [alert] = harness.open();
    expect(alert).toMatchObject({ condition: 'rate', severity: 'warning', unit: '‰/h', threshold: 0.5 });
    expect(alert?.lastValue).toBeCloseTo(1, 1);
  });

  it('stays quiet for a steady or slowly rising value and before half a window of data', async () => {
    harness = await EngineHarness.start({ rules: [salinityRising] });
    await harness.series(SAL, 'salinity', 90, MINUTE, (i) => 2 + (i % 2) * 0.05 + i * 0.002);
    expect(harness.open()).toEqual([]);
    await harness.stop();

    harness = await EngineHarness.start({ rules: [salinityRising] });
    // Fast (+6 ‰/h) but only for 25 minutes: not enough data for a rate over an hour.
    await harness.series(SAL, 'salinity', 25, MINUTE, (i) => 2 + i / 10);
    expect(harness.open()).toEqual([]);
  });
});

describe('swing', () => {
  const phSwing = rule({
    id: 'ph-swing',
    condition: 'swing',
    metric: 'ph',
    scope: { kind: 'water-quality' },
    windowSec: 86_400,
    bands: [{ severity: 'warning', op: '>', value: 0.5 }],
  });
  /** pH following a daily sine of the given amplitude around 7.9, one reading every 10 minutes. */
  const daily = (amplitude: number) => (i: number) => 7.9 + amplitude * Math.sin((2 * Math.PI * i) / 144);

  it('raises when max − min over the day exceeds 0.5 and reports the swing', async () => {
    harness = await EngineHarness.start({ rules: [phSwing] });
    await harness.series(WQ, 'ph', 144, 10 * MINUTE, daily(0.4));
    const [alert] = harness.open();
    expect(alert).toMatchObject({ condition: 'swing', severity: 'warning', threshold: 0.5, unit: '' });
    expect(alert?.peakValue).toBeCloseTo(0.8, 2);
  });

  it('stays quiet for a normal daily cycle', async () => {
    harness = await EngineHarness.start({ rules: [phSwing] });
    await harness.series(WQ, 'ph', 288, 10 * MINUTE, daily(0.2));
    expect(harness.open()).toEqual([]);
  });

  it('clears once the big swing has left the window', async () => {
    harness = await EngineHarness.start({ rules: [phSwing] });
    harness.read(WQ, { ph: 7.2 });
    await harness.advance(10 * MINUTE);
    harness.read(WQ, { ph: 8.1 });
    await harness.advance(20);
    expect(harness.open()).toHaveLength(1);
    await harness.series(WQ, 'ph', 160, 10 * MINUTE, () => 8.0);
    expect(harness.open()).toEqual([]);
  });
});

describe('stale (per metric)', () => {
  const doStale = rule({ id: 'do-stale', condition: 'stale', metric: 'do', scope: { kind: 'water-quality' }, afterIntervals: 3 });

  it('raises when the site keeps reporting but one metric stops, and clears when it returns', async () => {
    harness = await EngineHarness.start({ rules: [doStale] });
    harness.read(WQ, { do: 5, ph: 7.9 });
    await harness.advance(MINUTE);
    await harness.series(WQ, 'ph', 3, MINUTE, () => 7.9);
    expect(harness.open()).toEqual([]);
    harness.read(WQ, { ph: 7.9 });
    expect(harness.open()[0]).toMatchObject({ condition: 'stale', metric: 'do', severity: 'minor', lastValue: null });
    harness.read(WQ, { do: 5.1, ph: 7.9 });
    expect(harness.open()).toEqual([]);
  });

  it('does not fire when the whole station is silent (that is the offline rule’s job)', async () => {
    harness = await EngineHarness.start({ rules: [doStale] });
    harness.read(WQ, { do: 5, ph: 7.9 });
    await harness.advance(6 * HOUR);
    expect(harness.open()).toEqual([]);
  });
});

describe('stuck', () => {
  const doStuck = rule({ id: 'do-stuck', condition: 'stuck', metric: 'do', scope: { kind: 'water-quality' }, count: 5 });

  it('raises on the Nth identical value in a row and clears on a different one', async () => {
    harness = await EngineHarness.start({ rules: [doStuck] });
    await harness.series(WQ, 'do', 4, MINUTE, () => 5.21);
    expect(harness.open()).toEqual([]);
    harness.read(WQ, { do: 5.21 });
    expect(harness.open()[0]).toMatchObject({ condition: 'stuck', severity: 'minor', lastValue: 5.21 });
    await harness.advance(MINUTE);
    harness.read(WQ, { do: 5.23 });
    expect(harness.open()).toEqual([]);
  });

  it('does not count a value that keeps changing', async () => {
    harness = await EngineHarness.start({ rules: [doStuck] });
    await harness.series(WQ, 'do', 50, MINUTE, (i) => 5 + (i % 3) * 0.01);
    expect(harness.open()).toEqual([]);
  });

  it('treats values within the tolerance as the same', async () => {
    harness = await EngineHarness.start({ rules: [{ ...doStuck, tolerance: 0.02 } as RuleDefinitionInput] });
    await harness.series(WQ, 'do', 5, MINUTE, (i) => 5 + (i % 2) * 0.01);
    expect(harness.open()).toHaveLength(1);
  });
});

describe('offline', () => {
  const cameraOffline = rule({
    id: 'camera-offline',
    condition: 'offline',
    scope: { kind: 'camera' },
    afterIntervals: 3,
    clearAfterSec: 0,
  });

  it('raises at once on an offline status (Last Will) and clears when the device is back', async () => {
    harness = await EngineHarness.start({ rules: [cameraOffline] });
    harness.status(CAM, 'online');
    expect(harness.open()).toEqual([]);
    await harness.advance(30 * SECOND);
    harness.status(CAM, 'offline');
    expect(harness.open()[0]).toMatchObject({ condition: 'offline', metric: null, severity: 'major', siteId: CAM });
    await harness.advance(30 * SECOND);
    harness.status(CAM, 'online');
    expect(harness.open()).toEqual([]);
  });

  it('raises after 3 intervals of silence, by timer, and clears on the next message', async () => {
    harness = await EngineHarness.start({ rules: [cameraOffline] });
    harness.status(CAM, 'online');
    await harness.advance(3 * MINUTE);
    expect(harness.open()).toEqual([]);
    await harness.advance(1 * SECOND);
    expect(harness.open()).toHaveLength(1);
    harness.status(CAM, 'online');
    expect(harness.open()).toEqual([]);
  });

  it('keeps an inactivity alert across a restart, and gives silent devices a grace period after start', async () => {
    const store = new MemoryAlertStore();
    harness = await EngineHarness.start({ rules: [cameraOffline], store });
    harness.status(CAM, 'online');
    const lastHeard = Date.now();
    await harness.advance(3 * MINUTE + SECOND);
    expect(harness.open()).toHaveLength(1);
    await harness.stop();

    const facts = {
      latestValues: async () => [],
      listSiteStatuses: async () => [{ siteId: CAM, status: 'online' as const, ts: lastHeard }],
    };
    harness = await EngineHarness.start({ rules: [cameraOffline], store, facts });
    await harness.advance(10 * MINUTE);
    expect(harness.open()).toHaveLength(1);
    expect(harness.count('cleared')).toBe(0);
    harness.status(CAM, 'online');
    expect(harness.open()).toEqual([]);
    await harness.stop();

    harness = await EngineHarness.start({ rules: [cameraOffline], store: new MemoryAlertStore(), facts });
    await harness.advance(3 * MINUTE);
    expect(harness.open()).toEqual([]);
    await harness.advance(2 * SECOND);
    expect(harness.open()).toHaveLength(1);
  });

  it('counts a device replaying old readings as heard from now, not silent since their timestamps', async () => {
    const wqOffline = rule({ id: 'wq-offline', condition: 'offline', scope: { kind: 'water-quality' }, afterIntervals: 3 });
    harness = await EngineHarness.start({ rules: [wqOffline] });
    await harness.advance(HOUR);
    for (let i = 0; i < 5; i++) {
      harness.read(WQ, { do: 5 }, -16 * HOUR + i * 5 * MINUTE);
      await harness.advance(30 * SECOND);
    }
    expect(harness.open()).toEqual([]);
    await harness.advance(3 * MINUTE);
    expect(harness.open()).toHaveLength(1);
  });

  it('stays quiet during maintenance', async () => {
    harness = await EngineHarness.start({ rules: [cameraOffline] });
    harness.status(CAM, 'maintenance');
    await harness.advance(HOUR);
    expect(harness.open()).toEqual([]);
  });

  it('is separate from staleness: a station online with one dead probe gets a stale alert only', async () => {
    const wqOffline = rule({ id: 'wq-offline', condition: 'offline', scope: { kind: 'water-quality' } });
    const doStale = rule({ id: 'do-stale', condition: 'stale', metric: 'do', scope: { kind: 'water-quality' } });
    harness = await EngineHarness.start({ rules: [wqOffline, doStale] });
    harness.read(WQ, { do: 5, ph: 7.9 });
    await harness.series(WQ, 'ph', 10, MINUTE, () => 7.9);
    expect(harness.open().map((alert) => alert.ruleId)).toEqual(['do-stale']);
  });
});
