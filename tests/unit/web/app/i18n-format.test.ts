import { describe, expect, it } from 'vitest';
import { formatterFor } from '../../../../web/app/src/i18n/format.js';
import { interpolate, MESSAGES } from '../../../../web/app/src/i18n/messages.js';

const AT = Date.UTC(2025, 10, 21, 7, 5, 9); // 14:05:09 in Vietnam

describe('i18n formatting', () => {
  it('formats numbers the Vietnamese and the English way', () => {
    expect(formatterFor('vi').number(4.2, 2)).toBe('4,20');
    expect(formatterFor('en').number(4.2, 2)).toBe('4.20');
    expect(formatterFor('vi').count(20000)).toBe('20.000');
    expect(formatterFor('en').count(20000)).toBe('20,000');
  });

  it('shows metric values with catalog decimals, units and labels in the language', () => {
    expect(formatterFor('vi').metric('do', 4.216)).toEqual({ label: 'Oxy hòa tan (DO)', value: '4,22', unit: 'mg/L' });
    expect(formatterFor('en').metric('salinity', 3)).toEqual({ label: 'Salinity', value: '3.00', unit: '‰' });
    expect(formatterFor('en').metric('custom', 1, 'x')).toEqual({ label: 'custom', value: '1.00', unit: 'x' });
  });

  it('shows times in Vietnam time whatever the machine zone', () => {
    expect(formatterFor('vi').clock(AT)).toBe('14:05:09');
    // Vietnamese puts the time first.
    expect(formatterFor('vi').dateTime(AT)).toBe('14:05:09 21/11/2025');
    expect(formatterFor('en').dateTime(AT)).toBe('21/11/2025 14:05:09');
    expect(formatterFor('en').time(AT)).toBe('14:05');
  });

  it('says how long ago in each language', () => {
    expect(formatterFor('vi').ago(AT - 2000, AT)).toBe('vừa xong');
    expect(formatterFor('en').ago(AT - 2000, AT)).toBe('just now');
    expect(formatterFor('vi').ago(AT - 5 * 60_000, AT)).toMatch(/^5 phút/);
    expect(formatterFor('en').ago(AT - 3 * 3600_000, AT)).toMatch(/^3 hr/);
    expect(formatterFor('en').duration(3 * 3600_000 + 5 * 60_000)).toBe('3 h 5 min');
    expect(formatterFor('vi').duration(2 * 86_400_000 + 3600_000)).toBe('2 ngày 1 giờ');
  });

  it('has every message in both languages with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const [key, vi] of Object.entries(MESSAGES.vi)) {
      const en = MESSAGES.en[key as keyof typeof MESSAGES.en];
      expect(en, key).toBeTruthy();
      expect(placeholders(en), key).toEqual(placeholders(vi));
    }
    expect(interpolate('{a} / {b}', { a: 1, b: 'x' })).toBe('1 / x');
    expect(interpolate('{a}', {})).toBe('{a}');
  });
});
