/**
 * REST contract: request and response bodies of `/api/*` as zod schemas. The web server validates
 * requests with them, the OpenAPI document is generated from them, and the browser app types its
 * fetches with them. Times are epoch milliseconds (UTC); values are in catalog units.
 */
import { z } from 'zod';
import { METRIC_IDS } from './metrics.js';
import { DEVICE_EVENT_SEVERITIES } from './payloads.js';
import { REJECTION_REASONS } from './rejections.js';
import { DEVICE_STATUSES, provinceSchema, SITE_KINDS, siteIdSchema, siteSchema } from './sites.js';
import { wqiResultSchema } from './wqi.js';

/** Roles, least to most privileged. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const loginRequestSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const userInfoSchema = z.object({
  username: z.string(),
  role: z.enum(ROLES),
});
export type UserInfo = z.infer<typeof userInfoSchema>;

/** User names: 3–64 of a–z, 0–9, `_`, `.` and `-` (the same rule as ADMIN_USERNAME). */
export const usernameSchema = z.string().regex(/^[a-z0-9_.-]{3,64}$/, 'use 3–64 of a–z, 0–9, "_", "." and "-"');

/** `POST /api/users` (admin): a new account; the password is stored only as a scrypt hash. */
export const createUserRequestSchema = z
  .object({
    username: usernameSchema,
    password: z.string().min(10, 'at least 10 characters').max(256),
    role: z.enum(ROLES),
  })
  .strict();
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

/** A user as admins see it (never the password hash). */
export const userSummarySchema = z.object({
  username: z.string(),
  role: z.enum(ROLES),
  /** Epoch ms. */
  createdAt: z.number(),
  /** Epoch ms since when the account is disabled (it cannot log in; its sessions ended); absent while enabled. */
  disabledAt: z.number().optional(),
});
export type UserSummary = z.infer<typeof userSummarySchema>;

/**
 * `PUT /api/users/{username}` (admin): change a role, disable or re-enable the account, or set a
 * new password. Any change ends the user's sessions (they log in again with the new rights).
 */
export const updateUserRequestSchema = z
  .object({
    role: z.enum(ROLES).optional(),
    disabled: z.boolean().optional(),
    password: z.string().min(10, 'at least 10 characters').max(256).optional(),
  })
  .strict()
  .refine((body) => body.role !== undefined || body.disabled !== undefined || body.password !== undefined, {
    message: 'give at least one of role, disabled, password',
  });
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

/** Path parameter of the user admin routes. */
export const usernameParamsSchema = z.object({ username: usernameSchema });

/** Answer of a session revocation (`DELETE /api/users/{username}/sessions`, `POST /api/auth/logout-all`). */
export const sessionRevocationResponseSchema = z.object({
  /** Sessions ended. */
  revoked: z.number().int().nonnegative(),
});
export type SessionRevocationResponse = z.infer<typeof sessionRevocationResponseSchema>;

export const userListResponseSchema = z.object({ users: z.array(userSummarySchema) });
export type UserListResponse = z.infer<typeof userListResponseSchema>;

export const healthSchema = z.object({
  /** `ok`: all parts working; `degraded`: serving, but a dependency is down (data may be late). */
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSec: z.number(),
  components: z.record(z.string(), z.object({ status: z.enum(['ok', 'degraded', 'down']), detail: z.string().optional() })),
});
export type Health = z.infer<typeof healthSchema>;

/** Latest value of one metric at a site. */
export const latestValueSchema = z.object({
  value: z.number(),
  /** Catalog unit, e.g. `mg/L`, `‰`, `°C`; empty for pH. */
  unit: z.string(),
  /** Epoch ms of the measurement. */
  ts: z.number(),
});
export type LatestValue = z.infer<typeof latestValueSchema>;

export const siteSummarySchema = z.object({
  id: siteIdSchema,
  name: z.string(),
  kind: z.enum(SITE_KINDS),
  lat: z.number(),
  lon: z.number(),
  province: provinceSchema,
  reportingIntervalSec: z.number(),
  snapshotUrl: z.string().optional(),
  /** What the map shows: device status, `stale` when silent for 3 intervals, `unknown` if never heard. */
  status: z.enum([...DEVICE_STATUSES, 'stale', 'unknown']),
  /** Last status the device itself reported (retained message or Last Will). */
  reportedStatus: z.enum(DEVICE_STATUSES).nullable(),
  /** Epoch ms of the last message of any kind from the site, or null. */
  lastSeen: z.number().nullable(),
  /** Latest value per metric id. */
  latest: z.record(z.string(), latestValueSchema),
  /**
   * Water-quality sites: VN_WQI (Decision 1460/QĐ-TCMT, indicative) from the latest values; null
   * when the site is of another kind or lacks pH or every group IV parameter (common/wqi.ts).
   */
  wqi: wqiResultSchema.nullable().optional(),
});
export type SiteSummary = z.infer<typeof siteSummarySchema>;

export const siteListResponseSchema = z.object({ sites: z.array(siteSummarySchema) });
export type SiteListResponse = z.infer<typeof siteListResponseSchema>;

/** Upper bound on points per series the server returns; larger ranges are downsampled. */
export const MAX_HISTORY_POINTS = 2000;

export const readingsQuerySchema = z.object({
  metric: z.enum(METRIC_IDS),
  /** Epoch ms or ISO-8601; default: 24 h before `to`. */
  from: z.union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true })]).optional(),
  /** Epoch ms or ISO-8601; default: now. */
  to: z.union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true })]).optional(),
  /** Maximum buckets to return (1–2000, default 2000). */
  maxPoints: z.coerce.number().int().min(1).max(MAX_HISTORY_POINTS).optional(),
});
export type ReadingsQuery = z.infer<typeof readingsQuerySchema>;

/** One time bucket of a downsampled series; with one reading per bucket min = avg = max. */
export const historyBucketSchema = z.object({
  /** Bucket start, epoch ms. */
  ts: z.number(),
  min: z.number(),
  avg: z.number(),
  max: z.number(),
  /** Readings aggregated into the bucket. */
  count: z.number().int(),
});
export type HistoryBucket = z.infer<typeof historyBucketSchema>;

export const historySeriesSchema = z.object({
  siteId: z.string(),
  metric: z.enum(METRIC_IDS),
  unit: z.string(),
  from: z.number(),
  to: z.number(),
  /** Width of each bucket, ms. */
  bucketMs: z.number().int().positive(),
  points: z.array(historyBucketSchema),
});
export type HistorySeries = z.infer<typeof historySeriesSchema>;

export const rejectionSchema = z.object({
  /** Epoch ms when ingest refused it. */
  ts: z.number(),
  reason: z.enum(REJECTION_REASONS),
  topic: z.string(),
  siteId: z.string().nullable(),
  /** Specific explanation, e.g. `ph = 15 is outside 0–14`. */
  detail: z.string(),
  /** The start of the offending payload, for diagnosis (at most 512 characters). */
  payloadExcerpt: z.string(),
});
export type Rejection = z.infer<typeof rejectionSchema>;

export const rejectionListResponseSchema = z.object({
  /** Newest first. */
  rejections: z.array(rejectionSchema),
  /** Rejections ever recorded, per reason. */
  totals: z.record(z.string(), z.number()),
});
export type RejectionListResponse = z.infer<typeof rejectionListResponseSchema>;

export const deviceTokenResponseSchema = z.object({
  siteId: z.string(),
  /** The MQTT password for username = siteId. Shown once; only a hash is kept. */
  token: z.string(),
  issuedAt: z.number(),
  /**
   * Epoch ms until which the token this one replaced, if there was one, is still accepted (rotation
   * grace, so the device can be reconfigured without downtime); absent when it stopped working at once.
   */
  previousTokenValidUntil: z.number().optional(),
});
export type DeviceTokenResponse = z.infer<typeof deviceTokenResponseSchema>;

/** Longest rotation grace an admin may ask for, minutes (7 days). */
export const MAX_TOKEN_GRACE_MINUTES = 7 * 24 * 60;

/** `POST /api/sites/{id}/token?graceMinutes=`: how long the replaced token stays valid (0 = revoke it now). */
export const deviceTokenQuerySchema = z.object({
  /** Minutes; default DEVICE_TOKEN_GRACE_MINUTES. */
  graceMinutes: z.coerce.number().int().min(0).max(MAX_TOKEN_GRACE_MINUTES).optional(),
});

/** Whether a site's device may connect and its data is accepted (`POST /api/sites/{id}/disable|enable`). */
export const siteAccessResponseSchema = z.object({
  siteId: z.string(),
  enabled: z.boolean(),
  /** Epoch ms since when the site is disabled, or null while enabled. */
  disabledAt: z.number().nullable(),
});
export type SiteAccessResponse = z.infer<typeof siteAccessResponseSchema>;

/** Public, unauthenticated settings the browser app needs before login (`GET /api/app-config`). */
export const appConfigSchema = z.object({
  version: z.string(),
  /** Raster tile URL template, or null: only the bundled offline base layer is shown. */
  mapTileUrl: z.string().nullable(),
  mapTileAttribution: z.string().nullable(),
});
export type AppConfig = z.infer<typeof appConfigSchema>;

/** A device or camera-analytics event as served by `GET /api/sites/{id}/events`. */
export const siteEventSchema = z.object({
  siteId: z.string(),
  /** Epoch ms. */
  ts: z.number(),
  type: z.string(),
  severity: z.enum(DEVICE_EVENT_SEVERITIES),
  /** Device-supplied text; untrusted, render as text. */
  message: z.string().optional(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type SiteEventDto = z.infer<typeof siteEventSchema>;

export const siteEventListResponseSchema = z.object({
  /** Newest first. */
  events: z.array(siteEventSchema),
});
export type SiteEventListResponse = z.infer<typeof siteEventListResponseSchema>;

/** `GET /api/sites/{id}/events?limit=`: newest events, 1–500, default 50. */
export const eventsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

/** `GET /api/ingest/rejections?limit=`: newest dead letters, 1–1000, default 100. */
export const rejectionsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type RejectionsQuery = z.infer<typeof rejectionsQuerySchema>;

/** Sites one `POST /api/sites` may register. */
export const MAX_SITES_PER_REGISTRATION = 5000;

/**
 * `POST /api/sites` (admin): one site, or `{sites, issueTokens?}` to register many at once (the
 * simulators' load mode registers thousands). With `issueTokens`, each new site's device token is
 * returned once, as by `POST /api/sites/{id}/token`.
 */
export const registerSitesRequestSchema = z.union([
  siteSchema,
  z.object({
    sites: z.array(siteSchema).min(1).max(MAX_SITES_PER_REGISTRATION),
    issueTokens: z.boolean().default(false),
  }),
]);
export type RegisterSitesRequest = z.input<typeof registerSitesRequestSchema>;

export const registerSitesResponseSchema = z.object({
  /** Ids of the sites registered. */
  registered: z.array(z.string()),
  /** Present when `issueTokens` was requested: each site's device token, shown once. */
  tokens: z.array(deviceTokenResponseSchema).optional(),
});
export type RegisterSitesResponse = z.infer<typeof registerSitesResponseSchema>;

/**
 * `POST /api/sites/remove` (admin): many sites at once (the simulators' load mode cleans up
 * thousands). Unknown ids are reported, not an error; a seeded id refuses the whole request.
 */
export const removeSitesRequestSchema = z.object({
  siteIds: z.array(siteIdSchema).min(1).max(MAX_SITES_PER_REGISTRATION),
});
export type RemoveSitesRequest = z.infer<typeof removeSitesRequestSchema>;

export const removeSitesResponseSchema = z.object({
  /** Ids removed. */
  removed: z.array(z.string()),
  /** Ids that were not registered (nothing to remove). */
  notFound: z.array(z.string()),
});
export type RemoveSitesResponse = z.infer<typeof removeSitesResponseSchema>;

/** Longest lookback of a replay frame, ms (6 h): a value older than this is not "current" at the frame time. */
export const MAX_REPLAY_LOOKBACK_MS = 6 * 3600 * 1000;
/** Default lookback of a replay frame, ms (30 min). */
export const DEFAULT_REPLAY_LOOKBACK_MS = 30 * 60 * 1000;
/** Metrics a replay frame carries when the request names none: what the map colours sites by. */
export const DEFAULT_REPLAY_METRICS = ['salinity', 'temperature', 'ph', 'do', 'cod', 'nh4', 'po4'] as const;

/**
 * `GET /api/replay/frame?at=&lookbackMs=&metrics=`: the whole map as it was at `at` (time-travel
 * replay). `metrics` is a comma-separated list of metric ids (default {@link DEFAULT_REPLAY_METRICS}).
 */
export const replayFrameQuerySchema = z.object({
  /** Epoch ms of the frame. */
  at: z.coerce.number().int().nonnegative(),
  /** A value counts as current at `at` when it is at most this old, ms (60 s – 6 h, default 30 min). */
  lookbackMs: z.coerce.number().int().min(60_000).max(MAX_REPLAY_LOOKBACK_MS).optional(),
  metrics: z
    .string()
    .regex(/^[a-z0-9_]+(,[a-z0-9_]+)*$/, 'comma-separated metric ids')
    .refine((list) => list.split(',').every((id) => (METRIC_IDS as readonly string[]).includes(id)), 'unknown metric id')
    .optional(),
});
export type ReplayFrameQuery = z.infer<typeof replayFrameQuerySchema>;

/**
 * One replay frame, column-oriented to stay small at 20,000 sites: `siteIds[i]` was last heard at
 * `lastSeen[i]` (epoch ms, within the lookback) and had `values[metric][i]` (catalog unit, null
 * when that metric had no reading in the window). Sites with no reading in the window are absent.
 */
export const replayFrameSchema = z.object({
  /** Epoch ms of the frame. */
  at: z.number(),
  /** Start of the lookback window, epoch ms (exclusive). */
  from: z.number(),
  siteIds: z.array(z.string()),
  lastSeen: z.array(z.number()),
  values: z.record(z.string(), z.array(z.number().nullable())),
});
export type ReplayFrame = z.infer<typeof replayFrameSchema>;

/** `GET /api/kpis`: operations figures the header shows that the browser cannot count itself. */
export const kpiSnapshotSchema = z.object({
  /** Epoch ms when computed. */
  at: z.number(),
  /** Readings stored over the last full 60 s (what ingest fanned out to the web server). */
  readingsPerMinute: z.number().int().nonnegative(),
  /** Readings per second over the last 10 s, averaged. */
  readingsPerSecond: z.number().nonnegative(),
});
export type KpiSnapshot = z.infer<typeof kpiSnapshotSchema>;

/** Most sites `GET /api/map/latest` returns; a larger area answers the first ones and `truncated`. */
export const MAX_AREA_SITES = 5000;

/** `GET /api/map/latest?bbox=west,south,east,north`: the current state of the sites in an area (degrees). */
export const areaQuerySchema = z.object({
  bbox: z
    .string()
    .transform((text) => text.split(',').map(Number))
    .pipe(
      z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)]),
    ),
});
export type AreaQuery = z.infer<typeof areaQuerySchema>;

/**
 * The sites of an area with their status and latest values — what a browser that receives readings
 * only for what it shows needs when it moves to show other sites.
 */
export const areaLatestResponseSchema = z.object({
  sites: z.array(siteSummarySchema),
  /** True when the area held more than {@link MAX_AREA_SITES} sites. */
  truncated: z.boolean(),
});
export type AreaLatestResponse = z.infer<typeof areaLatestResponseSchema>;
