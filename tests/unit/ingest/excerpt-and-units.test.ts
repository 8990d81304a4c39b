import { describe, expect, it } from 'vitest';
import { METRIC_IDS, METRICS } from '../../../common/metrics.js';
import { MAX_EXCERPT_CHARS, payloadExcerpt } from '../../../ingest/decode/excerpt.js';
import { acceptedUnits, toCatalogUnit } from '../../../ingest/decode/units.js';

describe('payloadExcerpt', () => {
  it('keeps short text as is', () => {
    expect(payloadExcerpt(Buffer.from('{"values":{"do":5}}'))).toBe('{"values":{"do":5}}');
  });

  it('cuts long text at 512 characters without splitting characters', () => {
    const excerpt = payloadExcerpt(Buffer.from('độ mặn 😀'.repeat(200)));
    expect(excerpt.length).toBeLessThanOrEqual(MAX_EXCERPT_CHARS);
    expect(excerpt.length).toBeGreaterThan(MAX_EXCERPT_CHARS - 3);
    expect(excerpt).not.toContain('\ufffd');
    expect(() => encodeURIComponent(excerpt)).not.toThrow();
  });

  it('escapes control characters', () => {
    expect(payloadExcerpt(Buffer.from('a\nb\u0000c'))).toBe('a\\u000ab\\u0000c');
  });

  it('shows bytes that are not UTF-8 as hex', () => {
    const excerpt = payloadExcerpt(Buffer.from([0xff, 0x00, 0x10, ...Buffer.alloc(1000, 0xfe)]));
    expect(excerpt.startsWith('hex:ff0010fe')).toBe(true);
    expect(excerpt.length).toBeLessThanOrEqual(MAX_EXCERPT_CHARS);
  });

  it('tolerates a multibyte character cut by the read window of a huge payload', () => {
    const huge = Buffer.concat([Buffer.from('a'.repeat(2047)), Buffer.from('ệ'.repeat(1000))]);
    expect(payloadExcerpt(huge)).toBe('a'.repeat(MAX_EXCERPT_CHARS));
  });
});

describe('units', () => {
  it('accepts every metric in its catalog unit, and without a unit', () => {
    for (const metric of METRIC_IDS) {
      expect(toCatalogUnit(metric, 1, METRICS[metric].unit)).toEqual({ ok: true, value: 1, converted: false });
      expect(toCatalogUnit(metric, 1, undefined)).toEqual({ ok: true, value: 1, converted: false });
    }
  });

  it('lists the catalog unit first among the accepted ones', () => {
    expect(acceptedUnits('salinity')[0]).toBe('‰');
    expect(acceptedUnits('conductivity')).toContain('S/m');
    expect(acceptedUnits('ph')).toEqual(['pH']);
  });

  it('does not treat inherited object keys as units', () => {
    expect(toCatalogUnit('do', 1, 'constructor').ok).toBe(false);
    expect(toCatalogUnit('salinity', 1, 'toString').ok).toBe(false);
  });
});
