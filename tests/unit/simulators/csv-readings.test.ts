/** Recorded readings in CSV: both layouts, timestamps, quoting, delimiters, and located errors. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import { parseReadingsCsv, parseTimestamp, splitCsvLine } from '../../../simulators/replay/csv-readings.js';

const T0 = Date.parse('2026-03-01T05:30:00+07:00');

function problemsOf(text: string): string[] {
  try {
    parseReadingsCsv(text, 'rec.csv');
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.code).toBe('validation_failed');
    return (error.details ?? []).map((d) => `${d.path}: ${d.message}`);
  }
  throw new Error('expected the CSV to be refused');
}

describe('parseReadingsCsv', () => {
  it('long layout: rows with one ts become one reading, oldest first, columns in any order', () => {
    const parsed = parseReadingsCsv(
      ['metric,ts,value', `do,${T0 + 60_000},4.9`, `do,${T0},5.1`, `ph,${T0},7.8`, `# a comment`, '', `salinity,${T0 + 60_000},12.5`].join(
        '\n',
      ),
    );
    expect(parsed.layout).toBe('long');
    expect(parsed.readings).toEqual([
      { ts: T0, values: { do: 5.1, ph: 7.8 } },
      { ts: T0 + 60_000, values: { do: 4.9, salinity: 12.5 } },
    ]);
    expect(parsed.metrics.sort()).toEqual(['do', 'ph', 'salinity']);
  });

  it('wide layout: ISO times with zones, metric names matched case-insensitively, empty cells skipped, CRLF and BOM', () => {
    const text = '\uFEFFtime,DO,pH,Temperature\r\n2026-03-01T05:30:00+07:00,5.1,7.8,\r\n2026-02-28T22:31:00Z,,7.9,28.4\r\n';
    const parsed = parseReadingsCsv(text);
    expect(parsed.layout).toBe('wide');
    expect(parsed.readings).toEqual([
      { ts: T0, values: { do: 5.1, ph: 7.8 } },
      { ts: T0 + 60_000, values: { ph: 7.9, temperature: 28.4 } },
    ]);
  });

  it('semicolon and tab delimiters, quoted fields', () => {
    expect(parseReadingsCsv(`ts;do\n${T0};"5.1"`).readings).toEqual([{ ts: T0, values: { do: 5.1 } }]);
    expect(parseReadingsCsv(`ts\tdo\n${T0}\t5.1`).readings).toEqual([{ ts: T0, values: { do: 5.1 } }]);
    expect(splitCsvLine('a,"b ""c"", d",e', ',')).toEqual(['a', 'b "c", d', 'e']);
  });

  it('counts values outside the physical range but keeps them (ingest will refuse them, as from the device)', () => {
    const parsed = parseReadingsCsv(`ts,ph,turbidity\n${T0},15.2,-3`);
    expect(parsed.outOfRange).toBe(2);
    expect(parsed.readings[0]?.values).toEqual({ ph: 15.2, turbidity: -3 });
  });

  it('locates every problem by line', () => {
    const problems = problemsOf(
      ['ts,do,oxygen', `${T0},5.1,1`, `${Math.round(T0 / 1000)},5.0,1`, '2026-03-01T05:30:00,4.9,1', `${T0},five,1`, `${T0},1`].join('\n'),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^rec\.csv:1: column "oxygen" is not a catalog metric/),
      expect.stringMatching(/^rec\.csv:3: .*looks like epoch seconds/),
      expect.stringMatching(/^rec\.csv:4: .*no time zone/),
      expect.stringMatching(/^rec\.csv:5: do value "five" is not a number/),
      expect.stringMatching(/^rec\.csv:6: 2 fields, the header has 3/),
    ]);
  });

  it('refuses files without a ts column, without readings, or with unknown long-layout metrics', () => {
    expect(() => parseReadingsCsv('do,ph\n5,7')).toThrow(/no ts column/);
    expect(() => parseReadingsCsv('ts,do\n')).toThrow(/no readings/);
    expect(() => parseReadingsCsv('')).toThrow(/no header/);
    expect(problemsOf(`ts,metric,value\n${T0},dox,5`)).toEqual([expect.stringMatching(/"dox" is not a catalog metric/)]);
  });
});

describe('parseTimestamp', () => {
  it.each([
    [String(T0), T0],
    ['2026-03-01T05:30:00+07:00', T0],
    ['2026-02-28T22:30:00Z', T0],
    ['2026-02-28 22:30:00.000Z', T0],
    ['2026-03-01T05:30+0700', T0],
  ])('%s', (cell, ms) => {
    expect(parseTimestamp(cell)).toEqual({ ok: true, ms });
  });

  it.each(['yesterday', '1760000000', '2026-03-01 05:30:00', '-5'])('refuses %s', (cell) => {
    expect(parseTimestamp(cell).ok).toBe(false);
  });
});
