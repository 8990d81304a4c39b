/**
 * Remembers device tokens that already passed scrypt verification, so a reconnect storm (a cell
 * tower coming back, the broker restarting behind a load balancer) costs a SHA-256 per device
 * instead of an scrypt. One entry per site: the SHA-256 of the token that verified, the stored
 * hash it verified against and, for a rotated-away token in its grace period, when that grace
 * ends. An entry is only honoured while its hash is one the store accepts now (the current hash,
 * or the previous one before its grace ends), so a rotation or the end of a grace takes effect at
 * the next connect even for cached devices.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeviceCredential } from '../platform/store/types.js';

interface Entry {
  /** SHA-256 of the token; never the token itself. */
  readonly tokenDigest: Buffer;
  /** The stored scrypt hash the token verified against. */
  readonly tokenHash: string;
  /** Epoch ms when the token stops being accepted (rotation grace); undefined while it is the current token. */
  readonly validUntil: number | undefined;
}

/** A stored hash the broker accepts right now, and until when (undefined: the current token, no end). */
export interface AcceptedHash {
  readonly tokenHash: string;
  /** Epoch ms (exclusive). */
  readonly validUntil: number | undefined;
}

/** SHA-256 of a secret; 32 bytes. */
export function sha256(secret: Buffer | string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** The hashes of `credential` that are accepted at `nowMs`: the current one, then the previous one while its grace lasts. */
export function acceptedHashes(credential: DeviceCredential, nowMs: number): AcceptedHash[] {
  const accepted: AcceptedHash[] = [{ tokenHash: credential.tokenHash, validUntil: undefined }];
  const { previousTokenHash, previousValidUntil } = credential;
  if (previousTokenHash !== undefined && previousValidUntil !== undefined && nowMs < previousValidUntil) {
    accepted.push({ tokenHash: previousTokenHash, validUntil: previousValidUntil });
  }
  return accepted;
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
    return this.matchesAny(siteId, tokenDigest, [{ tokenHash, validUntil: undefined }]) !== undefined;
  }

  /**
   * The accepted hash `tokenDigest` verified against for `siteId`, or undefined. An entry whose hash
   * is not accepted any more (rotated away, grace over) is dropped.
   */
  matchesAny(siteId: string, tokenDigest: Buffer, accepted: readonly AcceptedHash[]): AcceptedHash | undefined {
    const entry = this.touch(siteId);
    if (entry === undefined) return undefined;
    const match = accepted.find((candidate) => candidate.tokenHash === entry.tokenHash);
    if (match === undefined) {
      this.entries.delete(siteId);
      return undefined;
    }
    if (entry.validUntil !== match.validUntil) this.entries.set(siteId, { ...entry, validUntil: match.validUntil });
    return timingSafeEqual(entry.tokenDigest, tokenDigest) ? match : undefined;
  }

  /**
   * True when `tokenDigest` is the token that last verified for `siteId`, whatever the stored hash
   * is now (see {@link lastKnown}).
   */
  matchesLastKnown(siteId: string, tokenDigest: Buffer, nowMs = Date.now()): boolean {
    return this.lastKnown(siteId, tokenDigest, nowMs) !== undefined;
  }

  /**
   * The hash `tokenDigest` last verified against for `siteId`, whatever the store holds now, unless
   * its grace period had ended by `nowMs`. Only for when the credential source cannot be read (see
   * the authenticate handler).
   */
  lastKnown(siteId: string, tokenDigest: Buffer, nowMs: number): AcceptedHash | undefined {
    const entry = this.touch(siteId);
    if (entry === undefined || !timingSafeEqual(entry.tokenDigest, tokenDigest)) return undefined;
    if (entry.validUntil !== undefined && nowMs >= entry.validUntil) return undefined;
    return { tokenHash: entry.tokenHash, validUntil: entry.validUntil };
  }

  /** @param validUntil epoch ms when this token's rotation grace ends; undefined for the current token. */
  remember(siteId: string, tokenDigest: Buffer, tokenHash: string, validUntil?: number): void {
    this.entries.delete(siteId);
    this.entries.set(siteId, { tokenDigest, tokenHash, validUntil });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /**
   * Follows a credential issued after the entry was made (learned from the broker's access poll),
   * so {@link matchesLastKnown} honours a rotation while the credential source is down: the entry
   * keeps working until the grace ends when its hash became the previous one, and is dropped otherwise.
   */
  applyCredential(credential: DeviceCredential): void {
    const entry = this.entries.get(credential.siteId);
    if (entry === undefined || entry.tokenHash === credential.tokenHash) return;
    if (entry.tokenHash === credential.previousTokenHash && credential.previousValidUntil !== undefined) {
      this.entries.set(credential.siteId, { ...entry, validUntil: credential.previousValidUntil });
    } else {
      this.entries.delete(credential.siteId);
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
