/**
 * Notification contract: who wants to hear about which alerts, how (channels), and what the
 * platform records about each message it sends (outbox deliveries, the in-app feed). The web
 * server validates REST bodies with these schemas, the OpenAPI document is generated from them and
 * the browser app types its fetches with them. Times are epoch milliseconds (UTC); quiet hours are
 * local time in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
 */
import { z } from 'zod';
import { ALERT_SEVERITIES } from './alerts.js';
import { siteIdSchema } from './sites.js';

/** Languages messages are written in; Vietnamese is the default. */
export const NOTIFICATION_LANGUAGES = ['vi', 'en'] as const;
export type NotificationLanguage = (typeof NOTIFICATION_LANGUAGES)[number];

/** The time zone of quiet hours and of the times printed in messages. */
export const NOTIFICATION_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** Ways a subscriber can be reached; each one is a channel behind the same interface on the server. */
export const NOTIFICATION_CHANNELS = ['in-app', 'webhook', 'email', 'gateway'] as const;
export type NotificationChannelType = (typeof NOTIFICATION_CHANNELS)[number];

/**
 * Why a message is sent: the alert was raised, its severity went up, it is still critical and
 * unacknowledged (reminder), it was escalated to the next level, acknowledged, or cleared.
 */
export const NOTIFICATION_KINDS = ['raised', 'severity_changed', 'reminder', 'escalation', 'acknowledged', 'cleared'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Most sites one subscription may list. */
export const MAX_SUBSCRIPTION_SITES = 1000;
/** Most channels one subscription may have. */
export const MAX_SUBSCRIPTION_CHANNELS = 10;

/** Which sites a subscription covers: a list, a province (current or former name) or a map rectangle. */
export const subscriptionScopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sites'), siteIds: z.array(siteIdSchema).min(1).max(MAX_SUBSCRIPTION_SITES) }).strict(),
  z
    .object({
      type: z.literal('province'),
      /** A province name, current ("Cần Thơ") or former ("Hậu Giang"); case and diacritics are ignored. */
      province: z.string().trim().min(1).max(100),
    })
    .strict(),
  z
    .object({
      type: z.literal('rectangle'),
      /** WGS84 degrees; south ≤ north and west ≤ east (the Mekong Delta never crosses the antimeridian). */
      south: z.number().min(-90).max(90),
      west: z.number().min(-180).max(180),
      north: z.number().min(-90).max(90),
      east: z.number().min(-180).max(180),
    })
    .strict()
    .refine((box) => box.south <= box.north, { message: 'south must not be greater than north', path: ['south'] })
    .refine((box) => box.west <= box.east, { message: 'west must not be greater than east', path: ['west'] }),
]);
export type SubscriptionScope = z.infer<typeof subscriptionScopeSchema>;

/** `HH:MM`, 24-hour clock. */
const clockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (00:00–23:59)');

/**
 * Local times (Asia/Ho_Chi_Minh) between which only critical alerts are sent to external channels
 * (e-mail, webhook, gateway); the in-app feed still records everything. `start` after `end` spans
 * midnight (22:00–06:00). `start` is included, `end` excluded.
 */
export const quietHoursSchema = z
  .object({ start: clockTimeSchema, end: clockTimeSchema })
  .strict()
  .refine((hours) => hours.start !== hours.end, { message: 'start and end must differ', path: ['end'] });
export type QuietHours = z.infer<typeof quietHoursSchema>;

/** Where one channel delivers. */
export const channelTargetSchema = z.discriminatedUnion('type', [
  /** The subscriber's feed in the app (`GET /api/notifications`). */
  z.object({ type: z.literal('in-app') }).strict(),
  /** JSON POST signed with HMAC-SHA256 (header `X-IOC-Signature`); see docs/notifications.md. */
  z
    .object({
      type: z.literal('webhook'),
      url: z.url({ protocol: /^https?$/ }).max(2000),
    })
    .strict(),
  z.object({ type: z.literal('email'), to: z.email().max(254) }).strict(),
  /** The configured SMS/Zalo/Telegram-style HTTP gateway; `to` is a phone number or chat id. */
  z
    .object({
      type: z.literal('gateway'),
      to: z
        .string()
        .trim()
        .min(1)
        .max(128)
        .regex(/^[\p{L}\p{N}+@._:-]+$/u, 'a phone number, chat id or user name without spaces'),
    })
    .strict(),
]);
export type ChannelTarget = z.infer<typeof channelTargetSchema>;

/** The part of a subscription its owner edits (`POST`/`PUT /api/subscriptions`). */
export const subscriptionInputSchema = z
  .object({
    /** A label for the owner, e.g. "Hậu Giang shrimp farms". */
    name: z.string().trim().min(1).max(100).optional(),
    scope: subscriptionScopeSchema,
    /** Alerts below this severity are not sent. */
    minSeverity: z.enum(ALERT_SEVERITIES).default('warning'),
    channels: z.array(channelTargetSchema).min(1).max(MAX_SUBSCRIPTION_CHANNELS),
    quietHours: quietHoursSchema.nullable().default(null),
    language: z.enum(NOTIFICATION_LANGUAGES).default('vi'),
    /**
     * 1: told about alerts as they happen. 2 (e.g. the shift supervisor): told only when a critical
     * alert stays unacknowledged past the escalation delay, and then until it is acknowledged or clears.
     */
    escalationLevel: z.union([z.literal(1), z.literal(2)]).default(1),
    enabled: z.boolean().default(true),
  })
  .strict();
export type SubscriptionInput = z.infer<typeof subscriptionInputSchema>;

/** `POST /api/subscriptions`: admins may create one for another user. */
export const createSubscriptionRequestSchema = subscriptionInputSchema.extend({
  /** Owner (admin only); default: the caller. */
  username: z.string().min(1).max(64).optional(),
});
export type CreateSubscriptionRequest = z.input<typeof createSubscriptionRequestSchema>;

export const subscriptionSchema = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string().optional(),
  scope: subscriptionScopeSchema,
  minSeverity: z.enum(ALERT_SEVERITIES),
  channels: z.array(channelTargetSchema),
  quietHours: quietHoursSchema.nullable(),
  language: z.enum(NOTIFICATION_LANGUAGES),
  escalationLevel: z.union([z.literal(1), z.literal(2)]),
  enabled: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export const subscriptionListResponseSchema = z.object({ subscriptions: z.array(subscriptionSchema) });
export type SubscriptionListResponse = z.infer<typeof subscriptionListResponseSchema>;

/** `GET /api/subscriptions?user=`: admins may list another user's subscriptions, or everyone's with `*`. */
export const subscriptionListQuerySchema = z.object({ user: z.string().min(1).max(64).optional() });

/** Delivery states in the outbox: waiting (first try or retry), delivered, or given up after the last attempt. */
export const DELIVERY_STATUSES = ['pending', 'sent', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One message to one channel target, as kept in the outbox. */
export const deliverySchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  username: z.string(),
  subscriptionId: z.string(),
  alertId: z.string(),
  siteId: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  channel: z.enum(NOTIFICATION_CHANNELS),
  /** The address: user name (in-app), URL (webhook), e-mail address or gateway recipient. */
  target: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  /** Epoch ms of the next try (pending only). */
  nextAttemptAt: z.number().nullable(),
  lastAttemptAt: z.number().nullable(),
  /** Why the last attempt failed (e.g. `HTTP 503`, `ECONNREFUSED`); never a response body. */
  lastError: z.string().nullable(),
  sentAt: z.number().nullable(),
});
export type Delivery = z.infer<typeof deliverySchema>;

/** `GET /api/notifications/outbox?status=&user=&limit=` (admin). */
export const deliveryListQuerySchema = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  user: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type DeliveryListQuery = z.infer<typeof deliveryListQuerySchema>;

/** Outbox size per status. */
export const outboxCountsSchema = z.object({ pending: z.number().int(), sent: z.number().int(), dead: z.number().int() });
export type OutboxCounts = z.infer<typeof outboxCountsSchema>;

export const deliveryListResponseSchema = z.object({
  /** Newest first. */
  deliveries: z.array(deliverySchema),
  counts: outboxCountsSchema,
});
export type DeliveryListResponse = z.infer<typeof deliveryListResponseSchema>;

/** An entry of a user's in-app notification feed, in the language of the subscription that produced it. */
export const feedEntrySchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  alertId: z.string(),
  siteId: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  severity: z.enum(ALERT_SEVERITIES),
  language: z.enum(NOTIFICATION_LANGUAGES),
  title: z.string(),
  /** Plain text (may contain site names and comments: render as text). */
  body: z.string(),
  /** The site on the map. */
  link: z.string(),
  readAt: z.number().nullable(),
});
export type FeedEntry = z.infer<typeof feedEntrySchema>;

/** `GET /api/notifications?limit=&unread=`. */
export const feedQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** `true`: unread entries only. */
  unread: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});
export type FeedQuery = z.infer<typeof feedQuerySchema>;

export const feedResponseSchema = z.object({
  /** Newest first. */
  notifications: z.array(feedEntrySchema),
  unread: z.number().int(),
});
export type FeedResponse = z.infer<typeof feedResponseSchema>;

/** `POST /api/notifications/read`: mark some entries, or all of the caller's, as read. */
export const markReadRequestSchema = z.union([
  z.object({ ids: z.array(z.string().min(1).max(64)).min(1).max(500) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);
export type MarkReadRequest = z.infer<typeof markReadRequestSchema>;

export const markReadResponseSchema = z.object({ marked: z.number().int() });

/** Whether the notifying process has a channel configured (SMTP_URL, gateway URL, webhook secret). */
export const channelStatusSchema = z.object({
  channel: z.enum(NOTIFICATION_CHANNELS),
  configured: z.boolean(),
  /** What is missing, or where it sends (never a secret). */
  detail: z.string(),
});
export type ChannelStatus = z.infer<typeof channelStatusSchema>;

export const channelStatusListResponseSchema = z.object({ channels: z.array(channelStatusSchema) });
