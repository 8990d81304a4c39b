/** The login guard's bookkeeping on a test clock, and client address keys. */
import { describe, expect, it } from 'vitest';
import { clientAddressKey } from '../../../web/server/auth/client-address.js';
import { type LoginAttempt, LoginGuard, type LoginVerdict, loginGuardSettings } from '../../../web/server/auth/login-guard.js';

const MINUTE = 60_000;

function setup(overrides: Parameters<typeof loginGuardSettings>[0] = {}) {
  let now = 1_700_000_000_000;
  const guard = new LoginGuard(loginGuardSettings(overrides), () => now);
  const allowed = (verdict: LoginVerdict): LoginAttempt => {
    if (!verdict.allowed) throw new Error(`refused: ${verdict.reason}`);
    return verdict.attempt;
  };
  /** One complete failed attempt; returns the lock-out it caused. */
  const fail = (user: string, ip: string) => guard.failed(allowed(guard.begin(user, ip)));
  return { guard, allowed, fail, advance: (ms: number) => (now += ms) };
}

describe('LoginGuard', () => {
  it('locks a pair after 5 failures, doubling per repetition up to the cap', () => {
    const { guard, fail, advance } = setup({ pair: { maxLockoutMs: 3 * MINUTE }, ip: { limit: 1000 } });
    const lockouts: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 4; i++) expect(fail('admin', '10.0.0.1')).toBeUndefined();
      const lock = fail('admin', '10.0.0.1');
      lockouts.push(lock?.lockedForMs ?? 0);
      expect(guard.begin('admin', '10.0.0.1')).toEqual({ allowed: false, reason: 'account_address', retryAfterMs: lock?.lockedForMs });
      advance(lock?.lockedForMs ?? 0);
    }
    expect(lockouts).toEqual([MINUTE, 2 * MINUTE, 3 * MINUTE, 3 * MINUTE]);
  });

  it('keys the lock by (account, address): other addresses and other accounts are untouched', () => {
    const { guard, fail } = setup();
    for (let i = 0; i < 5; i++) fail('admin', '10.0.0.1');
    expect(guard.begin('admin', '10.0.0.2').allowed).toBe(true);
    expect(guard.begin('olga', '10.0.0.1').allowed).toBe(true);
    expect(guard.begin('ADMIN ', '10.0.0.1').allowed).toBe(false);
  });

  it('counts an attempt as failed from its start, so parallel attempts cannot exceed the allowance', () => {
    const { guard } = setup();
    const verdicts = Array.from({ length: 8 }, () => guard.begin('admin', '10.0.0.1'));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
  });

  it('takes a successful attempt back and clears the pair', () => {
    const { guard, fail, allowed } = setup({ ip: { limit: 9 } });
    for (let i = 0; i < 4; i++) fail('admin', '10.0.0.1');
    guard.succeeded(allowed(guard.begin('admin', '10.0.0.1')));
    // The pair starts afresh: four more failures lock nothing, the fifth does.
    for (let i = 0; i < 4; i++) expect(fail('admin', '10.0.0.1')).toBeUndefined();
    expect(fail('admin', '10.0.0.1')).toEqual({ lockedForMs: MINUTE });
    // Nine failures from the address, the success not among them: the tenth attempt hits the limit.
    expect(guard.begin('other', '10.0.0.1')).toMatchObject({ allowed: false, reason: 'address' });
  });

  it('limits failures per address within the window, then forgets them', () => {
    const { guard, fail, advance } = setup({ ip: { limit: 3, windowMs: 10 * MINUTE } });
    fail('a', '10.0.0.9');
    fail('b', '10.0.0.9');
    fail('c', '10.0.0.9');
    const refused = guard.begin('d', '10.0.0.9');
    expect(refused).toMatchObject({ allowed: false, reason: 'address', retryAfterMs: 10 * MINUTE });
    advance(10 * MINUTE);
    expect(guard.begin('d', '10.0.0.9').allowed).toBe(true);
  });

  it('slows attempts on an account failing from many addresses, never refusing them', () => {
    const { guard, fail, allowed } = setup({ account: { slowAfter: 3, baseDelayMs: 100, maxDelayMs: 350 } });
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const attempt = allowed(guard.begin('admin', `10.1.0.${i}`));
      delays.push(attempt.delayMs);
      guard.failed(attempt);
    }
    // Beyond 3 failures: 100 ms, doubling, capped at 350 ms.
    expect(delays).toEqual([0, 0, 0, 0, 100, 200, 350, 350]);
    for (let i = 0; i < 100; i++) fail('admin', `10.2.${i}.1`);
    // A hundred more failures from everywhere: the owner is still let in, after the longest delay.
    expect(guard.begin('admin', '10.3.0.1')).toMatchObject({ allowed: true, attempt: { delayMs: 350 } });
  });

  it('undoes an attempt whose password could not be checked', () => {
    const { guard, allowed } = setup();
    for (let i = 0; i < 10; i++) guard.abandoned(allowed(guard.begin('admin', '10.0.0.1')));
    expect(guard.begin('admin', '10.0.0.1').allowed).toBe(true);
  });

  it('holds a bounded number of entries, dropping the least recently used', () => {
    const { guard, fail } = setup({ maxTracked: 100 });
    for (let i = 0; i < 1000; i++) fail(`user-${i}`, `10.${i >> 8}.${i & 255}.1`);
    const { addresses, accounts, pairs } = guard.tracked;
    expect(Math.max(addresses, accounts, pairs)).toBeLessThanOrEqual(100);
  });
});

describe('clientAddressKey', () => {
  it('keys IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(clientAddressKey('2001:db8:aa:bb::1')).toBe('2001:db8:aa:bb::/64');
    expect(clientAddressKey('2001:0db8:00aa:00bb:ffff:1:2:3')).toBe('2001:db8:aa:bb::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey(undefined)).toBe('unknown');
    expect(clientAddressKey('not-an-ip')).toBe('not-an-ip');
  });
});
