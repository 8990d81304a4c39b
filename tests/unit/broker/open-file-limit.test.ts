import { describe, expect, it } from 'vitest';
import { effectiveConnectionCap, FILE_DESCRIPTOR_RESERVE, openFileSoftLimit } from '../../../broker/open-file-limit.js';

const limits = (soft: string, hard: string) =>
  `Limit                     Soft Limit           Hard Limit           Units\nMax cpu time              unlimited            unlimited            seconds\nMax open files            ${soft}                ${hard}                files\n`;

describe('open-file limit', () => {
  it('reads the soft limit from /proc/self/limits text', () => {
    expect(openFileSoftLimit(limits('20000', '20000'))).toBe(20_000);
    expect(openFileSoftLimit(limits('unlimited', 'unlimited'))).toBeUndefined();
    expect(openFileSoftLimit('garbage')).toBeUndefined();
  });

  it('reads this process’s limit on Linux', () => {
    expect(openFileSoftLimit()).toBeGreaterThan(0);
  });

  it('keeps a reserve of descriptors under the limit for the store and HTTP', () => {
    expect(effectiveConnectionCap(20_000, 20_000)).toBe(20_000 - FILE_DESCRIPTOR_RESERVE);
    expect(effectiveConnectionCap(5_000, 20_000)).toBe(5_000);
    expect(effectiveConnectionCap(20_000, undefined)).toBe(20_000);
    expect(effectiveConnectionCap(20_000, 100)).toBe(1);
  });
});
