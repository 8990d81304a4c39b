/**
 * Alert rules as data: the schemas of seeds/rules (validated at startup, every problem listed), of
 * the rules admins edit through `/api/rules`, and of the presets sites opt into. Shared by ingest
 * (the alert engine evaluates them), web (REST validation and the OpenAPI document) and the browser
 * (a rule editor). Values are in the metric catalog's units (common/metrics.ts); durations in
 * seconds (fractions allowed).
 *
 * A rule watches one condition for a set of sites (a kind, or listed sites):
 * - `threshold`: ordered severity bands on a metric's value, each `above` (`>`/`>=`) or `below`
 *   (`<`/`<=`) a value, with hysteresis (a band turns off only once the value is back past `clear`);
 * - `rate`: bands on how fast a metric changes, per hour (e.g. salinity rising > 0.5 ‰/h);
 * - `swing`: bands on max − min over a window (e.g. pH daily swing > 0.5);
 * - `stale`: one metric not reported while the site keeps reporting others, for N × its interval;
 * - `stuck`: one metric reporting the same value N times in a row;
 * - `offline`: the device reported `offline` (Last Will) or has been silent for N × its interval.
 * Every rule has `raiseAfterSec` (a worse condition must hold that long before the alert is raised
 * or its severity goes up) and `clearAfterSec` (a better condition must hold that long before the
 * severity goes down or the alert clears).
 *
 * A `preset` rule applies a preset (seeds/rules/presets, e.g. QCVN 02-19:2014 shrimp ponds) to a
 * kind or to listed sites, optionally overriding values of the preset's rules for those sites.
 */
import { z } from 'zod';
import { ALERT_SEVERITIES, type AlertSeverity, localizedTextSchema } from './alerts.js';
import { METRIC_IDS } from './metrics.js';
import { SITE_KINDS, siteIdSchema } from './sites.js';

/** Longest raise-after, clear-after or window, seconds (30 days). */
export const MAX_RULE_DURATION_SEC = 30 * 86_400;

/** Rule, preset and preset-rule ids: lower-case letters, digits and `-`, 2–64 characters. */
export const ruleIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'ids are 2–64 characters of a–z, 0–9 and "-", starting with a letter or digit');

/** Comparison of a band: `>`/`>=` watch values above `value`, `<`/`<=` values below it. */
export const BAND_OPERATORS = ['>', '>=', '<', '<='] as const;
export type BandOperator = (typeof BAND_OPERATORS)[number];

/** Which side of its value a band watches. */
export type BandDirection = 'above' | 'below';

export function bandDirection(op: BandOperator): BandDirection {
  return op === '>' || op === '>=' ? 'above' : 'below';
}

/**
 * One severity band. The band turns on when `value op band.value` holds, and off once the value is
 * back past `clear` (below it for `above` bands, above it for `below` bands). Without `clear` the
 * rule's `hysteresis` sets it (`value ∓ hysteresis`), else it equals `value`.
 */
export const severityBandSchema = z
  .object({
    severity: z.enum(ALERT_SEVERITIES),
    op: z.enum(BAND_OPERATORS),
    /** Raise threshold, in the metric's unit (per hour for rate rules). */
    value: z.number().finite(),
    /** Clear threshold; must not be beyond `value` in the band's direction. */
    clear: z.number().finite().optional(),
  })
  .strict()
  .superRefine((band, ctx) => {
    if (band.clear === undefined) return;
    const above = bandDirection(band.op) === 'above';
    if (above ? band.clear > band.value : band.clear < band.value) {
      ctx.addIssue({
        code: 'custom',
        path: ['clear'],
        message: `clear must be ${above ? 'at most' : 'at least'} value (${band.value}) for a "${band.op}" band`,
      });
    }
  });
export type SeverityBand = z.infer<typeof severityBandSchema>;

const severityRankOf = (severity: AlertSeverity) => ALERT_SEVERITIES.length - ALERT_SEVERITIES.indexOf(severity);

/**
 * Bands of one rule: at most one per severity and direction, and a more severe band is more
 * extreme (an `above` critical band's value is not below its warning band's).
 */
const bandListSchema = z
  .array(severityBandSchema)
  .min(1)
  .max(8)
  .superRefine((bands, ctx) => {
    const seen = new Map<string, number>();
    bands.forEach((band, index) => {
      const key = `${bandDirection(band.op)}:${band.severity}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `a second ${bandDirection(band.op)} ${band.severity} band (first at ${first})`,
        });
      } else {
        seen.set(key, index);
      }
    });
    for (const direction of ['above', 'below'] as const) {
      const ordered = bands
        .map((band, index) => ({ band, index }))
        .filter(({ band }) => bandDirection(band.op) === direction)
        .sort((a, b) => severityRankOf(a.band.severity) - severityRankOf(b.band.severity));
      for (let i = 1; i < ordered.length; i++) {
        const milder = ordered[i - 1];
        const worse = ordered[i];
        if (!milder || !worse) continue;
        const wrongOrder = direction === 'above' ? worse.band.value < milder.band.value : worse.band.value > milder.band.value;
        if (wrongOrder) {
          ctx.addIssue({
            code: 'custom',
            path: [worse.index, 'value'],
            message: `the ${worse.band.severity} band must be ${direction === 'above' ? 'at or above' : 'at or below'} the ${milder.band.severity} band (${milder.band.value})`,
          });
        }
      }
    }
  });

const durationSec = z.number().finite().min(0).max(MAX_RULE_DURATION_SEC);
const metric = z.enum(METRIC_IDS);
/** Hysteresis added to every band without its own `clear`, in the watched quantity's unit. */
const hysteresis = z.number().finite().min(0).optional();

const timing = {
  /** How long a worse condition must hold before the alert is raised or escalated, s (default 0). */
  raiseAfterSec: durationSec.default(0),
  /** How long a better condition must hold before the alert de-escalates or clears, s (default 0). */
  clearAfterSec: durationSec.default(0),
};

export const thresholdSpecSchema = z
  .object({ condition: z.literal('threshold'), metric, bands: bandListSchema, hysteresis, ...timing })
  .strict();

export const rateSpecSchema = z
  .object({
    condition: z.literal('rate'),
    metric,
    /** Bands on the change per hour (metric unit / h); negative values watch falling values. */
    bands: bandListSchema,
    hysteresis,
    /** Window the rate is estimated over, s (default 1 h; at least 2 min). */
    windowSec: z.number().finite().min(120).max(MAX_RULE_DURATION_SEC).default(3600),
    ...timing,
  })
  .strict();

export const swingSpecSchema = z
  .object({
    condition: z.literal('swing'),
    metric,
    /** Bands on max − min within the window; only `>`/`>=` make sense. */
    bands: bandListSchema.refine((bands) => bands.every((band) => bandDirection(band.op) === 'above'), 'swing bands use ">" or ">="'),
    hysteresis,
    /** Window of the swing, s (default 24 h). */
    windowSec: z.number().finite().min(120).max(MAX_RULE_DURATION_SEC).default(86_400),
    ...timing,
  })
  .strict();

export const staleSpecSchema = z
  .object({
    condition: z.literal('stale'),
    metric,
    /** The metric is stale once the site has kept reporting for this many reporting intervals without it (default 3). */
    afterIntervals: z.number().finite().positive().max(10_000).default(3),
    severity: z.enum(ALERT_SEVERITIES).default('minor'),
    ...timing,
  })
  .strict();

export const stuckSpecSchema = z
  .object({
    condition: z.literal('stuck'),
    metric,
    /** Readings in a row with the same value that make the probe suspect (default 30). */
    count: z.number().int().min(2).max(100_000).default(30),
    /** Largest difference still counted as "the same value", metric unit (default 0: identical). */
    tolerance: z.number().finite().min(0).default(0),
    severity: z.enum(ALERT_SEVERITIES).default('minor'),
    ...timing,
  })
  .strict();

export const offlineSpecSchema = z
  .object({
    condition: z.literal('offline'),
    /** Silence (no reading, no status) longer than this many reporting intervals counts as offline (default 3). */
    afterIntervals: z.number().finite().positive().max(10_000).default(3),
    severity: z.enum(ALERT_SEVERITIES).default('major'),
    ...timing,
  })
  .strict();

/** What a rule watches and when it fires, without its identity and scope. */
export const conditionSpecSchema = z.discriminatedUnion('condition', [
  thresholdSpecSchema,
  rateSpecSchema,
  swingSpecSchema,
  staleSpecSchema,
  stuckSpecSchema,
  offlineSpecSchema,
]);
export type ConditionSpec = z.infer<typeof conditionSpecSchema>;
export type ThresholdSpec = z.infer<typeof thresholdSpecSchema>;
export type RateSpec = z.infer<typeof rateSpecSchema>;
export type SwingSpec = z.infer<typeof swingSpecSchema>;
export type StaleSpec = z.infer<typeof staleSpecSchema>;
export type StuckSpec = z.infer<typeof stuckSpecSchema>;
export type OfflineSpec = z.infer<typeof offlineSpecSchema>;

/** Which sites a rule applies to: every site of a kind, or the listed sites. */
export const ruleScopeSchema = z
  .object({
    kind: z.enum(SITE_KINDS).optional(),
    sites: z.array(siteIdSchema).min(1).max(5000).optional(),
  })
  .strict()
  .superRefine((scope, ctx) => {
    if ((scope.kind === undefined) === (scope.sites === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "kind" or "sites"' });
    }
  });
export type RuleScope = z.infer<typeof ruleScopeSchema>;

const identity = {
  id: ruleIdSchema,
  name: localizedTextSchema,
  /** Why the rule exists, where its values come from. */
  description: z.string().max(2000).optional(),
  /** A disabled rule is kept but not evaluated; its open alerts clear. */
  enabled: z.boolean().default(true),
  scope: ruleScopeSchema,
};

/**
 * Values a preset rule may take from a site's `overrides`. `bands` are merged: a band replaces the
 * preset band of the same severity and direction, other preset bands stay.
 */
export const presetRuleOverrideSchema = z
  .object({
    enabled: z.boolean().optional(),
    raiseAfterSec: durationSec.optional(),
    clearAfterSec: durationSec.optional(),
    bands: z.array(severityBandSchema).min(1).max(8).optional(),
    hysteresis: z.number().finite().min(0).optional(),
    windowSec: z.number().finite().min(120).max(MAX_RULE_DURATION_SEC).optional(),
    afterIntervals: z.number().finite().positive().max(10_000).optional(),
    count: z.number().int().min(2).max(100_000).optional(),
    tolerance: z.number().finite().min(0).optional(),
    severity: z.enum(ALERT_SEVERITIES).optional(),
  })
  .strict();
export type PresetRuleOverride = z.infer<typeof presetRuleOverrideSchema>;

/** A rule applying a preset to a kind or to sites; a site-scoped one wins over a kind-scoped one of the same preset. */
export const presetRuleSchema = z
  .object({
    ...identity,
    condition: z.literal('preset'),
    /** Id of a preset in seeds/rules/presets. */
    preset: ruleIdSchema,
    /** Overrides by the preset rule's `key`. */
    overrides: z.record(ruleIdSchema, presetRuleOverrideSchema).default({}),
  })
  .strict();
export type PresetRule = z.infer<typeof presetRuleSchema>;

/** A rule as stored in seeds/rules/*.json and edited through `/api/rules`. */
export const ruleDefinitionSchema = z.discriminatedUnion('condition', [
  thresholdSpecSchema.extend(identity),
  rateSpecSchema.extend(identity),
  swingSpecSchema.extend(identity),
  staleSpecSchema.extend(identity),
  stuckSpecSchema.extend(identity),
  offlineSpecSchema.extend(identity),
  presetRuleSchema,
]);
/** A validated rule, defaults filled in. */
export type RuleDefinition = z.infer<typeof ruleDefinitionSchema>;
/** A rule as written (defaults may be left out). */
export type RuleDefinitionInput = z.input<typeof ruleDefinitionSchema>;
/** A rule that watches a condition itself (not a preset application). */
export type ConditionRule = Exclude<RuleDefinition, PresetRule>;

/** A seeds/rules/*.json file: a list of rules. */
export const ruleFileSchema = z.array(ruleDefinitionSchema);

/** One rule of a preset, named by a `key` unique in the preset. */
export const presetEntrySchema = z.discriminatedUnion('condition', [
  thresholdSpecSchema.extend({ key: ruleIdSchema, name: localizedTextSchema }),
  rateSpecSchema.extend({ key: ruleIdSchema, name: localizedTextSchema }),
  swingSpecSchema.extend({ key: ruleIdSchema, name: localizedTextSchema }),
  staleSpecSchema.extend({ key: ruleIdSchema, name: localizedTextSchema }),
  stuckSpecSchema.extend({ key: ruleIdSchema, name: localizedTextSchema }),
  offlineSpecSchema.extend({ key: ruleIdSchema, name: localizedTextSchema }),
]);
export type PresetEntry = z.infer<typeof presetEntrySchema>;

/** A preset (seeds/rules/presets/*.json): named rules from a standard, for one or more kinds of site. */
export const presetSchema = z
  .object({
    id: ruleIdSchema,
    name: localizedTextSchema,
    description: localizedTextSchema,
    /** Where the values come from (regulation, bulletin), for operators and auditors. */
    source: z.string().min(1).max(2000),
    /** Kinds of site the preset is meant for; a kind-scoped preset rule must name one of them. */
    kinds: z.array(z.enum(SITE_KINDS)).min(1),
    rules: z
      .array(presetEntrySchema)
      .min(1)
      .max(100)
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((rule, index) => {
          if (seen.has(rule.key)) ctx.addIssue({ code: 'custom', path: [index, 'key'], message: `duplicate key ${rule.key}` });
          seen.add(rule.key);
        });
      }),
  })
  .strict();
export type Preset = z.infer<typeof presetSchema>;

/** Where a stored rule came from: seeds/rules (re-applied at every start) or the admin API. */
export const RULE_SOURCES = ['seed', 'api'] as const;
export type RuleSource = (typeof RULE_SOURCES)[number];

/** A rule as `/api/rules` serves it. */
export const ruleRecordSchema = z.object({
  rule: ruleDefinitionSchema,
  /** `seed`: from seeds/rules, re-applied at start until an admin edits it (then `api`). */
  source: z.enum(RULE_SOURCES),
  /** Epoch ms. */
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Username of the last admin who edited it; null for seeds. */
  updatedBy: z.string().nullable(),
});
export type RuleRecord = z.infer<typeof ruleRecordSchema>;

export const ruleListResponseSchema = z.object({ rules: z.array(ruleRecordSchema) });
export type RuleListResponse = z.infer<typeof ruleListResponseSchema>;

export const presetListResponseSchema = z.object({ presets: z.array(presetSchema) });
export type PresetListResponse = z.infer<typeof presetListResponseSchema>;

/** Separator of an effective preset rule id: `{presetId}:{key}` (alerts' `ruleId`). */
export const PRESET_RULE_SEPARATOR = ':';

/** The id alerts of a preset's rule carry, e.g. `qcvn-02-19-shrimp-pond:do`. */
export function presetRuleId(presetId: string, key: string): string {
  return `${presetId}${PRESET_RULE_SEPARATOR}${key}`;
}
