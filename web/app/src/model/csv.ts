/**
 * CSV export (RFC 4180): comma-separated, CRLF line ends, fields quoted when needed, with a UTF-8
 * byte-order mark so spreadsheet programs read Vietnamese names correctly. Numbers are written
 * machine-readably (`.` decimal point, full precision); times as ISO 8601 in Vietnam time
 * (`+07:00`) next to epoch milliseconds. Pure (the download lives in download-csv.ts).
 */
import type { HistorySeries } from '../../../../common/api.js';

const BOM = '\uFEFF';
/** Vietnam's UTC offset, ms (no daylight saving time). */
const ICT_OFFSET_MS = 7 * 3600 * 1000;

/** One field, quoted when it holds a comma, quote, CR or LF; formula-leading characters are neutralised. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  // A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A CSV document from a header row and data rows, with the BOM. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return `${BOM}${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** `2025-11-21T14:05:09+07:00` for an epoch-ms time. */
export function isoVietnam(epochMs: number): string {
  return new Date(epochMs + ICT_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+07:00');
}

/**
 * The history charts of a site as one long-format table — one row per metric and time bucket —
 * restricted to [`from`, `to`) (what the charts show, zoom included).
 */
export function historyCsv(siteId: string, series: readonly HistorySeries[], from: number, to: number): string {
  const rows: Array<Array<string | number>> = [];
  for (const one of series) {
    for (const point of one.points) {
      if (point.ts < from || point.ts >= to) continue;
      rows.push([siteId, one.metric, one.unit, isoVietnam(point.ts), point.ts, point.min, point.avg, point.max, point.count]);
    }
  }
  rows.sort((a, b) => Number(a[4]) - Number(b[4]) || String(a[1]).localeCompare(String(b[1])));
  return toCsv(['site_id', 'metric', 'unit', 'time_ict', 'epoch_ms', 'min', 'avg', 'max', 'count'], rows);
}
