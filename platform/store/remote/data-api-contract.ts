/**
 * The internal data API's contract: for every {@link DataStores} method, the zod schemas of its
 * arguments (validated by the server) and of its result (validated by the client). The server
 * (data-api-router.ts) and the client (remote-data-stores.ts) are both built from this table, so
 * they cannot drift apart silently.
 *
 * Wire format: `POST /internal/data/{target}/{method}` with `{"args": [...]}` and
 * `Authorization: Bearer <service token>`; the answer is `{"result": ...}` (no `result` key for
 * methods that return nothing) or `{"error": {"code", "message"}}`.
 */
import { z } from 'zod';
import { presetSchema, ruleDefinitionSchema, ruleRecordSchema } from '../../../common/alert-rules.js';
import { ALERT_SEVERITIES, ALERT_STATES, alertSchema, MAX_ALERT_LIST_LIMIT } from '../../../common/alerts.js';
import { historySeriesSchema, ROLES, rejectionSchema } from '../../../common/api.js';
import { AUDIT_ACTIONS, auditDetailSchema, MAX_AUDIT_LIST_LIMIT, MAX_AUDIT_USER_AGENT_CHARS } from '../../../common/audit.js';
import { METRIC_IDS } from '../../../common/metrics.js';
import {
  channelStatusSchema,
  DELIVERY_STATUSES,
  deliveryListResponseSchema,
  deliverySchema,
  feedResponseSchema,
  subscriptionInputSchema,
  subscriptionSchema,
} from '../../../common/notifications.js';
import { DEVICE_EVENT_SEVERITIES, epochMsSchema, readingSchema } from '../../../common/payloads.js';
import { DEVICE_STATUSES, siteSchema } from '../../../common/sites.js';
import { SITE_SOURCES } from '../types.js';

/** Where the data API router is mounted on ingest's internal HTTP server. */
export const DATA_API_PATH = '/internal/data';

/** Largest request body, bytes: bulk writes of readings are the biggest calls. */
export const DATA_API_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

const text = z.string().min(1).max(1_000);
const listLimit = z.number().int().min(0).max(100_000);

const historyRequestSchema = z.object({
  siteId: text,
  metric: z.enum(METRIC_IDS),
  from: z.number().int(),
  to: z.number().int(),
  maxPoints: z.number().int().min(1).max(100_000),
});

const snapshotRequestSchema = z.object({
  at: z.number().int(),
  lookbackMs: z.number().int().min(0),
  metrics: z.array(z.enum(METRIC_IDS)).max(METRIC_IDS.length),
});

const siteLatestSchema = z.object({
  siteId: z.string(),
  values: z.record(z.string(), z.object({ value: z.number(), ts: z.number() })),
});

const siteEventSchema = z.object({
  siteId: text,
  ts: epochMsSchema,
  type: text,
  severity: z.enum(DEVICE_EVENT_SEVERITIES),
  message: z.string().max(10_000).optional(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const deviceCredentialSchema = z.object({
  siteId: text,
  tokenHash: text,
  issuedAt: epochMsSchema,
  previousTokenHash: text.optional(),
  previousValidUntil: epochMsSchema.optional(),
  siteDisabledAt: epochMsSchema.optional(),
});

const saveDeviceCredentialOptionsSchema = z.object({ keepPreviousUntil: epochMsSchema.optional() });

const deviceAccessChangesSchema = z.object({
  disabledSiteIds: z.array(text),
  removedSiteIds: z.array(text),
  credentials: z.array(deviceCredentialSchema),
});

const userRecordSchema = z.object({
  username: text,
  passwordHash: text,
  role: z.enum(ROLES),
  createdAt: epochMsSchema,
  disabledAt: epochMsSchema.optional(),
});

const auditRecordSchema = z.object({
  id: text,
  ts: epochMsSchema,
  actor: text,
  actorRole: text,
  action: z.enum(AUDIT_ACTIONS),
  target: z.string().max(1_000).nullable(),
  ip: z.string().max(100),
  userAgent: z.string().max(MAX_AUDIT_USER_AGENT_CHARS),
  requestId: z.string().max(200),
  detail: auditDetailSchema,
});

const auditRecordQuerySchema = z.object({
  from: z.number().int().optional(),
  to: z.number().int().optional(),
  actor: text.optional(),
  actions: z.array(z.enum(AUDIT_ACTIONS)).max(AUDIT_ACTIONS.length).optional(),
  limit: z.number().int().min(1).max(MAX_AUDIT_LIST_LIMIT),
});

const sessionRecordSchema = z.object({ idHash: text, username: text, createdAt: epochMsSchema, expiresAt: epochMsSchema });

const siteStatusRecordSchema = z.object({
  siteId: text,
  status: z.enum(DEVICE_STATUSES),
  ts: epochMsSchema,
  battery: z.number().optional(),
  rssi: z.number().optional(),
});

const registeredSiteSchema = z.object({
  site: siteSchema,
  source: z.enum(SITE_SOURCES),
  createdAt: epochMsSchema,
  disabledAt: epochMsSchema.optional(),
});

const nothing = z.undefined();

const alertQuerySchema = z.object({
  states: z.array(z.enum(ALERT_STATES)).max(ALERT_STATES.length).optional(),
  siteId: text.optional(),
  severities: z.array(z.enum(ALERT_SEVERITIES)).max(ALERT_SEVERITIES.length).optional(),
  from: z.number().int().optional(),
  to: z.number().int().optional(),
  limit: z.number().int().min(1).max(MAX_ALERT_LIST_LIMIT),
});

/** Argument and result schemas of every data API method, by target (`telemetry`, `registry`, `notifications`) and method name. */
export const DATA_API = {
  telemetry: {
    writeReadings: { args: z.tuple([z.array(readingSchema)]), result: nothing },
    queryHistory: { args: z.tuple([historyRequestSchema]), result: historySeriesSchema },
    latestValues: { args: z.tuple([]), result: z.array(siteLatestSchema) },
    snapshotAt: { args: z.tuple([snapshotRequestSchema]), result: z.array(siteLatestSchema) },
    writeEvents: { args: z.tuple([z.array(siteEventSchema)]), result: nothing },
    listEvents: { args: z.tuple([text, listLimit]), result: z.array(siteEventSchema) },
    purgeBefore: { args: z.tuple([z.number().int()]), result: nothing },
  },
  registry: {
    listSites: { args: z.tuple([]), result: z.array(registeredSiteSchema) },
    saveSites: { args: z.tuple([z.array(registeredSiteSchema).max(50_000)]), result: nothing },
    deleteSites: { args: z.tuple([z.array(text).max(50_000)]), result: nothing },
    getDeviceCredential: { args: z.tuple([text]), result: deviceCredentialSchema.optional() },
    saveDeviceCredential: { args: z.tuple([deviceCredentialSchema, saveDeviceCredentialOptionsSchema.optional()]), result: nothing },
    saveDeviceCredentials: { args: z.tuple([z.array(deviceCredentialSchema).max(50_000)]), result: nothing },
    setSiteEnabled: { args: z.tuple([text, z.boolean(), epochMsSchema]), result: nothing },
    deviceAccessChanges: { args: z.tuple([z.number().int()]), result: deviceAccessChangesSchema },
    findUser: { args: z.tuple([text]), result: userRecordSchema.optional() },
    listUsers: { args: z.tuple([]), result: z.array(userRecordSchema) },
    saveUser: { args: z.tuple([userRecordSchema]), result: nothing },
    deleteUser: { args: z.tuple([text]), result: z.boolean() },
    countUsers: { args: z.tuple([]), result: z.number().int().nonnegative() },
    saveSession: { args: z.tuple([sessionRecordSchema]), result: nothing },
    findSession: { args: z.tuple([text]), result: sessionRecordSchema.optional() },
    deleteSession: { args: z.tuple([text]), result: nothing },
    deleteUserSessions: { args: z.tuple([text]), result: z.array(text) },
    deleteExpiredSessions: { args: z.tuple([epochMsSchema]), result: nothing },
    appendAudit: { args: z.tuple([z.array(auditRecordSchema).max(10_000)]), result: nothing },
    listAudit: { args: z.tuple([auditRecordQuerySchema]), result: z.array(auditRecordSchema) },
    purgeAuditBefore: { args: z.tuple([epochMsSchema]), result: nothing },
    saveSiteStatus: { args: z.tuple([siteStatusRecordSchema]), result: nothing },
    listSiteStatuses: { args: z.tuple([]), result: z.array(siteStatusRecordSchema) },
    addRejections: { args: z.tuple([z.array(rejectionSchema)]), result: nothing },
    listRejections: { args: z.tuple([listLimit]), result: z.array(rejectionSchema) },
    rejectionTotals: { args: z.tuple([]), result: z.record(z.string(), z.number().int().nonnegative()) },
  },
  notifications: {
    listSubscriptions: { args: z.tuple([text.nullable()]), result: z.array(subscriptionSchema) },
    getSubscription: { args: z.tuple([text]), result: subscriptionSchema.optional() },
    createSubscription: { args: z.tuple([text, subscriptionInputSchema]), result: subscriptionSchema },
    updateSubscription: { args: z.tuple([text, subscriptionInputSchema]), result: subscriptionSchema },
    deleteSubscription: { args: z.tuple([text]), result: z.boolean() },
    listFeed: { args: z.tuple([text, z.number().int().min(1).max(10_000), z.boolean()]), result: feedResponseSchema },
    markFeedRead: { args: z.tuple([text, z.array(text).max(10_000).nullable()]), result: z.number().int().nonnegative() },
    listDeliveries: {
      args: z.tuple([z.object({ status: z.enum(DELIVERY_STATUSES).optional(), username: text.optional(), limit: listLimit })]),
      result: deliveryListResponseSchema,
    },
    retryDelivery: { args: z.tuple([text]), result: deliverySchema },
    channelStatus: { args: z.tuple([]), result: z.array(channelStatusSchema) },
  },
  alerts: {
    listAlerts: { args: z.tuple([alertQuerySchema]), result: z.array(alertSchema) },
    getAlert: { args: z.tuple([text]), result: alertSchema.optional() },
    /** [id, by, comment or null] */
    acknowledge: { args: z.tuple([text, text, z.string().max(2000).nullable()]), result: alertSchema },
    comment: { args: z.tuple([text, text, z.string().min(1).max(2000)]), result: alertSchema },
    listRules: { args: z.tuple([]), result: z.array(ruleRecordSchema) },
    createRule: { args: z.tuple([ruleDefinitionSchema, text]), result: ruleRecordSchema },
    updateRule: { args: z.tuple([text, ruleDefinitionSchema, text]), result: ruleRecordSchema },
    deleteRule: { args: z.tuple([text, text]), result: nothing },
    listPresets: { args: z.tuple([]), result: z.array(presetSchema) },
  },
} as const;

export type DataApi = typeof DATA_API;
/** `telemetry`, `registry`, `notifications` or `alerts`. */
export type DataApiTarget = keyof DataApi;
/** Schemas of one method. */
export interface DataApiMethod {
  readonly args: z.ZodType<unknown[]>;
  readonly result: z.ZodType;
}

/** The contract entry of `target`/`method`, or undefined when there is none (own keys only). */
export function findDataApiMethod(target: string, method: string): DataApiMethod | undefined {
  if (!Object.hasOwn(DATA_API, target)) return undefined;
  const methods: Readonly<Record<string, DataApiMethod>> = DATA_API[target as DataApiTarget];
  return Object.hasOwn(methods, method) ? methods[method] : undefined;
}
