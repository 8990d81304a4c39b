/**
 * Login sessions. The browser holds a random 256-bit id in an httpOnly cookie; the store keeps only
 * its SHA-256 (a leaked database cannot be replayed as cookies). Lookups are cached in memory for a
 * few seconds because every REST call and socket handshake resolves the session; ending a session
 * (logout, log out everywhere, an admin's revocation) drops it from the cache at once and tells
 * listeners (the socket gateway disconnects its sockets). A disabled user has no valid session.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { UserInfo } from '../../../common/api.js';
import type { RegistryStore } from '../../../platform/store/types.js';

/** The authenticated caller of a request or socket. */
export interface AuthInfo {
  readonly user: UserInfo;
  /** SHA-256 of the session id, hex: names the session without revealing the cookie. */
  readonly sessionIdHash: string;
  /** Epoch ms when the session ends. */
  readonly expiresAt: number;
}

export interface SessionManagerOptions {
  /** `deleteUserSessions` is needed by {@link SessionManager.revokeUser} only. */
  readonly registry: Pick<RegistryStore, 'saveSession' | 'findSession' | 'deleteSession' | 'findUser' | 'deleteExpiredSessions'> &
    Partial<Pick<RegistryStore, 'deleteUserSessions'>>;
  /** Session lifetime, ms. */
  readonly ttlMs: number;
  /** Epoch ms. */
  readonly clock: () => number;
  /** How long a resolved session is trusted without asking the store, ms (default 5,000). */
  readonly cacheTtlMs?: number;
  /** Cache entries kept at most (default 10,000); the oldest are evicted first. */
  readonly cacheCapacity?: number;
}

interface CacheEntry {
  readonly auth: AuthInfo;
  /** Epoch ms after which the store is asked again. */
  readonly freshUntil: number;
}

/** SHA-256 of a session id, hex: the form the store keeps. */
export function hashSessionId(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('hex');
}

/** A syntactically plausible session id: 43 base64url characters (32 bytes). */
const SESSION_ID_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export class SessionManager {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly endListeners = new Set<(sessionIdHash: string) => void>();
  private readonly cacheTtlMs: number;
  private readonly cacheCapacity: number;

  constructor(private readonly options: SessionManagerOptions) {
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
    this.cacheCapacity = options.cacheCapacity ?? 10_000;
  }

  /** Session lifetime, ms (the cookie's Max-Age). */
  get ttlMs(): number {
    return this.options.ttlMs;
  }

  /** Opens a session for `user`; returns the cookie value, which exists nowhere else. */
  async create(user: UserInfo): Promise<{ sessionId: string; auth: AuthInfo }> {
    const sessionId = randomBytes(32).toString('base64url');
    const now = this.options.clock();
    const idHash = hashSessionId(sessionId);
    const expiresAt = now + this.options.ttlMs;
    await this.options.registry.saveSession({ idHash, username: user.username, createdAt: now, expiresAt });
    const auth: AuthInfo = { user, sessionIdHash: idHash, expiresAt };
    this.remember(auth, now);
    return { sessionId, auth };
  }

  /** The session's caller, or undefined when the id is unknown, expired, or its user is gone or disabled. */
  async resolve(sessionId: string | undefined): Promise<AuthInfo | undefined> {
    if (sessionId === undefined || !SESSION_ID_FORMAT.test(sessionId)) return undefined;
    return this.resolveHash(hashSessionId(sessionId));
  }

  /**
   * Like {@link resolve}, by the session's id hash (what sockets remember): the socket gateway
   * re-checks its sessions with it, so a session ended elsewhere (another web process) still ends
   * its sockets.
   */
  async resolveHash(idHash: string): Promise<AuthInfo | undefined> {
    const now = this.options.clock();
    const cached = this.cache.get(idHash);
    if (cached && cached.freshUntil > now && cached.auth.expiresAt > now) return cached.auth;
    this.cache.delete(idHash);

    const session = await this.options.registry.findSession(idHash);
    if (!session) return undefined;
    if (session.expiresAt <= now) {
      await this.options.registry.deleteSession(idHash);
      return undefined;
    }
    const user = await this.options.registry.findUser(session.username);
    if (!user || user.disabledAt !== undefined) return undefined;
    const auth: AuthInfo = { user: { username: user.username, role: user.role }, sessionIdHash: idHash, expiresAt: session.expiresAt };
    this.remember(auth, now);
    return auth;
  }

  /** Ends the session (logout). Idempotent; unknown or malformed ids are ignored. */
  async destroy(sessionId: string | undefined): Promise<void> {
    if (sessionId === undefined || !SESSION_ID_FORMAT.test(sessionId)) return;
    const idHash = hashSessionId(sessionId);
    this.cache.delete(idHash);
    await this.options.registry.deleteSession(idHash);
    for (const listener of this.endListeners) listener(idHash);
  }

  /**
   * Ends every session of `username` (log out everywhere; an admin revoking a user; a user who was
   * changed, disabled or deleted): deletes them from the store, forgets them here and tells the
   * listeners, so their sockets are disconnected at once. Returns how many sessions the store held.
   */
  async revokeUser(username: string): Promise<number> {
    const deleteUserSessions = this.options.registry.deleteUserSessions;
    if (!deleteUserSessions) throw new Error('this session store cannot revoke the sessions of a user');
    const ended = new Set(await deleteUserSessions.call(this.options.registry, username));
    const stored = ended.size;
    for (const [idHash, entry] of this.cache) {
      if (entry.auth.user.username === username) {
        this.cache.delete(idHash);
        ended.add(idHash);
      }
    }
    for (const idHash of ended) for (const listener of this.endListeners) listener(idHash);
    return stored;
  }

  /** Deletes expired sessions from the store and the cache (run periodically). */
  async purgeExpired(): Promise<void> {
    const now = this.options.clock();
    for (const [idHash, entry] of this.cache) {
      if (entry.auth.expiresAt <= now) this.cache.delete(idHash);
    }
    await this.options.registry.deleteExpiredSessions(now);
  }

  /** Calls `listener` with the session's id hash whenever a session is ended by logout or revocation. */
  onEnd(listener: (sessionIdHash: string) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private remember(auth: AuthInfo, now: number): void {
    if (this.cache.size >= this.cacheCapacity) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(auth.sessionIdHash, { auth, freshUntil: now + this.cacheTtlMs });
  }
}
