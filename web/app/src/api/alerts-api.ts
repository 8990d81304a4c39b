/**
 * The alert engine's REST routes as the app uses them (common/alerts.ts):
 * `GET /api/alerts?state=&site=&severity=&from=&to=&limit=` (states and severities comma-separated;
 * from/to select alerts open at some moment of [from, to)), `POST /api/alerts/{id}/ack` {comment?}
 * and `POST /api/alerts/{id}/comment` {text}, both answering the updated alert. Answers are
 * validated with the shared schemas.
 */
import {
  type Alert,
  type AlertSeverity,
  type AlertState,
  alertListResponseSchema,
  alertSchema,
  MAX_ALERT_LIST_LIMIT,
} from '../../../../common/alerts.js';
import { getJson, postJson } from './http.js';

export interface AlertQuery {
  readonly state?: AlertState | readonly AlertState[] | undefined;
  readonly site?: string | undefined;
  readonly severity?: AlertSeverity | undefined;
  /** Epoch ms. */
  readonly from?: number | undefined;
  /** Epoch ms. */
  readonly to?: number | undefined;
  /** At most this many, newest first (default: the largest page). */
  readonly limit?: number | undefined;
}

/** `GET /api/alerts` with the given filters, newest first. */
export async function listAlerts(query: AlertQuery, signal?: AbortSignal): Promise<Alert[]> {
  const params = new URLSearchParams();
  const state = Array.isArray(query.state) ? query.state.join(',') : query.state;
  const entries: Array<[string, string | number | undefined]> = [
    ['state', state as string | undefined],
    ['site', query.site],
    ['severity', query.severity],
    ['from', query.from],
    ['to', query.to],
    ['limit', query.limit ?? MAX_ALERT_LIST_LIMIT],
  ];
  for (const [key, value] of entries) if (value !== undefined && value !== '') params.set(key, String(value));
  const body = await getJson(`/api/alerts?${params}`, alertListResponseSchema, signal);
  return body.alerts;
}

/** The alerts the live panel shows: active (acknowledged or not) and cleared-unacknowledged. */
export function listPanelAlerts(signal?: AbortSignal): Promise<Alert[]> {
  return listAlerts({ state: ['ACTIVE_UNACK', 'ACTIVE_ACK', 'CLEARED_UNACK'] }, signal);
}

/** Acknowledges an alert, with an optional comment; resolves to the updated alert. */
export function acknowledgeAlert(id: string, comment: string): Promise<Alert> {
  const body = comment.trim() ? { comment: comment.trim() } : {};
  return postJson(`/api/alerts/${encodeURIComponent(id)}/ack`, body, alertSchema);
}

/** Adds a comment to an alert; resolves to the updated alert. */
export function commentAlert(id: string, text: string): Promise<Alert> {
  return postJson(`/api/alerts/${encodeURIComponent(id)}/comment`, { text: text.trim() }, alertSchema);
}
