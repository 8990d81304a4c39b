/**
 * Local time of the operations centres (Asia/Ho_Chi_Minh, UTC+7 all year): quiet hours are set in
 * it and messages print it. Computed with Intl so the zone rules come from ICU, not a hard-coded offset.
 */
import { NOTIFICATION_TIME_ZONE, type NotificationLanguage } from '../../common/notifications.js';

const partsFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: NOTIFICATION_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** Calendar fields of an instant in Asia/Ho_Chi_Minh. */
export interface LocalParts {
  readonly year: string;
  readonly month: string;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
}

/** The instant `epochMs` as local calendar fields (zero-padded strings). */
export function localParts(epochMs: number): LocalParts {
  const fields: Record<string, string> = {};
  for (const part of partsFormatter.formatToParts(new Date(epochMs))) fields[part.type] = part.value;
  return {
    year: fields.year ?? '',
    month: fields.month ?? '',
    day: fields.day ?? '',
    hour: fields.hour ?? '',
    minute: fields.minute ?? '',
  };
}

/** Minutes since local midnight, 0–1439. */
export function localMinutesOfDay(epochMs: number): number {
  const { hour, minute } = localParts(epochMs);
  return Number(hour) * 60 + Number(minute);
}

/** `HH:MM` → minutes since midnight. */
export function clockMinutes(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/**
 * A time as people in the delta read it: `14:05 22/11/2025 (GMT+7)` in Vietnamese,
 * `2025-11-22 14:05 (UTC+7)` in English.
 */
export function formatLocalTime(epochMs: number, language: NotificationLanguage): string {
  const { year, month, day, hour, minute } = localParts(epochMs);
  return language === 'vi' ? `${hour}:${minute} ${day}/${month}/${year} (GMT+7)` : `${year}-${month}-${day} ${hour}:${minute} (UTC+7)`;
}

/** `HH:MM dd/MM` for short messages (SMS, chat). */
export function formatShortLocalTime(epochMs: number): string {
  const { month, day, hour, minute } = localParts(epochMs);
  return `${hour}:${minute} ${day}/${month}`;
}
