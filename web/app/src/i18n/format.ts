/**
 * Locale-aware formatting for operators in Vietnam: numbers in the chosen language's style
 * (Vietnamese `4,21`, English `4.21`), dates and times always in Indochina Time
 * (Asia/Ho_Chi_Minh) whatever the browser's zone, metric values with the catalog's decimals and
 * unit. Pure (Intl only), one cached instance per language.
 */
import { isMetricId, METRICS } from '../../../../common/metrics.js';
import type { Language } from './messages.js';

/** The platform's time zone: operators read Vietnamese local time on every screen. */
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const LOCALES: Readonly<Record<Language, string>> = { vi: 'vi-VN', en: 'en-GB' };

/** Below this many seconds a time reads as "just now". */
const JUST_NOW_SEC = 5;

export interface Formatter {
  readonly language: Language;
  readonly locale: string;
  /** `value` with exactly `decimals` decimal places. */
  number(value: number, decimals?: number): string;
  /** Integer with grouping (`20.000` / `20,000`). */
  count(value: number): string;
  /** A metric's label, value (catalog decimals) and unit; unknown metrics fall back to the key. */
  metric(metric: string, value: number, unit?: string): { label: string; value: string; unit: string };
  /** Label of a metric in this language. */
  metricLabel(metric: string): string;
  /** `14:05:09`, Indochina Time. */
  clock(epochMs: number): string;
  /** `14:05`, Indochina Time. */
  time(epochMs: number): string;
  /** `14:05:09 21/11/2025` (Vietnamese order) or `21/11/2025 14:05:09` (English), Indochina Time. */
  dateTime(epochMs: number): string;
  /** `21/11 14:05`, Indochina Time. */
  shortDateTime(epochMs: number): string;
  /** How long ago `epochMs` was relative to `nowMs` (`5 giây trước`, `5 sec. ago`). */
  ago(epochMs: number, nowMs: number): string;
  /** A duration in ms as `2 giờ 5 phút` / `2 h 5 min`. */
  duration(ms: number): string;
}

const cache = new Map<Language, Formatter>();

/** The formatter of `language` (cached). */
export function formatterFor(language: Language): Formatter {
  const cached = cache.get(language);
  if (cached) return cached;
  const created = createFormatter(language);
  cache.set(language, created);
  return created;
}

function createFormatter(language: Language): Formatter {
  const locale = LOCALES[language];
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const numberFormat = (decimals: number) => {
    let format = numberFormats.get(decimals);
    if (!format) {
      format = new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
      numberFormats.set(decimals, format);
    }
    return format;
  };
  const countFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const base = { timeZone: TIME_ZONE, hour12: false } as const;
  const clockFormat = new Intl.DateTimeFormat(locale, { ...base, hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const timeFormat = new Intl.DateTimeFormat(locale, { ...base, hour: '2-digit', minute: '2-digit' });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    ...base,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const shortFormat = new Intl.DateTimeFormat(locale, { ...base, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: 'short' });
  const justNow = language === 'vi' ? 'vừa xong' : 'just now';
  const units = language === 'vi' ? { d: 'ngày', h: 'giờ', m: 'phút', s: 'giây' } : { d: 'd', h: 'h', m: 'min', s: 's' };

  const metricLabel = (metric: string) => (isMetricId(metric) ? METRICS[metric].label[language] : metric);

  return {
    language,
    locale,
    number: (value, decimals = 2) => numberFormat(decimals).format(value),
    count: (value) => countFormat.format(value),
    metric: (metric, value, unit) => {
      if (isMetricId(metric)) {
        const definition = METRICS[metric];
        return { label: definition.label[language], value: numberFormat(definition.decimals).format(value), unit: definition.unit };
      }
      return { label: metric, value: numberFormat(2).format(value), unit: unit ?? '' };
    },
    metricLabel,
    clock: (epochMs) => clockFormat.format(epochMs),
    time: (epochMs) => timeFormat.format(epochMs),
    // Some engines put a comma between date and time in vi-VN; keep one style across browsers.
    dateTime: (epochMs) => dateTimeFormat.format(epochMs).replace(', ', ' '),
    shortDateTime: (epochMs) => shortFormat.format(epochMs).replace(', ', ' '),
    ago: (epochMs, nowMs) => {
      const seconds = Math.max(0, Math.round((nowMs - epochMs) / 1000));
      if (seconds < JUST_NOW_SEC) return justNow;
      if (seconds < 60) return relative.format(-seconds, 'second');
      const minutes = Math.floor(seconds / 60);
      if (minutes < 60) return relative.format(-minutes, 'minute');
      const hours = Math.floor(minutes / 60);
      if (hours < 48) return relative.format(-hours, 'hour');
      return relative.format(-Math.floor(hours / 24), 'day');
    },
    duration: (ms) => {
      const totalSec = Math.max(0, Math.round(ms / 1000));
      const d = Math.floor(totalSec / 86_400);
      const h = Math.floor((totalSec % 86_400) / 3600);
      const m = Math.floor((totalSec % 3600) / 60);
      const s = totalSec % 60;
      const parts: string[] = [];
      if (d > 0) parts.push(`${d} ${units.d}`);
      if (h > 0) parts.push(`${h} ${units.h}`);
      if (m > 0 && d === 0) parts.push(`${m} ${units.m}`);
      if (parts.length === 0) parts.push(`${s} ${units.s}`);
      return parts.slice(0, 2).join(' ');
    },
  };
}
