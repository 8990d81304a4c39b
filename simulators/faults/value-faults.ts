/**
 * Faults that change what a probe reads (as opposed to whether the device sends): fouling drift,
 * stuck values, spikes, negative values, calibration solutions and a probe out of water. Each is
 * applied to the clean reading of a tick while its window is open. Results are rounded to catalog
 * decimals; only the negative-values fault leaves the physical range, on purpose.
 */
import { METRICS, type MetricId, type MetricValues } from '../../common/metrics.js';
import { toCatalogValue } from '../models/catalog-values.js';
import { diurnalWave, localHourOfDay, MS_PER_DAY } from '../models/time.js';
import { SALINITY_PER_MICROSIEMENS } from '../models/water-chemistry.js';
import type { Random } from '../random.js';
import { type FaultSpec, FOULING_DIRECTION, type ScheduledFault } from './fault-spec.js';

/** What a value fault sees at one tick. */
export interface ValueFaultInput {
  /** Simulated time of the reading, epoch ms. */
  readonly tMs: number;
  /** The reading so far (clean, or already changed by an earlier fault). */
  readonly values: MetricValues;
  /** What the device sent at its previous report, if anything. */
  readonly previous: MetricValues | undefined;
  /** The device's fault random stream. */
  readonly rng: Random;
  /** Normalised tide level at the site (-1 … 1), or undefined where there is no tide (cameras). */
  readonly tideLevel: number | undefined;
}

/** A value fault in effect; it keeps what it must remember (a stuck sensor's frozen reading). */
export interface ValueFault {
  readonly type: FaultSpec['type'];
  apply(input: ValueFaultInput): MetricValues;
}

type Spec<T extends FaultSpec['type']> = Extract<FaultSpec, { type: T }>;

/** The value fault of a scheduled fault, or undefined when the fault is about sending, not values. */
export function createValueFault(scheduled: ScheduledFault): ValueFault | undefined {
  const { fault } = scheduled;
  switch (fault.type) {
    case 'fouling':
      return foulingFault(fault, scheduled);
    case 'stuck':
      return stuckFault(fault);
    case 'spikes':
      return spikesFault(fault);
    case 'negative':
      return negativeFault(fault);
    case 'calibration':
      return calibrationFault(scheduled);
    case 'out-of-water':
      return outOfWaterFault(fault);
    default:
      return undefined;
  }
}

/** Epoch ms of the last cleaning at or before `tMs` (the fault's start counts as a clean probe). */
export function lastCleaning(fault: Spec<'fouling'>, scheduled: Pick<ScheduledFault, 'startMs' | 'runStartMs'>, tMs: number): number {
  let last = scheduled.startMs;
  for (const offset of fault.cleanAt) {
    const at = scheduled.runStartMs + offset;
    if (at <= tMs && at > last) last = at;
  }
  if (fault.cleanEvery !== undefined && fault.cleanEvery > 0 && tMs >= scheduled.startMs) {
    const periodic = scheduled.startMs + Math.floor((tMs - scheduled.startMs) / fault.cleanEvery) * fault.cleanEvery;
    if (periodic > last) last = periodic;
  }
  return last;
}

/** Largest fraction a fouled reading drifts by (a fully fouled probe still reads something). */
export const MAX_FOULING_DRIFT = 0.8;

function foulingFault(fault: Spec<'fouling'>, scheduled: ScheduledFault): ValueFault {
  return {
    type: 'fouling',
    apply: ({ tMs, values }) => {
      const days = Math.max(0, tMs - lastCleaning(fault, scheduled, tMs)) / MS_PER_DAY;
      const drift = Math.min(MAX_FOULING_DRIFT, fault.ratePerDay * days);
      const out: MetricValues = { ...values };
      for (const metric of fault.metrics) {
        const value = values[metric];
        if (value !== undefined) out[metric] = toCatalogValue(metric, value * (1 + FOULING_DIRECTION[metric] * drift));
      }
      return out;
    },
  };
}

function stuckFault(fault: Spec<'stuck'>): ValueFault {
  let frozen: MetricValues | undefined;
  return {
    type: 'stuck',
    apply: ({ values, previous }) => {
      frozen ??= { ...(previous ?? values) };
      const out: MetricValues = { ...values };
      for (const metric of fault.metrics ?? (Object.keys(values) as MetricId[])) {
        const value = frozen[metric];
        if (value !== undefined && metric in values) out[metric] = value;
      }
      return out;
    },
  };
}

function spikesFault(fault: Spec<'spikes'>): ValueFault {
  return {
    type: 'spikes',
    apply: ({ values, rng }) => {
      if (rng() >= fault.probability) return values;
      const candidates = (fault.metrics ?? (Object.keys(values) as MetricId[])).filter((metric) => values[metric] !== undefined);
      const metric = candidates[Math.floor(rng() * candidates.length)];
      if (metric === undefined) return values;
      const value = values[metric] ?? 0;
      const { min, max } = METRICS[metric];
      // A spike is large relative to the value, or to the scale of the metric when the value is near 0.
      const jump = Math.max(Math.abs(value) * (fault.factor - 1), (max - min) * 0.002 * fault.factor);
      return { ...values, [metric]: toCatalogValue(metric, value + jump) };
    },
  };
}

function negativeFault(fault: Spec<'negative'>): ValueFault {
  return {
    type: 'negative',
    apply: ({ values, rng }) => {
      if (rng() >= fault.probability) return values;
      const out: MetricValues = { ...values };
      for (const metric of fault.metrics) {
        if (values[metric] === undefined) continue;
        out[metric] = -Number((0.1 + 3 * rng()).toFixed(METRICS[metric].decimals));
      }
      return out;
    },
  };
}

/** Standard solutions a sonde is calibrated in, by phase of the calibration window. */
export const CALIBRATION_STANDARDS = {
  /** pH buffers, in thirds of the window. */
  ph: [7.0, 4.01, 10.01],
  /** Conductivity standards, µS/cm, in halves. */
  conductivity: [1413, 12_880],
  /** Zero-oxygen solution, then water-saturated air at 25 °C, mg/L, in halves. */
  do: [0, 8.26],
  /** Formazin standards, NTU, in halves. */
  turbidity: [0, 100],
  /** The bench, °C. */
  temperature: 25,
} as const;

function phase<T>(steps: readonly T[], fraction: number): T {
  const index = Math.min(steps.length - 1, Math.max(0, Math.floor(fraction * steps.length)));
  return steps[index] as T;
}

function calibrationFault(scheduled: ScheduledFault): ValueFault {
  return {
    type: 'calibration',
    apply: ({ tMs, values, rng }) => {
      const span = Number.isFinite(scheduled.endMs) ? scheduled.endMs - scheduled.startMs : MS_PER_DAY / 24;
      const fraction = (tMs - scheduled.startMs) / span;
      const out: MetricValues = {};
      for (const [metric, value] of Object.entries(values) as [MetricId, number][]) {
        switch (metric) {
          case 'ph':
            out.ph = toCatalogValue('ph', phase(CALIBRATION_STANDARDS.ph, fraction) + 0.01 * (rng() - 0.5));
            break;
          case 'conductivity':
            out.conductivity = phase(CALIBRATION_STANDARDS.conductivity, fraction);
            break;
          case 'salinity':
            out.salinity = toCatalogValue('salinity', phase(CALIBRATION_STANDARDS.conductivity, fraction) * SALINITY_PER_MICROSIEMENS);
            break;
          case 'do':
            out.do = toCatalogValue('do', phase(CALIBRATION_STANDARDS.do, fraction) + 0.02 * rng());
            break;
          case 'turbidity':
            out.turbidity = phase(CALIBRATION_STANDARDS.turbidity, fraction);
            break;
          case 'tss':
            out.tss = 0;
            break;
          case 'temperature':
            out.temperature = toCatalogValue('temperature', CALIBRATION_STANDARDS.temperature + 0.2 * (rng() - 0.5));
            break;
          case 'cod':
          case 'nh4':
            // Not reported while the sonde is in the bucket.
            break;
          default:
            out[metric] = value;
        }
      }
      return out;
    },
  };
}

function outOfWaterFault(fault: Spec<'out-of-water'>): ValueFault {
  return {
    type: 'out-of-water',
    apply: ({ tMs, values, rng, tideLevel }) => {
      if (fault.belowTide !== undefined && (tideLevel === undefined || tideLevel >= fault.belowTide)) return values;
      const airTemperature = 26 + 7 * diurnalWave(localHourOfDay(tMs), 6, 14);
      const out: MetricValues = { ...values };
      const set = (metric: MetricId, value: number) => {
        if (values[metric] !== undefined) out[metric] = toCatalogValue(metric, value);
      };
      set('conductivity', 3 * rng());
      set('salinity', 0);
      set('turbidity', 0.5 * rng());
      set('tss', 0);
      set('temperature', airTemperature + 0.3 * (rng() - 0.5));
      // An optical DO cell in air reads saturation; a drying pH bulb wanders.
      set('do', 8.6 - 0.08 * (airTemperature - 25) + 0.1 * rng());
      set('ph', 5.5 + 3.5 * rng());
      set('cod', 0);
      set('nh4', 0);
      return out;
    },
  };
}
