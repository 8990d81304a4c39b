/**
 * Socket.io contract between the web server and the browser app. Both sides type their
 * `Server`/`Socket` with these maps, so an event name or payload cannot drift.
 */
import type { AlertChange } from './alerts.js';
import type { DeviceStatus } from './sites.js';

/** A reading as pushed live: values in catalog units keyed by metric id; ts in epoch ms. */
export interface LiveReading {
  readonly siteId: string;
  readonly ts: number;
  readonly values: Readonly<Record<string, number>>;
}

/** A device status change as pushed live. `lastSeen` is epoch ms. */
export interface LiveSiteStatus {
  readonly siteId: string;
  readonly status: DeviceStatus;
  readonly lastSeen: number;
}

export interface ServerToClientEvents {
  reading: (reading: LiveReading) => void;
  'site-status': (status: LiveSiteStatus) => void;
  /** An alert was raised, changed severity, was acknowledged, commented or cleared. */
  alert: (change: AlertChange) => void;
}

/** The browser sends nothing yet; viewport subscriptions arrive with the full IOC app. */
export type ClientToServerEvents = Record<string, never>;

/** Name of the session cookie that authenticates both REST and the socket.io handshake. */
export const SESSION_COOKIE = 'ioc_session';
