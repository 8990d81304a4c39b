/**
 * Alert contract shared by ingest (which evaluates rules), web (REST and socket.io), the browser
 * app and downstream systems (MQTT `alerts/{siteId}`). One alert per site and rule at a time; its
 * severity moves with the value; its state records acknowledgement and clearing.
 */
import { z } from 'zod';

/** Severities, most severe first. */
export const ALERT_SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Rank for comparisons: higher is more severe (critical = 4 … warning = 1). */
export function severityRank(severity: AlertSeverity): number {
  return ALERT_SEVERITIES.length - ALERT_SEVERITIES.indexOf(severity);
}

/**
 * Lifecycle: ACTIVE_UNACK → ACTIVE_ACK → CLEARED; an alert that clears before anyone acknowledged
 * it becomes CLEARED_UNACK and, once acknowledged, CLEARED.
 */
export const ALERT_STATES = ['ACTIVE_UNACK', 'ACTIVE_ACK', 'CLEARED_UNACK', 'CLEARED'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export const isActiveState = (state: AlertState): boolean => state === 'ACTIVE_UNACK' || state === 'ACTIVE_ACK';
export const isAcknowledgedState = (state: AlertState): boolean => state === 'ACTIVE_ACK' || state === 'CLEARED';

/** What kind of condition raised the alert. */
export const ALERT_CONDITIONS = ['threshold', 'rate', 'swing', 'stale', 'stuck', 'offline'] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

/** A text in both languages the platform speaks (Vietnamese first: it is the default). */
export const localizedTextSchema = z.object({ vi: z.string(), en: z.string() });
export type LocalizedText = z.infer<typeof localizedTextSchema>;

export const alertCommentSchema = z.object({
  /** Username. */
  by: z.string(),
  /** Epoch ms. */
  at: z.number(),
  /** User-supplied; untrusted, render as text. */
  text: z.string().max(2000),
});
export type AlertComment = z.infer<typeof alertCommentSchema>;

export const alertSchema = z.object({
  id: z.string(),
  siteId: z.string(),
  ruleId: z.string(),
  ruleName: localizedTextSchema,
  condition: z.enum(ALERT_CONDITIONS),
  /** Metric id from the catalog, when the rule watches one. */
  metric: z.string().nullable(),
  /** Catalog unit of the metric (`mg/L`, `‰`, …), empty when none. */
  unit: z.string(),
  severity: z.enum(ALERT_SEVERITIES),
  state: z.enum(ALERT_STATES),
  /** The threshold crossed for the current severity, in the metric's unit. */
  threshold: z.number().nullable(),
  /** Worst value seen while active, in the metric's unit. */
  peakValue: z.number().nullable(),
  /** Latest value evaluated, in the metric's unit. */
  lastValue: z.number().nullable(),
  /** Epoch ms. */
  raisedAt: z.number(),
  updatedAt: z.number(),
  clearedAt: z.number().nullable(),
  ackedAt: z.number().nullable(),
  ackedBy: z.string().nullable(),
  comments: z.array(alertCommentSchema),
});
export type Alert = z.infer<typeof alertSchema>;

/** Why an alert was published (socket.io `alert`, MQTT `alerts/{siteId}`, notifications). */
export const ALERT_CHANGES = ['raised', 'severity_changed', 'updated', 'acknowledged', 'commented', 'cleared'] as const;
export type AlertChangeKind = (typeof ALERT_CHANGES)[number];

export const alertChangeSchema = z.object({
  change: z.enum(ALERT_CHANGES),
  alert: alertSchema,
});
export type AlertChange = z.infer<typeof alertChangeSchema>;

/** Comments one alert keeps at most; more are refused (`conflict`). */
export const MAX_ALERT_COMMENTS = 200;

/** Largest page of `GET /api/alerts`. */
export const MAX_ALERT_LIST_LIMIT = 1000;

/** A comma-separated list of enum values in a query string, e.g. `state=ACTIVE_UNACK,ACTIVE_ACK`. */
function enumListParam<const T extends string>(values: readonly T[], what: string) {
  return z
    .string()
    .refine((text) => text.split(',').every((item) => (values as readonly string[]).includes(item)), {
      message: `comma-separated ${what}: ${values.join(', ')}`,
    })
    .transform((text) => [...new Set(text.split(','))] as T[]);
}

const timeParam = z.union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true })]);

/**
 * `GET /api/alerts?state=&site=&severity=&from=&to=&limit=`: newest first by `raisedAt`.
 * `from`/`to` (epoch ms or ISO-8601) select alerts that were open at some moment of [from, to):
 * raised before `to` and not cleared before `from`.
 */
export const alertListQuerySchema = z.object({
  /** Comma-separated states, e.g. `ACTIVE_UNACK,ACTIVE_ACK`; default all. */
  state: enumListParam(ALERT_STATES, 'states').optional(),
  /** One site id. */
  site: z.string().min(1).max(64).optional(),
  /** Comma-separated severities, e.g. `critical,major`; default all. */
  severity: enumListParam(ALERT_SEVERITIES, 'severities').optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  /** At most this many alerts (1–1000, default 200). */
  limit: z.coerce.number().int().min(1).max(MAX_ALERT_LIST_LIMIT).default(200),
});
export type AlertListQuery = z.infer<typeof alertListQuerySchema>;

export const alertListResponseSchema = z.object({
  /** Newest first (by `raisedAt`). */
  alerts: z.array(alertSchema),
});
export type AlertListResponse = z.infer<typeof alertListResponseSchema>;

/** `POST /api/alerts/{id}/ack`: acknowledge, optionally with a comment. */
export const acknowledgeAlertRequestSchema = z.object({ comment: z.string().trim().min(1).max(2000).optional() }).strict();
export type AcknowledgeAlertRequest = z.infer<typeof acknowledgeAlertRequestSchema>;

/** `POST /api/alerts/{id}/comment`. */
export const commentAlertRequestSchema = z.object({ text: z.string().trim().min(1).max(2000) }).strict();
export type CommentAlertRequest = z.infer<typeof commentAlertRequestSchema>;
