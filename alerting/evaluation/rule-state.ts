/**
 * Evaluation state of one rule at one site, and the site facts every rule reads. The state is plain
 * JSON: the engine persists it (write-behind) so pending raise-after / clear-after windows, stuck
 * counters and rate/swing windows survive a restart. The facts (latest values, last contact, device
 * status) are rebuilt from the store at start instead.
 */
import { z } from 'zod';
import type { DeviceStatus } from '../../common/sites.js';
import type { SampleWindow } from './sample-window.js';
import { initialTracker, MAX_RANK, type TrackerState } from './severity-tracker.js';

export interface RuleState {
  /** Fingerprint of the rule spec this state was built for; a different one resets the tracking. */
  readonly fingerprint: string;
  readonly tracker: TrackerState;
  /** Threshold, rate and swing rules: keys of the bands that are on. */
  readonly bandsOn: readonly string[];
  /** Direction of the most severe band on, or of the last one that was (threshold, rate): for the alert's threshold and peak. */
  readonly direction: 'above' | 'below' | null;
  /** Latest value of the watched quantity (the metric, its rate per hour or its swing), null when none. */
  readonly value: number | null;
  /** Rate and swing rules. */
  readonly window?: SampleWindow | undefined;
  /** Stuck rules: the value of the current run and how many readings in a row had it. */
  readonly stuck?: { readonly value: number; readonly repeats: number } | undefined;
}

/** Fresh state for a rule first evaluated at `at`; `level` keeps the level of an alert that is already open. */
export function initialRuleState(fingerprint: string, at: number, level = 0): RuleState {
  return { fingerprint, tracker: initialTracker(at, level), bandsOn: [], direction: null, value: null };
}

const finite = z.number().finite();

/** Validates a persisted state (anything else is discarded and rebuilt). */
export const ruleStateSchema: z.ZodType<RuleState> = z.object({
  fingerprint: z.string(),
  tracker: z.object({
    observed: z.number().int().min(0).max(MAX_RANK),
    crossedAt: z.array(finite).length(MAX_RANK),
    level: z.number().int().min(0).max(MAX_RANK),
  }),
  bandsOn: z.array(z.string()),
  direction: z.enum(['above', 'below']).nullable(),
  value: finite.nullable(),
  window: z
    .object({
      windowMs: finite.positive(),
      buckets: z.array(
        z.object({ start: finite, count: z.number().int().positive(), sumTs: finite, sumValue: finite, min: finite, max: finite }),
      ),
    })
    .optional(),
  stuck: z.object({ value: finite, repeats: z.number().int().positive() }).optional(),
});

/** What the engine knows about a site right now (all times epoch ms). */
export interface SiteFacts {
  /** Expected time between two reports, ms. */
  reportingIntervalMs: number;
  /** Latest value per metric, by measurement time. */
  readonly latest: Map<string, { value: number; ts: number }>;
  /** Measurement time of the newest reading of any metric. */
  lastReadingTs: number | undefined;
  /** Newest reading or status. */
  lastSeen: number | undefined;
  /** Last status the device reported, and when. */
  status: DeviceStatus | undefined;
  statusTs: number | undefined;
}

export function emptyFacts(reportingIntervalSec: number): SiteFacts {
  return {
    reportingIntervalMs: reportingIntervalSec * 1000,
    latest: new Map(),
    lastReadingTs: undefined,
    lastSeen: undefined,
    status: undefined,
    statusTs: undefined,
  };
}

export type { TrackerState };
