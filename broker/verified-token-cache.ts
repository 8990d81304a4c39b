/**
 * Remembers device tokens that already passed scrypt verification, so a reconnect storm (a cell
 * tower coming back, the broker restarting behind a load balancer) costs a SHA-256 per device
 * instead of an scrypt. One entry per site: the SHA-256 of the token that verified and the stored
 * hash it verified against. Issuing a new token changes the stored hash, so the entry stops
 * matching at once and the next connect runs scrypt against the new hash.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

interface Entry {
  /** SHA-256 of the token; never the token itself. */
  readonly tokenDigest: Buffer;
  /** The stored scrypt hash the token verified against. */
  readonly tokenHash: string;
}

/** SHA-256 of a secret; 32 bytes. */
export function sha256(secret: Buffer | string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Bounded least-recently-used cache of verified device tokens. */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  /** @param capacity sites remembered; the least recently used is forgotten beyond it. */
  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`cache capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * True when `tokenDigest` verified for `siteId` against exactly `tokenHash`, the hash stored now.
   * An entry for an older hash is dropped: that token was rotated away and must never be trusted
   * again, not even by {@link matchesLastKnown}.
   */
  matches(siteId: string, tokenDigest: Buffer, tokenHash: string): boolean {
    const entry = this.touch(siteId);
    if (entry === undefined) return false;
    if (entry.tokenHash !== tokenHash) {
      this.entries.delete(siteId);
      return false;
    }
    return timingSafeEqual(entry.tokenDigest, tokenDigest);
  }

  /**
   * True when `tokenDigest` is the token that last verified for `siteId`, whatever the stored hash
   * is now. Only for when the credential source cannot be read (see the authenticate handler).
   */
  matchesLastKnown(siteId: string, tokenDigest: Buffer): boolean {
    const entry = this.touch(siteId);
    return entry !== undefined && timingSafeEqual(entry.tokenDigest, tokenDigest);
  }

  remember(siteId: string, tokenDigest: Buffer, tokenHash: string): void {
    this.entries.delete(siteId);
    this.entries.set(siteId, { tokenDigest, tokenHash });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Drops a site's entry, e.g. when the site no longer has a credential. */
  forget(siteId: string): void {
    this.entries.delete(siteId);
  }

  private touch(siteId: string): Entry | undefined {
    const entry = this.entries.get(siteId);
    if (entry !== undefined) {
      this.entries.delete(siteId);
      this.entries.set(siteId, entry);
    }
    return entry;
  }
}
