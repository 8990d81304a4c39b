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
import { historySeriesSchema, ROLES, rejectionSchema } from '../../../common/api.js';
import { METRIC_IDS } from '../../../common/metrics.js';
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

const deviceCredentialSchema = z.object({ siteId: text, tokenHash: text, issuedAt: epochMsSchema });

const userRecordSchema = z.object({ username: text, passwordHash: text, role: z.enum(ROLES), createdAt: epochMsSchema });

const sessionRecordSchema = z.object({ idHash: text, username: text, createdAt: epochMsSchema, expiresAt: epochMsSchema });

const siteStatusRecordSchema = z.object({
  siteId: text,
  status: z.enum(DEVICE_STATUSES),
  ts: epochMsSchema,
  battery: z.number().optional(),
  rssi: z.number().optional(),
});

const registeredSiteSchema = z.object({ site: siteSchema, source: z.enum(SITE_SOURCES), createdAt: epochMsSchema });

const nothing = z.undefined();

/** Argument and result schemas of every data API method, by target (`telemetry`, `registry`) and method name. */
export const DATA_API = {
  telemetry: {
    writeReadings: { args: z.tuple([z.array(readingSchema)]), result: nothing },
    queryHistory: { args: z.tuple([historyRequestSchema]), result: historySeriesSchema },
    latestValues: { args: z.tuple([]), result: z.array(siteLatestSchema) },
    writeEvents: { args: z.tuple([z.array(siteEventSchema)]), result: nothing },
    listEvents: { args: z.tuple([text, listLimit]), result: z.array(siteEventSchema) },
    purgeBefore: { args: z.tuple([z.number().int()]), result: nothing },
  },
  registry: {
    listSites: { args: z.tuple([]), result: z.array(registeredSiteSchema) },
    saveSites: { args: z.tuple([z.array(registeredSiteSchema).max(50_000)]), result: nothing },
    deleteSites: { args: z.tuple([z.array(text).max(50_000)]), result: nothing },
    getDeviceCredential: { args: z.tuple([text]), result: deviceCredentialSchema.optional() },
    saveDeviceCredential: { args: z.tuple([deviceCredentialSchema]), result: nothing },
    findUser: { args: z.tuple([text]), result: userRecordSchema.optional() },
    saveUser: { args: z.tuple([userRecordSchema]), result: nothing },
    countUsers: { args: z.tuple([]), result: z.number().int().nonnegative() },
    saveSession: { args: z.tuple([sessionRecordSchema]), result: nothing },
    findSession: { args: z.tuple([text]), result: sessionRecordSchema.optional() },
    deleteSession: { args: z.tuple([text]), result: nothing },
    deleteExpiredSessions: { args: z.tuple([epochMsSchema]), result: nothing },
    saveSiteStatus: { args: z.tuple([siteStatusRecordSchema]), result: nothing },
    listSiteStatuses: { args: z.tuple([]), result: z.array(siteStatusRecordSchema) },
    addRejections: { args: z.tuple([z.array(rejectionSchema)]), result: nothing },
    listRejections: { args: z.tuple([listLimit]), result: z.array(rejectionSchema) },
    rejectionTotals: { args: z.tuple([]), result: z.record(z.string(), z.number().int().nonnegative()) },
  },
} as const;

export type DataApi = typeof DATA_API;
/** `telemetry` or `registry`. */
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
