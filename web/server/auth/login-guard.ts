/**
 * Brute-force brakes on `POST /api/auth/login`, in memory (see docs/security.md, "Login"):
 *
 * 1. **Per (account, client address)**: after `pair.failures` failed attempts the pair is locked
 *    out for `pair.lockoutMs`, doubling with every further lock-out up to `pair.maxLockoutMs`.
 *    While locked, the password is not even checked — a correct one is refused too. Keyed by the
 *    pair, so an attacker elsewhere cannot lock the real user (the admin) out of their own desk.
 * 2. **Per client address** (any account): at most `ip.limit` failed attempts per `ip.windowMs`,
 *    against password spraying from one place. An office behind one NAT address only loses
 *    logins to its own typos: successful logins do not count.
 * 3. **Per account** (any address): beyond `account.slowAfter` failures within
 *    `account.windowMs` every attempt on the account waits `account.baseDelayMs`, doubling per
 *    further failure up to `account.maxDelayMs`, before its password is checked. A slow-down, never
 *    a refusal: a distributed attack makes the real user wait a few seconds but cannot lock them out.
 *
 * An attempt counts as a failure from the moment it starts and is taken back when the password is
 * right, so firing many attempts in parallel does not slip past the limits. State is bounded
 * (`maxTracked` entries per kind; the oldest are forgotten first) and lives in this process:
 * a restart clears it (deliberately — see the docs).
 */
import { clientAddressKey } from './client-address.js';

/** The per-address limit: failed attempts allowed per window. */
export interface LoginRateLimitSettings {
  /** Failed attempts allowed per client address and window. */
  readonly limit: number;
  /** Window length, ms. */
  readonly windowMs: number;
}

export interface LoginGuardSettings {
  readonly ip: LoginRateLimitSettings;
  readonly pair: {
    /** Failed attempts of one account from one address before a lock-out. */
    readonly failures: number;
    /** First lock-out, ms; doubles with every further lock-out of the pair. */
    readonly lockoutMs: number;
    /** Longest lock-out, ms. */
    readonly maxLockoutMs: number;
    /** A pair with no failure for this long starts afresh (failures and lock-out count), ms. */
    readonly forgetAfterMs: number;
  };
  readonly account: {
    /** Failures of one account (from anywhere) within the window before attempts are slowed. */
    readonly slowAfter: number;
    /** Window of that count, ms. */
    readonly windowMs: number;
    /** Delay of the first slowed attempt, ms; doubles per further failure. */
    readonly baseDelayMs: number;
    /** Longest delay, ms. */
    readonly maxDelayMs: number;
  };
  /** Entries kept at most per kind (addresses, pairs, accounts). */
  readonly maxTracked: number;
}

const MINUTE_MS = 60_000;

export const DEFAULT_LOGIN_GUARD_SETTINGS: LoginGuardSettings = {
  ip: { limit: 20, windowMs: 15 * MINUTE_MS },
  pair: { failures: 5, lockoutMs: MINUTE_MS, maxLockoutMs: 15 * MINUTE_MS, forgetAfterMs: 24 * 60 * MINUTE_MS },
  account: { slowAfter: 10, windowMs: 15 * MINUTE_MS, baseDelayMs: 250, maxDelayMs: 5_000 },
  maxTracked: 100_000,
};

/** Overrides of the defaults, part by part. */
export interface LoginGuardOverrides {
  readonly ip?: Partial<LoginGuardSettings['ip']>;
  readonly pair?: Partial<LoginGuardSettings['pair']>;
  readonly account?: Partial<LoginGuardSettings['account']>;
  readonly maxTracked?: number;
}

/** The defaults with `overrides` applied. */
export function loginGuardSettings(overrides: LoginGuardOverrides = {}): LoginGuardSettings {
  const d = DEFAULT_LOGIN_GUARD_SETTINGS;
  return {
    ip: { ...d.ip, ...overrides.ip },
    pair: { ...d.pair, ...overrides.pair },
    account: { ...d.account, ...overrides.account },
    maxTracked: overrides.maxTracked ?? d.maxTracked,
  };
}

/** Why an attempt was refused before its password was checked. */
export type LoginRefusal = 'address' | 'account_address';

/** A started attempt: pass it back to {@link LoginGuard.succeeded} or {@link LoginGuard.failed}. */
export interface LoginAttempt {
  readonly account: string;
  readonly address: string;
  /** Wait this long before checking the password (the per-account slow-down), ms. */
  readonly delayMs: number;
}

export type LoginVerdict =
  | { readonly allowed: true; readonly attempt: LoginAttempt }
  | { readonly allowed: false; readonly reason: LoginRefusal; readonly retryAfterMs: number };

interface WindowCount {
  count: number;
  /** Epoch ms when the count starts again from zero. */
  resetAt: number;
}

interface PairState {
  failures: number;
  lockouts: number;
  /** Epoch ms. */
  lockedUntil: number;
  /** Epoch ms. */
  lastFailureAt: number;
}

/** Bounded map: entries are re-inserted on every update, so the first ones are the least recently used. */
class Tracked<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly capacity: number,
    private readonly expired: (value: V, now: number) => boolean,
  ) {}

  get(key: string, now: number): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined && this.expired(value, now)) {
      this.entries.delete(key);
      return undefined;
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    // Over capacity: forget the least recently updated entry (O(1); expired ones are usually among them).
    const oldest = this.entries.keys().next();
    if (this.entries.size > this.capacity && !oldest.done) this.entries.delete(oldest.value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** See the module comment. Pure bookkeeping: the caller waits, checks the password and answers. */
export class LoginGuard {
  private readonly addresses: Tracked<WindowCount>;
  private readonly accounts: Tracked<WindowCount>;
  private readonly pairs: Tracked<PairState>;

  constructor(
    readonly settings: LoginGuardSettings,
    private readonly clock: () => number,
  ) {
    const windowOver = (entry: WindowCount, now: number) => entry.resetAt <= now;
    this.addresses = new Tracked(settings.maxTracked, windowOver);
    this.accounts = new Tracked(settings.maxTracked, windowOver);
    this.pairs = new Tracked(
      settings.maxTracked,
      (pair, now) => pair.lockedUntil <= now && now - pair.lastFailureAt >= settings.pair.forgetAfterMs,
    );
  }

  /** Entries held, per kind (for tests and metrics). */
  get tracked(): { addresses: number; accounts: number; pairs: number } {
    return { addresses: this.addresses.size, accounts: this.accounts.size, pairs: this.pairs.size };
  }

  /**
   * Decides whether an attempt of `username` from `ip` may check its password, and if so after
   * which delay. An allowed attempt counts as a failure until {@link succeeded} takes it back.
   */
  begin(username: string, ip: string | undefined): LoginVerdict {
    const now = this.clock();
    const account = username.trim().toLowerCase();
    const address = clientAddressKey(ip);
    const { settings } = this;

    const perAddress = this.addresses.get(address, now);
    if (perAddress && perAddress.count >= settings.ip.limit) {
      return { allowed: false, reason: 'address', retryAfterMs: perAddress.resetAt - now };
    }
    const pairKey = `${account}\u0000${address}`;
    const pair = this.pairs.get(pairKey, now);
    if (pair && pair.lockedUntil > now) {
      return { allowed: false, reason: 'account_address', retryAfterMs: pair.lockedUntil - now };
    }
    if (pair && pair.failures >= settings.pair.failures) {
      // Attempts still in flight fill the pair's allowance: no more until they have answered.
      return { allowed: false, reason: 'account_address', retryAfterMs: settings.pair.lockoutMs };
    }

    const perAccount = this.accounts.get(account, now);
    const accountFailures = perAccount?.count ?? 0;
    const over = accountFailures - settings.account.slowAfter;
    const delayMs = over <= 0 ? 0 : Math.min(settings.account.baseDelayMs * 2 ** Math.min(over - 1, 30), settings.account.maxDelayMs);

    this.addresses.set(address, bump(perAddress, now, settings.ip.windowMs));
    this.accounts.set(account, bump(perAccount, now, settings.account.windowMs));
    const freshPair = pair ?? { failures: 0, lockouts: 0, lockedUntil: 0, lastFailureAt: now };
    if (now - freshPair.lastFailureAt >= settings.pair.forgetAfterMs) {
      freshPair.failures = 0;
      freshPair.lockouts = 0;
    }
    freshPair.failures += 1;
    freshPair.lastFailureAt = now;
    this.pairs.set(pairKey, freshPair);
    return { allowed: true, attempt: { account, address, delayMs } };
  }

  /** The password was right: the pair starts afresh and the attempt no longer counts as a failure. */
  succeeded(attempt: LoginAttempt): void {
    const now = this.clock();
    this.pairs.delete(`${attempt.account}\u0000${attempt.address}`);
    for (const [tracked, key] of [
      [this.addresses, attempt.address],
      [this.accounts, attempt.account],
    ] as const) {
      const entry = tracked.get(key, now);
      if (entry && entry.count > 0) entry.count -= 1;
    }
  }

  /** The password could not be checked (the store failed): the attempt no longer counts, for better or worse. */
  abandoned(attempt: LoginAttempt): void {
    const now = this.clock();
    const pair = this.pairs.get(`${attempt.account}\u0000${attempt.address}`, now);
    if (pair && pair.failures > 0) pair.failures -= 1;
    for (const [tracked, key] of [
      [this.addresses, attempt.address],
      [this.accounts, attempt.account],
    ] as const) {
      const entry = tracked.get(key, now);
      if (entry && entry.count > 0) entry.count -= 1;
    }
  }

  /**
   * The password was wrong: the failure stands. Returns the lock-out it caused (ms), if it was the
   * pair's last allowed failure.
   */
  failed(attempt: LoginAttempt): { lockedForMs: number } | undefined {
    const now = this.clock();
    const key = `${attempt.account}\u0000${attempt.address}`;
    const pair = this.pairs.get(key, now);
    if (!pair || pair.failures < this.settings.pair.failures) return undefined;
    const { lockoutMs, maxLockoutMs } = this.settings.pair;
    const lockedForMs = Math.min(lockoutMs * 2 ** Math.min(pair.lockouts, 30), maxLockoutMs);
    pair.lockouts += 1;
    pair.failures = 0;
    pair.lockedUntil = now + lockedForMs;
    this.pairs.set(key, pair);
    return { lockedForMs };
  }
}

function bump(entry: WindowCount | undefined, now: number, windowMs: number): WindowCount {
  if (!entry) return { count: 1, resetAt: now + windowMs };
  entry.count += 1;
  return entry;
}
