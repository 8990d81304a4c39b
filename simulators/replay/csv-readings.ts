/**
 * Recorded readings in CSV, for `npm run sim -- --replay file.csv --site <id>`. Two layouts, told
 * apart by the header row:
 *
 * - long: `ts,metric,value` (columns in any order) — one value per row;
 * - wide: `ts,<metric>,<metric>,…` — one reading per row, one column per metric; an empty cell
 *   means "not measured".
 *
 * `ts` (also accepted as `time` or `timestamp`) is epoch milliseconds, or ISO-8601 with a zone
 * (`2025-04-01T05:30:00+07:00`, `…Z`); a time without a zone is refused rather than guessed, and
 * a number that looks like epoch seconds is refused with a hint. Metric names are the catalog ids
 * (common/metrics.ts), matched case-insensitively (`DO`, `pH`). Values use `.` as the decimal
 * separator. The delimiter is `,`, or `;` / tab when the header has no comma. Fields may be quoted
 * (RFC 4180); blank lines and lines starting with `#` are skipped. Rows with the same `ts` become
 * one reading; readings are returned oldest first.
 */
import { isMetricId, METRIC_IDS, METRICS, type MetricId, type MetricValues } from '../../common/metrics.js';
import { AppError, type ErrorDetail } from '../../platform/errors.js';

/** One reading of the recording: epoch-ms time and values in catalog units. */
export interface CsvReading {
  readonly ts: number;
  readonly values: MetricValues;
}

export interface ParsedCsv {
  readonly layout: 'long' | 'wide';
  /** Readings, oldest first. */
  readonly readings: CsvReading[];
  /** Metrics present. */
  readonly metrics: MetricId[];
  /** Values outside the metric's physical range (kept: ingest will refuse them, as it would the device's). */
  readonly outOfRange: number;
}

/** Problems listed before giving up on a file. */
const MAX_PROBLEMS = 20;
/** Below this, a numeric `ts` is probably epoch seconds (before 1973 in ms). */
const LOOKS_LIKE_SECONDS_BELOW_MS = 1e11;
const TS_COLUMNS = new Set(['ts', 'time', 'timestamp']);
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Splits one line into fields (RFC 4180 quoting: `"a ""b"""` → `a "b"`). */
export function splitCsvLine(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === delimiter) {
      fields.push(field.trim());
      field = '';
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  fields.push(field.trim());
  return fields;
}

/** Parses a `ts` cell to epoch ms, or explains why not. */
export function parseTimestamp(cell: string): { ok: true; ms: number } | { ok: false; message: string } {
  if (NUMBER.test(cell)) {
    const ms = Number(cell);
    if (!Number.isFinite(ms) || ms < 0) return { ok: false, message: `ts ${cell} is not a time` };
    if (ms < LOOKS_LIKE_SECONDS_BELOW_MS)
      return { ok: false, message: `ts ${cell} looks like epoch seconds; write epoch milliseconds or ISO-8601` };
    return { ok: true, ms: Math.round(ms) };
  }
  if (ISO_WITH_ZONE.test(cell)) {
    const ms = Date.parse(cell.replace(' ', 'T'));
    if (Number.isFinite(ms)) return { ok: true, ms };
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(cell) && !ISO_WITH_ZONE.test(cell)) {
    return { ok: false, message: `ts ${cell} has no time zone; add Z or an offset such as +07:00` };
  }
  return { ok: false, message: `ts "${cell}" is neither epoch milliseconds nor ISO-8601` };
}

function metricOf(name: string): MetricId | undefined {
  const lower = name.toLowerCase();
  return isMetricId(lower) ? lower : undefined;
}

function pickDelimiter(header: string): string {
  if (header.includes(',')) return ',';
  if (header.includes(';')) return ';';
  if (header.includes('\t')) return '\t';
  return ',';
}

/** Parses CSV text; throws `validation_failed` listing up to 20 problems as `<source>:<line>: …`. */
export function parseReadingsCsv(text: string, source = 'csv'): ParsedCsv {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: ErrorDetail[] = [];
  const problem = (line: number, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ path: `${source}:${line}`, message });
  };
  let headerIndex = lines.findIndex((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  if (headerIndex < 0) throw new AppError('validation_failed', `${source}: no header row (expected ts,metric,value or ts,<metric>,…)`);
  const headerLine = lines[headerIndex] ?? '';
  const delimiter = pickDelimiter(headerLine);
  const header = splitCsvLine(headerLine, delimiter).map((name) => name.toLowerCase());
  headerIndex += 1;

  const tsColumn = header.findIndex((name) => TS_COLUMNS.has(name));
  if (tsColumn < 0) throw new AppError('validation_failed', `${source}:${headerIndex}: no ts column (ts, time or timestamp) in the header`);
  const isLong = header.includes('metric') && header.includes('value') && header.length === 3;
  const metricColumns = new Map<number, MetricId>();
  if (!isLong) {
    header.forEach((name, index) => {
      if (index === tsColumn) return;
      const metric = metricOf(name);
      if (metric) metricColumns.set(index, metric);
      else problem(headerIndex, `column "${name}" is not a catalog metric (${METRIC_IDS.join(', ')})`);
    });
    if (metricColumns.size === 0 && problems.length === 0) problem(headerIndex, 'no metric columns');
  }
  const metricColumn = header.indexOf('metric');
  const valueColumn = header.indexOf('value');

  const byTs = new Map<number, MetricValues>();
  const metrics = new Set<MetricId>();
  let outOfRange = 0;
  const addValue = (lineNumber: number, ts: number, metric: MetricId, cell: string) => {
    if (cell === '') return;
    if (!NUMBER.test(cell)) {
      problem(lineNumber, `${metric} value "${cell}" is not a number`);
      return;
    }
    const value = Number(cell);
    const { min, max } = METRICS[metric];
    if (value < min || value > max) outOfRange++;
    let values = byTs.get(ts);
    if (!values) {
      values = {};
      byTs.set(ts, values);
    }
    values[metric] = value;
    metrics.add(metric);
  };

  for (let i = headerIndex; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const lineNumber = i + 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    let cells: string[];
    try {
      cells = splitCsvLine(line, delimiter);
    } catch (error) {
      problem(lineNumber, (error as Error).message);
      continue;
    }
    if (cells.length !== header.length) {
      problem(lineNumber, `${cells.length} fields, the header has ${header.length}`);
      continue;
    }
    const ts = parseTimestamp(cells[tsColumn] ?? '');
    if (!ts.ok) {
      problem(lineNumber, ts.message);
      continue;
    }
    if (isLong) {
      const name = cells[metricColumn] ?? '';
      const metric = metricOf(name);
      if (!metric) {
        problem(lineNumber, `"${name}" is not a catalog metric`);
        continue;
      }
      addValue(lineNumber, ts.ms, metric, cells[valueColumn] ?? '');
    } else {
      for (const [index, metric] of metricColumns) addValue(lineNumber, ts.ms, metric, cells[index] ?? '');
    }
  }
  if (problems.length > 0) {
    throw new AppError(
      'validation_failed',
      `${source} is not a readings CSV:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
      problems,
    );
  }
  const readings = [...byTs.entries()]
    .filter(([, values]) => Object.keys(values).length > 0)
    .sort(([a], [b]) => a - b)
    .map(([ts, values]) => ({ ts, values }));
  if (readings.length === 0) throw new AppError('validation_failed', `${source}: no readings`);
  return { layout: isLong ? 'long' : 'wide', readings, metrics: [...metrics], outOfRange };
}
