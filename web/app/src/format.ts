/**
 * Formatting for operators in Vietnam: Vietnamese number style (decimal comma), times in
 * Indochina Time (Asia/Ho_Chi_Minh) whatever the browser's zone, metric values with the catalog's
 * decimals and unit.
 */
import { isMetricId, METRICS } from '../../../common/metrics.js';

const LOCALE = 'vi-VN';
const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const numberFormats = new Map<number, Intl.NumberFormat>();

/** Formats `value` with exactly `decimals` decimal places, Vietnamese style (`4,21`). */
export function formatNumber(value: number, decimals: number): string {
  let format = numberFormats.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    numberFormats.set(decimals, format);
  }
  return format.format(value);
}

/** Display label, formatted value and unit of one metric; unknown keys fall back to the key and 2 decimals. */
export function describeMetric(metric: string, value: number, unit: string): { label: string; value: string; unit: string } {
  if (isMetricId(metric)) {
    const definition = METRICS[metric];
    return { label: definition.label.vi, value: formatNumber(value, definition.decimals), unit: definition.unit };
  }
  return { label: metric, value: formatNumber(value, 2), unit };
}

const clockFormat = new Intl.DateTimeFormat(LOCALE, {
  timeZone: TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** `14:05:09` in Indochina Time; `epochMs` in ms. */
export function formatClock(epochMs: number): string {
  return clockFormat.format(epochMs);
}

/** `14:05:09 21/11/2025` in Indochina Time; `epochMs` in ms. */
export function formatDateTime(epochMs: number): string {
  return dateTimeFormat.format(epochMs);
}

const relativeFormat = new Intl.RelativeTimeFormat('vi', { numeric: 'always', style: 'short' });

/** Below this many seconds a time reads as "just now". */
const JUST_NOW_SEC = 5;

/** How long ago `epochMs` was relative to `nowMs`, e.g. `5 giây trước`; future times read as now. */
export function formatAgo(epochMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - epochMs) / 1000));
  if (seconds < JUST_NOW_SEC) return 'vừa xong';
  if (seconds < 60) return relativeFormat.format(-seconds, 'second');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return relativeFormat.format(-minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return relativeFormat.format(-hours, 'hour');
  return relativeFormat.format(-Math.floor(hours / 24), 'day');
}
