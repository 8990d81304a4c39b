/**
 * The device faults a simulator can inject, as data: the same objects come from a scenario file
 * (seeds/scenarios/*.json), from `npm run sim -- --fault`, and from code
 * (`DemoSimulator.injectFault`). Each is validated with zod; every parameter has a default that
 * reproduces the failure as the domain notes (§6) describe it.
 */
import { z } from 'zod';
import { METRIC_IDS, type MetricId } from '../../common/metrics.js';
import { durationSchema } from '../clock/duration.js';

/** Malformed telemetry a device can send, each named after the ingest rejection reason it must cause. */
export const MALFORMED_KINDS = [
  'malformed_json',
  'invalid_payload',
  'unknown_metric',
  'wrong_type',
  'out_of_range',
  'unit_mismatch',
  'timestamp_in_future',
  'timestamp_too_old',
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/** Metrics a fouled probe misreads, and which way: biofilm starves the DO and EC cells and clouds the optics. */
export const FOULING_DIRECTION = { do: -1, conductivity: -1, salinity: -1, turbidity: 1, tss: 1 } as const satisfies Partial<
  Record<MetricId, -1 | 1>
>;
export type FoulableMetric = keyof typeof FOULING_DIRECTION;
const FOULABLE_METRICS = Object.keys(FOULING_DIRECTION) as [FoulableMetric, ...FoulableMetric[]];

const metricList = z.array(z.enum(METRIC_IDS)).min(1);
const probability = z.number().min(0).max(1);

/**
 * Biofouling: the readings of `metrics` drift by `ratePerDay` (fraction of the value per day,
 * down for DO and conductivity, up for turbidity) until the probe is cleaned — at each `cleanAt`
 * (offsets from the start of the run) and every `cleanEvery` — when they snap back.
 */
export const foulingFaultSchema = z
  .object({
    type: z.literal('fouling'),
    metrics: z.array(z.enum(FOULABLE_METRICS)).min(1).default(['do', 'conductivity', 'salinity', 'turbidity']),
    ratePerDay: z.number().min(0).max(1).default(0.25),
    cleanEvery: durationSchema.optional(),
    cleanAt: z.array(durationSchema).default([]),
  })
  .strict();

/** Stuck sensor: `metrics` (default: all) repeat the last value sent before the fault, exactly. */
export const stuckFaultSchema = z.object({ type: z.literal('stuck'), metrics: metricList.optional() }).strict();

/** Spikes: with `probability` per reading, one of `metrics` (default: all) jumps `factor` times, within the metric's range. */
export const spikesFaultSchema = z
  .object({
    type: z.literal('spikes'),
    metrics: metricList.optional(),
    probability: probability.default(0.05),
    factor: z.number().gt(1).max(1000).default(6),
  })
  .strict();

/** Negative values: with `probability` per reading, `metrics` read below zero — ingest refuses them (`out_of_range`). */
export const negativeFaultSchema = z
  .object({ type: z.literal('negative'), metrics: metricList.default(['turbidity']), probability: probability.default(0.25) })
  .strict();

/**
 * Calibration window: the device reports `maintenance` and sends what its probes read in the
 * standard solutions (pH 7.00 / 4.01 / 10.01 buffers, 1,413 and 12,880 µS/cm, zero-oxygen then
 * air-saturated water); `online` again afterwards.
 */
export const calibrationFaultSchema = z.object({ type: z.literal('calibration') }).strict();

/**
 * Probe out of water: conductivity ≈ 0, salinity 0, air temperature, DO at air saturation, pH
 * wandering. With `belowTide` (normalised tide level, -1 lowest … 1 highest) only while the tide
 * is below it; otherwise for the whole window.
 */
export const outOfWaterFaultSchema = z
  .object({ type: z.literal('out-of-water'), belowTide: z.number().min(-1).max(1).optional() })
  .strict();

/**
 * A worn solar battery: it sags `sagV` more before dawn; below `cutoffV` the device browns out
 * (its connection dies: the broker publishes its Last Will) until the sun lifts it above
 * `recoverV`. The device adds `battery` (V) to its telemetry while the fault lasts.
 */
export const batterySagFaultSchema = z
  .object({
    type: z.literal('battery-sag'),
    sagV: z.number().min(0).max(10).default(1.6),
    cutoffV: z.number().min(0).max(60).default(11),
    recoverV: z.number().min(0).max(60).default(11.4),
  })
  .strict();

/**
 * Telemetry gap: the device keeps measuring but sends nothing; afterwards it sends what it kept
 * as one backfill array at the original timestamps (unless `backfill` is false). With
 * `disconnect` (default) the link is down meanwhile: the broker publishes its Last Will.
 */
export const gapFaultSchema = z
  .object({ type: z.literal('gap'), backfill: z.boolean().default(true), disconnect: z.boolean().default(true) })
  .strict();

/** Device offline: its connection dies abruptly (the broker publishes its Last Will); it measures nothing until the fault ends. */
export const offlineFaultSchema = z.object({ type: z.literal('offline') }).strict();

/** Malformed telemetry: with `probability` per report, the reading is replaced by a payload of each of `payloads` in turn. */
export const malformedFaultSchema = z
  .object({
    type: z.literal('malformed'),
    payloads: z
      .array(z.enum(MALFORMED_KINDS))
      .min(1)
      .default([...MALFORMED_KINDS]),
    probability: probability.default(1),
  })
  .strict();

/** Cross-field checks shared by {@link faultSpecSchema} and scenario events. */
export function checkFaultParameters(
  fault: { readonly type: string; readonly cutoffV?: number; readonly recoverV?: number },
  context: z.RefinementCtx,
): void {
  if (fault.type === 'battery-sag' && fault.recoverV !== undefined && fault.cutoffV !== undefined && fault.recoverV <= fault.cutoffV) {
    context.addIssue({ code: 'custom', path: ['recoverV'], message: 'recoverV must be above cutoffV' });
  }
}

export const faultSpecSchema = z
  .discriminatedUnion('type', [
    foulingFaultSchema,
    stuckFaultSchema,
    spikesFaultSchema,
    negativeFaultSchema,
    calibrationFaultSchema,
    outOfWaterFaultSchema,
    batterySagFaultSchema,
    gapFaultSchema,
    offlineFaultSchema,
    malformedFaultSchema,
  ])
  .superRefine(checkFaultParameters);
/** A fault with its parameters (defaults applied). */
export type FaultSpec = z.output<typeof faultSpecSchema>;
/** A fault as written (defaults optional). */
export type FaultSpecInput = z.input<typeof faultSpecSchema>;
export type FaultType = FaultSpec['type'];

export const FAULT_TYPES = [
  'fouling',
  'stuck',
  'spikes',
  'negative',
  'calibration',
  'out-of-water',
  'battery-sag',
  'gap',
  'offline',
  'malformed',
] as const satisfies readonly FaultType[];

/** A fault on one device over a window of simulated time. */
export interface ScheduledFault {
  readonly fault: FaultSpec;
  /** Window start, epoch ms (simulated). */
  readonly startMs: number;
  /** Window end (exclusive), epoch ms; `Infinity` = until the run ends. */
  readonly endMs: number;
  /** Start of the run, epoch ms: fouling's `cleanAt` offsets count from here. */
  readonly runStartMs: number;
}
