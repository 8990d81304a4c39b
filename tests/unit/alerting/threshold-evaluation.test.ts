/**
 * Threshold rules through the real engine with fake timers: raise-after and clear-after windows
 * (decided by timers, without new readings), hysteresis, severity moving up and down within one
 * alert, both directions in one rule, and flapping suppressed — with a control case showing the
 * same signal does flap when the protections are off.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineHarness, MINUTE, SECOND, T0, thresholdRule, WQ, WQ2 } from './engine-harness.js';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});

let harness: EngineHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  vi.useRealTimers();
});

const doCritical = (extra: Record<string, unknown> = {}) =>
  thresholdRule('do-low', 'do', [['critical', '<', 3.5, 4]], { raiseAfterSec: 300, clearAfterSec: 600, ...extra });

describe('raise-after', () => {
  it('raises once the breach has held for the window, by timer, with no further reading', async () => {
    harness = await EngineHarness.start({ rules: [doCritical()] });
    harness.read(WQ, { do: 3.1 });
    await harness.advance(299 * SECOND);
    expect(harness.open()).toEqual([]);
    await harness.advance(1 * SECOND);
    const [alert] = harness.open();
    expect(alert).toMatchObject({
      siteId: WQ,
      ruleId: 'do-low',
      condition: 'threshold',
      metric: 'do',
      unit: 'mg/L',
      severity: 'critical',
      state: 'ACTIVE_UNACK',
      threshold: 3.5,
      lastValue: 3.1,
      peakValue: 3.1,
      raisedAt: T0 + 300 * SECOND,
    });
    await harness.advance(20);
    expect(harness.kinds()).toEqual(['raised']);
    expect(harness.changes[0]?.alert.id).toBe(alert?.id);
  });

  it('forgets a breach that ends inside the window', async () => {
    harness = await EngineHarness.start({ rules: [doCritical()] });
    harness.read(WQ, { do: 3.1 });
    await harness.advance(200 * SECOND);
    harness.read(WQ, { do: 5.2 });
    await harness.advance(30 * MINUTE);
    expect(harness.open()).toEqual([]);
    expect(harness.changes).toEqual([]);
  });

  it('keeps sites apart', async () => {
    harness = await EngineHarness.start({ rules: [doCritical({ raiseAfterSec: 0 })] });
    harness.read(WQ, { do: 3.0 });
    harness.read(WQ2, { do: 6.0 });
    await harness.advance(20);
    expect(harness.open().map((alert) => alert.siteId)).toEqual([WQ]);
  });
});

describe('clear-after with hysteresis', () => {
  it('stays raised between the raise and clear thresholds and clears only after the recovery held', async () => {
    harness = await EngineHarness.start({ rules: [doCritical({ raiseAfterSec: 0 })] });
    harness.read(WQ, { do: 3.0 });
    await harness.advance(MINUTE);
    harness.read(WQ, { do: 3.8 });
    await harness.advance(30 * MINUTE);
    expect(harness.open()).toHaveLength(1);

    harness.read(WQ, { do: 4.3 });
    await harness.advance(599 * SECOND);
    expect(harness.open()).toHaveLength(1);
    await harness.advance(1 * SECOND);
    expect(harness.open()).toEqual([]);
    await harness.advance(20);
    expect(harness.kinds()).toEqual(['raised', 'cleared']);
    expect(harness.changes[1]?.alert).toMatchObject({ state: 'CLEARED_UNACK', clearedAt: T0 + 31 * MINUTE + 600 * SECOND, lastValue: 4.3 });
  });

  it('restarts the clear window when the value falls back before it ends', async () => {
    harness = await EngineHarness.start({ rules: [doCritical({ raiseAfterSec: 0 })] });
    harness.read(WQ, { do: 3.0 });
    await harness.advance(MINUTE);
    harness.read(WQ, { do: 4.5 });
    await harness.advance(500 * SECOND);
    harness.read(WQ, { do: 3.2 });
    await harness.advance(MINUTE);
    harness.read(WQ, { do: 4.5 });
    await harness.advance(599 * SECOND);
    expect(harness.open()).toHaveLength(1);
    await harness.advance(1 * SECOND);
    expect(harness.open()).toEqual([]);
  });
});

describe('severity moves up and down within one alert', () => {
  const bands = thresholdRule(
    'do-bands',
    'do',
    [
      ['warning', '<', 5],
      ['major', '<', 4],
      ['critical', '<', 3.5],
    ],
    { raiseAfterSec: 60, clearAfterSec: 120 },
  );

  it('escalates, de-escalates and clears the same alert, keeping the worst value', async () => {
    harness = await EngineHarness.start({ rules: [bands] });
    harness.read(WQ, { do: 4.8 });
    await harness.advance(MINUTE);
    expect(harness.open()[0]).toMatchObject({ severity: 'warning', threshold: 5 });

    harness.read(WQ, { do: 3.2 });
    await harness.advance(MINUTE);
    expect(harness.open()[0]).toMatchObject({ severity: 'critical', threshold: 3.5, peakValue: 3.2 });

    harness.read(WQ, { do: 4.5 });
    await harness.advance(119 * SECOND);
    expect(harness.open()[0]?.severity).toBe('critical');
    await harness.advance(1 * SECOND);
    expect(harness.open()[0]).toMatchObject({ severity: 'warning', threshold: 5, peakValue: 3.2, lastValue: 4.5 });

    harness.read(WQ, { do: 5.6 });
    await harness.advance(2 * MINUTE);
    await harness.advance(20);
    expect(harness.open()).toEqual([]);
    expect(harness.kinds()).toEqual(['raised', 'severity_changed', 'severity_changed', 'cleared']);
    expect(new Set(harness.changes.map((change) => change.alert.id)).size).toBe(1);
    expect(harness.changes.map((change) => change.alert.severity)).toEqual(['warning', 'critical', 'warning', 'warning']);
  });

  it('does not escalate for a dip shorter than the raise-after window', async () => {
    harness = await EngineHarness.start({ rules: [bands] });
    harness.read(WQ, { do: 4.8 });
    await harness.advance(MINUTE);
    harness.read(WQ, { do: 3.2 });
    await harness.advance(30 * SECOND);
    harness.read(WQ, { do: 4.7 });
    await harness.advance(10 * MINUTE);
    expect(harness.open()[0]).toMatchObject({ severity: 'warning', peakValue: 3.2 });
    expect(harness.count('severity_changed')).toBe(0);
  });

  it('raises at the highest severity that held for the window, not at a momentary one', async () => {
    harness = await EngineHarness.start({ rules: [bands] });
    harness.read(WQ, { do: 4.5 });
    await harness.advance(50 * SECOND);
    harness.read(WQ, { do: 3.0 });
    await harness.advance(10 * SECOND);
    expect(harness.open()[0]?.severity).toBe('warning');
    await harness.advance(50 * SECOND);
    expect(harness.open()[0]?.severity).toBe('critical');
  });
});

describe('both directions in one rule', () => {
  it('raises above and below with the matching threshold', async () => {
    const ph = thresholdRule(
      'ph-range',
      'ph',
      [
        ['critical', '<', 7],
        ['critical', '>', 9],
        ['warning', '<', 7.5],
        ['warning', '>', 8.5],
      ],
      { hysteresis: 0.1 },
    );
    harness = await EngineHarness.start({ rules: [ph] });
    harness.read(WQ, { ph: 9.4 });
    harness.read(WQ2, { ph: 7.3 });
    await harness.advance(20);
    const bySite = Object.fromEntries(harness.open().map((alert) => [alert.siteId, alert]));
    expect(bySite[WQ]).toMatchObject({ severity: 'critical', threshold: 9, lastValue: 9.4 });
    expect(bySite[WQ2]).toMatchObject({ severity: 'warning', threshold: 7.5 });
    harness.read(WQ, { ph: 9.6 });
    harness.read(WQ2, { ph: 7.1 });
    expect(harness.open().find((alert) => alert.siteId === WQ)?.peakValue).toBe(9.6);
    expect(harness.open().find((alert) => alert.siteId === WQ2)?.peakValue).toBe(7.1);
  });
});

describe('flapping', () => {
  /** DO around the 3.5 mg/L threshold: 3.4, 3.6, 3.4, 3.6 … every minute for two hours. */
  const oscillate = (i: number) => (i % 2 === 0 ? 3.4 : 3.6);

  it('a value oscillating around the threshold produces one alert (hysteresis)', async () => {
    harness = await EngineHarness.start({ rules: [doCritical({ raiseAfterSec: 120, clearAfterSec: 0 })] });
    await harness.series(WQ, 'do', 120, MINUTE, oscillate);
    await harness.advance(20);
    expect(harness.count('raised')).toBe(1);
    expect(harness.count('cleared')).toBe(0);
  });

  it('a value oscillating around the threshold produces one alert (clear-after, no hysteresis)', async () => {
    const rule = thresholdRule('do-low', 'do', [['critical', '<', 3.5]], { raiseAfterSec: 0, clearAfterSec: 300 });
    harness = await EngineHarness.start({ rules: [rule] });
    await harness.series(WQ, 'do', 120, MINUTE, oscillate);
    await harness.advance(20);
    expect(harness.count('raised')).toBe(1);
    expect(harness.count('cleared')).toBe(0);
  });

  it('control: without hysteresis and windows the same signal flaps', async () => {
    const rule = thresholdRule('do-low', 'do', [['critical', '<', 3.5]]);
    harness = await EngineHarness.start({ rules: [rule] });
    await harness.series(WQ, 'do', 120, MINUTE, oscillate);
    await harness.advance(20);
    expect(harness.count('raised')).toBe(60);
  });
});

describe('updates while active', () => {
  it('publishes new worst values at most once per update interval, but keeps the record current', async () => {
    harness = await EngineHarness.start({
      rules: [doCritical({ raiseAfterSec: 0 })],
      tuning: { updatePublishIntervalMs: 10 * MINUTE },
    });
    await harness.series(WQ, 'do', 30, MINUTE, (i) => 3.4 - i * 0.05);
    await harness.advance(20);
    expect(harness.count('raised')).toBe(1);
    expect(harness.count('updated')).toBe(2);
    expect(harness.open()[0]?.lastValue).toBeCloseTo(3.4 - 29 * 0.05, 6);
    const stored = await harness.engine.getAlert(harness.open()[0]?.id ?? '');
    expect(stored?.peakValue).toBeCloseTo(3.4 - 29 * 0.05, 6);
  });

  it('ignores a reading older than the latest one known (backfill after live data)', async () => {
    harness = await EngineHarness.start({ rules: [doCritical({ raiseAfterSec: 0 })] });
    harness.read(WQ, { do: 6 });
    harness.read(WQ, { do: 2 }, -10 * MINUTE);
    await harness.advance(20);
    expect(harness.open()).toEqual([]);
  });
});
