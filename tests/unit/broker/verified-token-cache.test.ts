import { describe, expect, it } from 'vitest';
import { sha256, VerifiedTokenCache } from '../../../broker/verified-token-cache.js';

const token = sha256('token-1');
const otherToken = sha256('token-2');

describe('VerifiedTokenCache', () => {
  it('matches the remembered token against the same stored hash only', () => {
    const cache = new VerifiedTokenCache(10);
    cache.remember('KG-WQ-01', token, 'hash-a');
    expect(cache.matches('KG-WQ-01', token, 'hash-a')).toBe(true);
    expect(cache.matches('KG-WQ-01', otherToken, 'hash-a')).toBe(false);
    expect(cache.matches('KG-WQ-02', token, 'hash-a')).toBe(false);
  });

  it('forgets a token for good once the stored hash changed (rotation)', () => {
    const cache = new VerifiedTokenCache(10);
    cache.remember('KG-WQ-01', token, 'hash-a');
    expect(cache.matches('KG-WQ-01', token, 'hash-b')).toBe(false);
    expect(cache.matchesLastKnown('KG-WQ-01', token)).toBe(false);
    expect(cache.matches('KG-WQ-01', token, 'hash-a')).toBe(false);
  });

  it('answers for the last verified token when the stored hash cannot be read', () => {
    const cache = new VerifiedTokenCache(10);
    cache.remember('KG-WQ-01', token, 'hash-a');
    expect(cache.matchesLastKnown('KG-WQ-01', token)).toBe(true);
    expect(cache.matchesLastKnown('KG-WQ-01', otherToken)).toBe(false);
    cache.forget('KG-WQ-01');
    expect(cache.matchesLastKnown('KG-WQ-01', token)).toBe(false);
  });

  it('is bounded and forgets the least recently used site first', () => {
    const cache = new VerifiedTokenCache(2);
    cache.remember('A1', token, 'h');
    cache.remember('B1', token, 'h');
    expect(cache.matches('A1', token, 'h')).toBe(true);
    cache.remember('C1', token, 'h');
    expect(cache.size).toBe(2);
    expect(cache.matchesLastKnown('B1', token)).toBe(false);
    expect(cache.matchesLastKnown('A1', token)).toBe(true);
    expect(cache.matchesLastKnown('C1', token)).toBe(true);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new VerifiedTokenCache(0)).toThrow(RangeError);
  });
});
