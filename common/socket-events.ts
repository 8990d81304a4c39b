/**
 * Socket.io contract between the web server and the browser app. Both sides type their
 * `Server`/`Socket` with these maps, so an event name or payload cannot drift.
 */
import { z } from 'zod';
import type { AlertChange } from './alerts.js';
import type { DeviceStatus } from './sites.js';
import type { WqiResult } from './wqi.js';

/** A reading as pushed live: values in catalog units keyed by metric id; ts in epoch ms. */
export interface LiveReading {
  readonly siteId: string;
  readonly ts: number;
  readonly values: Readonly<Record<string, number>>;
  /** Water-quality sites: VN_WQI (indicative) from the site's latest values once this reading is merged. */
  readonly wqi?: WqiResult;
}

/** A device status change as pushed live. `lastSeen` is epoch ms. */
export interface LiveSiteStatus {
  readonly siteId: string;
  readonly status: DeviceStatus;
  readonly lastSeen: number;
}

/**
 * Sites heard from in the last few seconds, newest time per site (`lastSeen[i]` epoch ms for
 * `siteIds[i]`): sent to every client, so each knows every site's last contact (online / stale)
 * although it receives readings only for what it shows.
 */
export interface SitesSeen {
  readonly siteIds: readonly string[];
  readonly lastSeen: readonly number[];
}

export interface ServerToClientEvents {
  /** Every few seconds: the sites heard since the previous batch. */
  'sites-seen': (batch: SitesSeen) => void;
  reading: (reading: LiveReading) => void;
  'site-status': (status: LiveSiteStatus) => void;
  /** An alert was raised, changed severity, was acknowledged, commented or cleared. */
  alert: (change: AlertChange) => void;
}

/** Most sites a client may follow outside its viewport (an open site drawer, pinned sites). */
export const MAX_FOLLOWED_SITES = 50;

/**
 * What a client wants live `reading` events for: the sites inside `bbox` ([west, south, east,
 * north], WGS84 degrees) plus the `sites` it follows (an open drawer). `bbox: null` = every site
 * (the default before a client sends one). `site-status` and `alert` events always go to everyone.
 */
export const viewportSubscriptionSchema = z.object({
  bbox: z
    .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)])
    .nullable(),
  sites: z.array(z.string().max(64)).max(MAX_FOLLOWED_SITES).default([]),
});
export type ViewportSubscription = z.input<typeof viewportSubscriptionSchema>;

export interface ClientToServerEvents {
  /** Narrows the `reading` stream to what is on screen (see {@link viewportSubscriptionSchema}). */
  viewport: (subscription: ViewportSubscription) => void;
}

/** Name of the session cookie that authenticates both REST and the socket.io handshake. */
export const SESSION_COOKIE = 'ioc_session';
