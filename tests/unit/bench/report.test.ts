import { describe, expect, it } from 'vitest';
import { fixed, formatTable, int, ms, msPair, percent, ratio } from '../../../bench/report/format.js';

describe('report formatting', () => {
  it('formats numbers and marks missing values', () => {
    expect(int(12_345.6)).toBe('12,346');
    expect(int(Number.NaN)).toBe('–');
    expect(int(null)).toBe('–');
    expect(fixed(1.234, 2)).toBe('1.23');
    expect(ms(0.4242)).toBe('0.42');
    expect(ms(3.66)).toBe('3.7');
    expect(ms(1234.4)).toBe('1,234');
    expect(ratio(0.934)).toBe('0.93×');
    expect(percent(87.4)).toBe('87 %');
    expect(msPair(0.5, 12)).toBe('0.50 / 12.0');
    expect(msPair(undefined, Number.NaN)).toBe('–');
  });

  it('aligns columns (labels left, figures right) and prints one-cell rows as headings', () => {
    const text = formatTable([['Heading across'], ['', 'a', 'bb'], ['row one', '1', '22,000'], ['r2', '333', '4']]);
    expect(text.split('\n')).toEqual(['Heading across', '           a      bb', 'row one    1  22,000', 'r2       333       4']);
  });

  it('honours explicit alignment and counts characters, not UTF-16 units', () => {
    const text = formatTable(
      [
        ['x', 'µs→'],
        ['yy', 'a'],
      ],
      ['right', 'left'],
    );
    expect(text.split('\n')).toEqual([' x  µs→', 'yy  a']);
  });
});
