import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import { DEFAULT_HISTORY_SPAN_MS, resolveHistoryRange } from '../../../web/server/readings-range.js';

const NOW = Date.UTC(2025, 6, 1, 12);
const YEAR = 365 * 24 * 3600 * 1000;

describe('resolveHistoryRange', () => {
  it('defaults to the last 24 h', () => {
    expect(resolveHistoryRange({}, NOW, YEAR)).toEqual({ from: NOW - DEFAULT_HISTORY_SPAN_MS, to: NOW });
  });

  it('defaults from to 24 h before an explicit to', () => {
    expect(resolveHistoryRange({ to: 5 * DEFAULT_HISTORY_SPAN_MS }, NOW, YEAR)).toEqual({
      from: 4 * DEFAULT_HISTORY_SPAN_MS,
      to: 5 * DEFAULT_HISTORY_SPAN_MS,
    });
  });

  it('accepts ISO-8601 with an offset and epoch ms alike', () => {
    expect(resolveHistoryRange({ from: '2025-07-01T07:00:00+07:00', to: NOW }, NOW, YEAR)).toEqual({ from: Date.UTC(2025, 6, 1), to: NOW });
  });

  it('rejects from ≥ to with validation_failed on `from`', () => {
    for (const query of [{ from: NOW, to: NOW }, { from: NOW + 1 }]) {
      try {
        resolveHistoryRange(query, NOW, YEAR);
        expect.fail('should have thrown');
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect(error).toMatchObject({ code: 'validation_failed', httpStatus: 400, details: [{ path: 'from' }] });
      }
    }
  });

  it('cuts a span longer than the retention to its newest part', () => {
    expect(resolveHistoryRange({ from: 0, to: NOW }, NOW, YEAR)).toEqual({ from: NOW - YEAR, to: NOW });
  });
});
