import { describe, expect, it } from 'vitest';
import type { HistorySeries } from '../../../../common/api.js';
import { csvField, historyCsv, isoVietnam, toCsv } from '../../../../web/app/src/model/csv.js';

describe('CSV export', () => {
  it('quotes fields with commas, quotes and line breaks, and neutralises formulas', () => {
    expect(csvField('Cái Lớn, Cái Bé')).toBe('"Cái Lớn, Cái Bé"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-1.5)).toBe('-1.5');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(null)).toBe('');
  });

  it('starts with a UTF-8 BOM and ends rows with CRLF', () => {
    expect(toCsv(['a', 'b'], [[1, 'x']])).toBe('\uFEFFa,b\r\n1,x\r\n');
  });

  it('writes Vietnam time with its offset', () => {
    expect(isoVietnam(Date.UTC(2025, 10, 21, 7, 5, 9))).toBe('2025-11-21T14:05:09+07:00');
  });

  it('exports the shown range of every series, oldest first, in catalog units', () => {
    const series = (metric: 'do' | 'ph', unit: string, values: number[]): HistorySeries => ({
      siteId: 'KG-WQ-01',
      metric,
      unit,
      from: 0,
      to: 4000,
      bucketMs: 1000,
      points: values.map((value, index) => ({ ts: index * 1000, min: value - 1, avg: value, max: value + 1, count: 2 })),
    });
    const csv = historyCsv('KG-WQ-01', [series('do', 'mg/L', [5, 4.2, 3.1, 6]), series('ph', '', [7.5, 7.6, 7.7, 7.8])], 1000, 3000);
    const lines = csv.replace('\uFEFF', '').trim().split('\r\n');
    expect(lines[0]).toBe('site_id,metric,unit,time_ict,epoch_ms,min,avg,max,count');
    expect(lines.slice(1)).toEqual([
      'KG-WQ-01,do,mg/L,1970-01-01T07:00:01+07:00,1000,3.2,4.2,5.2,2',
      'KG-WQ-01,ph,,1970-01-01T07:00:01+07:00,1000,6.6,7.6,8.6,2',
      'KG-WQ-01,do,mg/L,1970-01-01T07:00:02+07:00,2000,2.1,3.1,4.1,2',
      'KG-WQ-01,ph,,1970-01-01T07:00:02+07:00,2000,6.7,7.7,8.7,2',
    ]);
  });
});
