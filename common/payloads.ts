/**
 * MQTT payload contract for devices (`sites/{siteId}/…`) and for the platform's own fan-out
 * topics (`platform/…`). Schemas are zod, so the broker, ingest, simulators and tests validate
 * the same way. Telemetry decoding with reasons lives in ingest; these are the shapes.
 */
import { z } from 'zod';
import { DEVICE_STATUSES } from './sites.js';

/** Epoch milliseconds (UTC). */
export const epochMsSchema = z.number().int().nonnegative().max(8_640_000_000_000_000);

/**
 * ThingsBoard-style reading: `{"ts": <ms>, "values": {"do": 5.2, ...}}`. `ts` is optional (then
 * the receive time is used). Values are left loose here (`unknown`) so ingest can reject each
 * bad one with its own reason while keeping the good ones.
 */
export const timedValuesSchema = z.object({
  ts: z.unknown().optional(),
  values: z.record(z.string(), z.unknown()),
});
export type TimedValuesPayload = z.infer<typeof timedValuesSchema>;

/**
 * One SenML record (RFC 8428 §4). Times are seconds; `bt`/`bn`/`bu` are base fields that apply to
 * later records too (§4.5). Only numeric values (`v`) are accepted by ingest.
 */
export const senmlRecordSchema = z
  .object({
    bn: z.string().optional(),
    bt: z.number().optional(),
    bu: z.string().optional(),
    bv: z.number().optional(),
    bver: z.number().optional(),
    n: z.string().optional(),
    u: z.string().optional(),
    v: z.unknown().optional(),
    vs: z.string().optional(),
    vb: z.boolean().optional(),
    vd: z.string().optional(),
    s: z.number().optional(),
    t: z.number().optional(),
    ut: z.number().optional(),
  })
  .loose();
export type SenmlRecord = z.infer<typeof senmlRecordSchema>;

/** Device status on `sites/{siteId}/status` (retained; the Last Will carries `offline`). */
export const statusPayloadSchema = z.object({
  status: z.enum(DEVICE_STATUSES),
  /** Epoch ms when the device sent it; receive time if absent. */
  ts: epochMsSchema.optional(),
  /** Battery voltage, V. */
  battery: z.number().finite().min(0).max(60).optional(),
  /** Radio signal strength, dBm. */
  rssi: z.number().finite().min(-150).max(0).optional(),
  firmware: z.string().max(64).optional(),
});
export type StatusPayload = z.infer<typeof statusPayloadSchema>;

/** Severity a device attaches to an event it reports. */
export const DEVICE_EVENT_SEVERITIES = ['info', 'warning', 'critical'] as const;

/** Camera analytics and device events on `sites/{siteId}/events`. */
export const eventPayloadSchema = z.object({
  ts: epochMsSchema.optional(),
  /** Machine-readable kind, e.g. `vehicle_count`, `crowd_level`, `intrusion`, `tamper`, `reboot`. */
  type: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  severity: z.enum(DEVICE_EVENT_SEVERITIES).default('info'),
  /** Human-readable text; untrusted, always rendered as text. */
  message: z.string().max(500).optional(),
  /** Small structured detail (counts, zone names). */
  data: z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])).optional(),
});
export type EventPayload = z.infer<typeof eventPayloadSchema>;

/** A validated reading: one site, one timestamp, values in catalog units keyed by metric id. */
export const readingSchema = z.object({
  siteId: z.string(),
  /** Epoch ms of the measurement (device time, or receive time when the device sent none). */
  ts: epochMsSchema,
  values: z.record(z.string(), z.number()),
});
export type Reading = z.infer<typeof readingSchema>;

/** What ingest publishes on `platform/readings/{siteId}` after storing a telemetry message. */
export const platformReadingsMessageSchema = z.object({
  siteId: z.string(),
  readings: z.array(readingSchema.omit({ siteId: true })),
});
export type PlatformReadingsMessage = z.infer<typeof platformReadingsMessageSchema>;

/** What ingest publishes on `platform/site-status/{siteId}` after a device status change. */
export const platformSiteStatusMessageSchema = z.object({
  siteId: z.string(),
  status: z.enum(DEVICE_STATUSES),
  ts: epochMsSchema,
  battery: z.number().optional(),
  rssi: z.number().optional(),
});
export type PlatformSiteStatusMessage = z.infer<typeof platformSiteStatusMessageSchema>;
