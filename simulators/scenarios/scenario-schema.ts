/**
 * Scenario files (seeds/scenarios/<name>.json): a scripted stretch of simulated time — which sites
 * play, where the window starts in local time, how long it lasts, how fast it plays, and what
 * happens when: weather, a DO crash, a salinity intrusion, camera intrusions and device faults.
 * Every offset and length is a duration string (`"90m"`, `"6h"`, `"1h30m"`). See docs/simulators.md.
 */
import { z } from 'zod';
import { siteIdSchema } from '../../common/sites.js';
import { durationSchema } from '../clock/duration.js';
import {
  batterySagFaultSchema,
  calibrationFaultSchema,
  checkFaultParameters,
  foulingFaultSchema,
  gapFaultSchema,
  malformedFaultSchema,
  negativeFaultSchema,
  offlineFaultSchema,
  outOfWaterFaultSchema,
  spikesFaultSchema,
  stuckFaultSchema,
} from '../faults/fault-spec.js';

/** Where and when an event happens: one site or several, an offset from the start and an optional length. */
const timing = {
  /** One site id (or use `sites`). */
  site: siteIdSchema.optional(),
  /** Several site ids (or use `site`); omitted on `rain` = every site of the scenario. */
  sites: z.array(siteIdSchema).min(1).optional(),
  /** Offset from the scenario's start. */
  at: durationSchema.default(0),
  /** How long it lasts; omitted = until the end. */
  for: durationSchema.optional(),
};

/** Rain over the sites (default: all of the scenario's), `intensity` 0–1. */
const rainEventSchema = z.object({ type: z.literal('rain'), ...timing, intensity: z.number().min(0).max(1).default(0.8) }).strict();

/**
 * Dissolved-oxygen crash (algal die-off on a still night): DO falls to `minDo` mg/L over `ramp`,
 * stays there until the end of `for`, and recovers over `ramp`.
 */
const doCrashEventSchema = z
  .object({
    type: z.literal('do-crash'),
    ...timing,
    minDo: z.number().min(0).max(25).default(1.5),
    ramp: durationSchema.default(2 * 3_600_000),
  })
  .strict();

/** Salinity intrusion: `extraPpt` ‰ more salt (at high water), rising over `ramp`, receding over `ramp` after `for`. */
const salinityIntrusionEventSchema = z
  .object({
    type: z.literal('salinity-intrusion'),
    ...timing,
    extraPpt: z.number().gt(0).max(40),
    ramp: durationSchema.default(6 * 3_600_000),
  })
  .strict();

/** A camera's analytics detect an intrusion in `zone`: one `intrusion` event (severity default critical). */
const intrusionEventSchema = z
  .object({
    type: z.literal('intrusion'),
    ...timing,
    zone: z.string().min(1).max(100).default('perimeter'),
    objects: z.number().int().min(1).max(100).default(1),
    severity: z.enum(['warning', 'critical']).default('critical'),
  })
  .strict();

export const scenarioEventSchema = z
  .discriminatedUnion('type', [
    rainEventSchema,
    doCrashEventSchema,
    salinityIntrusionEventSchema,
    intrusionEventSchema,
    foulingFaultSchema.extend(timing).strict(),
    stuckFaultSchema.extend(timing).strict(),
    spikesFaultSchema.extend(timing).strict(),
    negativeFaultSchema.extend(timing).strict(),
    calibrationFaultSchema.extend(timing).strict(),
    outOfWaterFaultSchema.extend(timing).strict(),
    batterySagFaultSchema.extend(timing).strict(),
    gapFaultSchema.extend(timing).strict(),
    offlineFaultSchema.extend(timing).strict(),
    malformedFaultSchema.extend(timing).strict(),
  ])
  .superRefine((event, context) => {
    if (event.site !== undefined && event.sites !== undefined)
      context.addIssue({ code: 'custom', message: 'give "site" or "sites", not both' });
    if (event.type !== 'rain' && event.site === undefined && event.sites === undefined) {
      context.addIssue({ code: 'custom', message: `a ${event.type} event needs "site" or "sites"` });
    }
    checkFaultParameters(event, context);
  });
export type ScenarioEvent = z.output<typeof scenarioEventSchema>;

/** Local time of day, `HH:MM` (UTC+7). */
const localTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (00:00–23:59, Vietnam time)')
  .transform((text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5)));

/** Default playback speed: a simulated day in 10 minutes. */
export const DEFAULT_SCENARIO_SPEED = 144;

export const scenarioSchema = z
  .object({
    /** Same as the file name without `.json`: lower-case letters, digits and dashes. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and "-"'),
    title: z.string().min(1).max(200),
    description: z.string().max(4000).default(''),
    /** Sites that play (default: every seeded site). */
    sites: z.array(siteIdSchema).min(1).optional(),
    /** The local time (UTC+7) of day the window starts at, e.g. `"18:00"`; default: whenever. */
    start: z.object({ localTime: localTimeSchema }).strict().optional(),
    /** Simulated length. */
    duration: durationSchema,
    /** Simulated seconds per wall second (default 144: a day in 10 minutes). */
    speed: z.number().positive().max(100_000).default(DEFAULT_SCENARIO_SPEED),
    /** Simulated time between two reports of a station (default: each site's reporting interval). */
    reportEvery: durationSchema.optional(),
    /** Whether natural showers fall too (default true); false gives a clean demo. */
    naturalRain: z.boolean().default(true),
    events: z.array(scenarioEventSchema).default([]),
  })
  .strict()
  .superRefine((scenario, context) => {
    scenario.events.forEach((event, index) => {
      if (event.at >= scenario.duration) {
        context.addIssue({ code: 'custom', path: ['events', index, 'at'], message: 'happens after the scenario ends' });
      }
      const ids = event.sites ?? (event.site === undefined ? [] : [event.site]);
      for (const id of ids) {
        if (scenario.sites !== undefined && !scenario.sites.includes(id)) {
          context.addIssue({ code: 'custom', path: ['events', index], message: `site ${id} is not among the scenario's sites` });
        }
      }
    });
  });
/** A validated scenario: durations in ms, local start time in minutes after midnight. */
export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
