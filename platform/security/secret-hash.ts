/**
 * Hashing of passwords and device tokens with scrypt (RFC 7914), encoded as
 * `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>` so parameters can be raised later without
 * invalidating stored hashes. Runs on libuv's thread pool, never blocking the event loop.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** For human passwords (low entropy): OWASP's scrypt minimum N=2^17 is too slow for 2 cores; 2^15 ≈ 60 ms. */
export const PASSWORD_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

/**
 * For device tokens: 256-bit random secrets cannot be guessed, so the hash only has to make a
 * leaked table useless; a low cost keeps a 20,000-device reconnect storm affordable (~2 ms each).
 */
export const TOKEN_COST: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };

const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes a secret with a fresh 16-byte salt. */
export async function hashSecret(secret: string, cost: ScryptCost): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check of a secret against an encoded hash; false for malformed hashes. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText, hashText] = parts as [string, string, string, string, string, string];
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every(Number.isSafeInteger)) return false;
  const expected = Buffer.from(hashText, 'base64url');
  const actual = await derive(secret, Buffer.from(saltText, 'base64url'), cost);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A URL-safe random secret with `bytes` bytes of entropy (default 32 = 256 bits). */
export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
