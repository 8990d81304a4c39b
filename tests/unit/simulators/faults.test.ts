/**
 * Fault models: each changes a reading (or what a device sends) the way the domain notes describe,
 * and every malformed payload is refused by ingest's real decoder with exactly the reason it is
 * named after.
 */
import { describe, expect, it } from 'vitest';
import { METRICS, type MetricId, type MetricValues } from '../../../common/metrics.js';
import { decodeTelemetry } from '../../../ingest/decode/telemetry.js';
import { AppError } from '../../../platform/errors.js';
import { parseFaultOption } from '../../../simulators/faults/fault-option.js';
import { type FaultSpecInput, faultSpecSchema, MALFORMED_KINDS, type ScheduledFault } from '../../../simulators/faults/fault-spec.js';
import { malformedTelemetry } from '../../../simulators/faults/malformed-payloads.js';
import { CALIBRATION_STANDARDS, createValueFault, lastCleaning, type ValueFault } from '../../../simulators/faults/value-faults.js';
import { MS_PER_DAY, MS_PER_HOUR } from '../../../simulators/models/time.js';
import { mulberry32 } from '../../../simulators/random.js';

const START = Date.UTC(2026, 2, 1, 17); // 2 March 2026 00:00 UTC+7
const READING: MetricValues = {
  temperature: 29.4,
  ph: 7.81,
  do: 5.2,
  salinity: 12.5,
  conductivity: 19_531,
  turbidity: 42.5,
  tss: 59.5,
  cod: 18,
  nh4: 0.4,
};

function scheduled(input: FaultSpecInput, startMs = START, endMs = Number.POSITIVE_INFINITY): ScheduledFault {
  return { fault: faultSpecSchema.parse(input), startMs, endMs, runStartMs: START };
}

function valueFault(input: FaultSpecInput, startMs = START, endMs = Number.POSITIVE_INFINITY): ValueFault {
  const fault = createValueFault(scheduled(input, startMs, endMs));
  if (!fault) throw new Error(`${input.type} is not a value fault`);
  return fault;
}

const apply = (
  fault: ValueFault,
  tMs: number,
  values: MetricValues = READING,
  extra: { previous?: MetricValues; tideLevel?: number } = {},
) => fault.apply({ tMs, values, previous: extra.previous, rng: mulberry32(3), tideLevel: extra.tideLevel });

function expectInRange(values: MetricValues): void {
  for (const [metric, value] of Object.entries(values) as [MetricId, number][]) {
    expect(value, metric).toBeGreaterThanOrEqual(METRICS[metric].min);
    expect(value, metric).toBeLessThanOrEqual(METRICS[metric].max);
  }
}

describe('fouling', () => {
  it('drifts DO and conductivity down and turbidity up with time since cleaning, and snaps back at each cleaning', () => {
    const fault = valueFault({ type: 'fouling', ratePerDay: 0.2, cleanAt: ['36h'] });
    const atStart = apply(fault, START);
    expect(atStart.do).toBe(READING.do);
    const dayLater = apply(fault, START + MS_PER_DAY);
    expect(dayLater.do).toBeCloseTo((READING.do ?? 0) * 0.8, 2);
    expect(dayLater.conductivity).toBeCloseTo((READING.conductivity ?? 0) * 0.8, -1);
    expect(dayLater.turbidity).toBeCloseTo((READING.turbidity ?? 0) * 1.2, 1);
    expect(dayLater.ph).toBe(READING.ph);
    const beforeCleaning = apply(fault, START + 36 * MS_PER_HOUR - 1);
    const afterCleaning = apply(fault, START + 36 * MS_PER_HOUR);
    expect(beforeCleaning.do).toBeLessThan((READING.do ?? 0) * 0.75);
    expect(afterCleaning.do).toBe(READING.do);
    expect(apply(fault, START + 60 * MS_PER_HOUR).do).toBeCloseTo((READING.do ?? 0) * 0.8, 2);
  });

  it('is cleaned every `cleanEvery`, and never drifts more than 80 %', () => {
    const fault = scheduled({ type: 'fouling', cleanEvery: '7d' });
    if (fault.fault.type !== 'fouling') throw new Error('fouling expected');
    expect(lastCleaning(fault.fault, fault, START + 10 * MS_PER_DAY)).toBe(START + 7 * MS_PER_DAY);
    const fast = valueFault({ type: 'fouling', ratePerDay: 1 });
    expect(apply(fast, START + 30 * MS_PER_DAY).do).toBeCloseTo((READING.do ?? 0) * 0.2, 2);
  });
});

describe('stuck, spikes, negative values', () => {
  it('a stuck sensor repeats the value it sent before the fault, exactly, for its metrics only', () => {
    const fault = valueFault({ type: 'stuck', metrics: ['ph'] });
    const previous = { ...READING, ph: 7.55 };
    for (let i = 0; i < 5; i++) {
      const out = apply(fault, START + i * 300_000, { ...READING, ph: 7.6 + i / 100, do: 5 + i }, { previous });
      expect(out.ph).toBe(7.55);
      expect(out.do).toBe(5 + i);
    }
  });

  it('spikes stay inside the physical range (plausible but wrong); negative values leave it on purpose', () => {
    const spikes = valueFault({ type: 'spikes', probability: 1, factor: 50 });
    const rng = mulberry32(1);
    let changed = 0;
    for (let i = 0; i < 200; i++) {
      const out = spikes.apply({ tMs: START, values: READING, previous: undefined, rng, tideLevel: 0 });
      expectInRange(out);
      if (JSON.stringify(out) !== JSON.stringify(READING)) changed++;
    }
    expect(changed).toBe(200);
    const negative = valueFault({ type: 'negative', metrics: ['turbidity', 'salinity'], probability: 1 });
    const out = apply(negative, START);
    expect(out.turbidity).toBeLessThan(0);
    expect(out.salinity).toBeLessThan(0);
    expect(out.do).toBe(READING.do);
  });

  it('fire with about their probability', () => {
    const negative = valueFault({ type: 'negative', probability: 0.25 });
    const rng = mulberry32(9);
    let hits = 0;
    for (let i = 0; i < 2000; i++) {
      if ((negative.apply({ tMs: START, values: READING, previous: undefined, rng, tideLevel: 0 }).turbidity ?? 0) < 0) hits++;
    }
    expect(hits / 2000).toBeGreaterThan(0.2);
    expect(hits / 2000).toBeLessThan(0.3);
  });
});

describe('calibration and out of water', () => {
  it('calibration reads the standard solutions in turn: pH 7 → 4 → 10, 1413 then 12,880 µS/cm, zero then saturated DO', () => {
    const hour = MS_PER_HOUR;
    const fault = valueFault({ type: 'calibration' }, START, START + 3 * hour);
    const first = apply(fault, START + 0.1 * hour);
    const second = apply(fault, START + 1.5 * hour);
    const third = apply(fault, START + 2.9 * hour);
    expect(first.ph).toBeCloseTo(CALIBRATION_STANDARDS.ph[0], 1);
    expect(second.ph).toBeCloseTo(CALIBRATION_STANDARDS.ph[1], 1);
    expect(third.ph).toBeCloseTo(CALIBRATION_STANDARDS.ph[2], 1);
    expect(first.conductivity).toBe(1413);
    expect(third.conductivity).toBe(12_880);
    expect(first.do).toBeLessThan(0.1);
    expect(third.do).toBeCloseTo(8.26, 1);
    expect(first.cod).toBeUndefined();
    expectInRange(first);
  });

  it('a probe out of water reads EC ≈ 0 and no salt, only while the tide is below the threshold', () => {
    const fault = valueFault({ type: 'out-of-water', belowTide: -0.5 });
    const dry = apply(fault, START, READING, { tideLevel: -0.8 });
    expect(dry.conductivity).toBeLessThan(5);
    expect(dry.salinity).toBe(0);
    expect(dry.turbidity).toBeLessThan(1);
    expectInRange(dry);
    expect(apply(fault, START, READING, { tideLevel: 0.2 })).toEqual(READING);
  });
});

describe('malformed payloads', () => {
  it.each(MALFORMED_KINDS)('%s is refused by ingest with exactly that reason', (kind) => {
    const tMs = Date.now() - 60_000;
    const body = malformedTelemetry(kind, tMs, READING, 'KG-WQ-01');
    const decoded = decodeTelemetry(Buffer.from(body), {
      siteId: 'KG-WQ-01',
      receivedAt: Date.now(),
      oldestAcceptedTs: Date.now() - 90 * MS_PER_DAY,
    });
    expect(decoded.readings).toEqual([]);
    expect(new Set(decoded.rejections.map((r) => r.reason))).toEqual(new Set([kind]));
  });

  it('the well-formed reading they are built from is accepted', () => {
    const tMs = Date.now() - 60_000;
    const decoded = decodeTelemetry(Buffer.from(JSON.stringify({ ts: tMs, values: READING })), {
      siteId: 'KG-WQ-01',
      receivedAt: Date.now(),
      oldestAcceptedTs: Date.now() - 90 * MS_PER_DAY,
    });
    expect(decoded.rejections).toEqual([]);
    expect(decoded.readings).toHaveLength(1);
  });
});

describe('fault specs and --fault', () => {
  it('fills defaults and refuses bad parameters', () => {
    expect(faultSpecSchema.parse({ type: 'gap' })).toEqual({ type: 'gap', backfill: true, disconnect: true });
    expect(faultSpecSchema.parse({ type: 'malformed' })).toMatchObject({ probability: 1, payloads: [...MALFORMED_KINDS] });
    expect(faultSpecSchema.safeParse({ type: 'battery-sag', cutoffV: 12, recoverV: 11 }).success).toBe(false);
    expect(faultSpecSchema.safeParse({ type: 'stuck', metrics: ['oxygen'] }).success).toBe(false);
    expect(faultSpecSchema.safeParse({ type: 'melt' }).success).toBe(false);
    expect(faultSpecSchema.safeParse({ type: 'offline', extra: 1 }).success).toBe(false);
  });

  it('parses site, type, parameters, lists and timing', () => {
    expect(parseFaultOption('KG-WQ-01=stuck,metrics=ph+do,at=10m,for=1h')).toEqual({
      siteId: 'KG-WQ-01',
      fault: { type: 'stuck', metrics: ['ph', 'do'] },
      atMs: 600_000,
      forMs: 3_600_000,
    });
    expect(parseFaultOption('KG-SAL-02=out-of-water,belowTide=-0.5')).toMatchObject({
      fault: { belowTide: -0.5 },
      atMs: 0,
      forMs: undefined,
    });
    expect(parseFaultOption('KG-SAL-01=gap,backfill=false').fault).toEqual({ type: 'gap', backfill: false, disconnect: true });
  });

  it.each([
    'KG-WQ-01',
    'kg-wq-01=offline',
    'KG-WQ-01=melt',
    'KG-WQ-01=stuck,metrics',
    'KG-WQ-01=offline,at=soon',
    'KG-WQ-01=spikes,probability=2',
  ])('refuses %s with a bad_request naming it', (spec) => {
    expect(() => parseFaultOption(spec)).toThrow(AppError);
    try {
      parseFaultOption(spec);
    } catch (error) {
      expect((error as AppError).code).toBe('bad_request');
      expect((error as Error).message).toContain(spec);
    }
  });
});
