/**
 * CSV export (RFC 4180): comma-separated, CRLF line ends, fields quoted when needed, with a UTF-8
 * byte-order mark so spreadsheet programs read Vietnamese names correctly. Numbers are written
 * machine-readably (`.` decimal point, full precision); times as ISO 8601 in Vietnam time
 * (`+07:00`) next to epoch milliseconds. Quoting and formula neutralising are papaparse's
 * (`unparse` with `escapeFormulae`). Pure (the download lives in download-csv.ts).
 */
import Papa from 'papaparse';
import type { HistorySeries } from '../../../../common/api.js';

const BOM = '\uFEFF';
/** Vietnam's UTC offset, ms (no daylight saving time). */
const ICT_OFFSET_MS = 7 * 3600 * 1000;

type Cell = string | number | null | undefined;

/**
 * RFC 4180 rows: quoted when needed, CRLF; a text cell starting with = + - @ is prefixed with `'`
 * (CSV injection). Numbers are written as JavaScript writes them (`.` decimal point, full
 * precision; negative ones untouched); missing and non-finite ones as empty cells.
 */
function unparse(rows: ReadonlyArray<ReadonlyArray<Cell>>): string {
  const cells = rows.map((row) =>
    row.map((cell) => (cell === null || cell === undefined || (typeof cell === 'number' && !Number.isFinite(cell)) ? '' : cell)),
  );
  return Papa.unparse(cells, { newline: '\r\n', escapeFormulae: true });
}

/** One field as it appears in the document. */
export function csvField(value: Cell): string {
  return unparse([[value]]);
}

/** A CSV document from a header row and data rows, with the BOM. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<Cell>>): string {
  return `${BOM}${unparse([header, ...rows])}\r\n`;
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
