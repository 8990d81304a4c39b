/** Session manager: hashed ids, short cache, immediate invalidation on logout, expiry. */
import { describe, expect, it } from 'vitest';
import type { RegistryStore, SessionRecord, UserRecord } from '../../../platform/store/types.js';
import { hashSessionId, SessionManager } from '../../../web/server/auth/session.js';

/** In-memory registry slice that counts store lookups, so the cache's effect is observable. */
function memoryRegistry() {
  const sessions = new Map<string, SessionRecord>();
  const users = new Map<string, UserRecord>([['ana', { username: 'ana', passwordHash: 'x', role: 'operator', createdAt: 0 }]]);
  const calls = { findSession: 0 };
  const registry: Pick<RegistryStore, 'saveSession' | 'findSession' | 'deleteSession' | 'findUser' | 'deleteExpiredSessions'> = {
    saveSession: async (session) => void sessions.set(session.idHash, session),
    findSession: async (idHash) => {
      calls.findSession++;
      return sessions.get(idHash);
    },
    deleteSession: async (idHash) => void sessions.delete(idHash),
    findUser: async (username) => users.get(username),
    deleteExpiredSessions: async (now) => {
      for (const [id, session] of sessions) if (session.expiresAt <= now) sessions.delete(id);
    },
  };
  return { registry, sessions, users, calls };
}

function setup(cacheTtlMs = 5_000) {
  const store = memoryRegistry();
  let now = 1_000_000;
  const manager = new SessionManager({ registry: store.registry, ttlMs: 3_600_000, clock: () => now, cacheTtlMs });
  return { ...store, manager, advance: (ms: number) => (now += ms) };
}

describe('SessionManager', () => {
  it('stores only the SHA-256 of a 256-bit session id', async () => {
    const { manager, sessions } = setup();
    const { sessionId, auth } = await manager.create({ username: 'ana', role: 'operator' });
    expect(Buffer.from(sessionId, 'base64url')).toHaveLength(32);
    expect([...sessions.keys()]).toEqual([hashSessionId(sessionId)]);
    expect(JSON.stringify([...sessions.values()])).not.toContain(sessionId);
    expect(auth).toMatchObject({ user: { username: 'ana', role: 'operator' }, expiresAt: 1_000_000 + 3_600_000 });
  });

  it('answers from the cache for a few seconds, then asks the store again', async () => {
    const { manager, calls, advance, users } = setup(5_000);
    const { sessionId } = await manager.create({ username: 'ana', role: 'operator' });
    expect(await manager.resolve(sessionId)).toBeDefined();
    expect(calls.findSession).toBe(0);
    users.set('ana', { username: 'ana', passwordHash: 'x', role: 'admin', createdAt: 0 });
    advance(5_001);
    expect((await manager.resolve(sessionId))?.user.role).toBe('admin');
    expect(calls.findSession).toBe(1);
  });

  it('forgets a session at once on logout, even while cached, and tells listeners', async () => {
    const { manager, sessions } = setup(60_000);
    const ended: string[] = [];
    manager.onEnd((idHash) => ended.push(idHash));
    const { sessionId } = await manager.create({ username: 'ana', role: 'operator' });
    expect(await manager.resolve(sessionId)).toBeDefined();
    await manager.destroy(sessionId);
    expect(await manager.resolve(sessionId)).toBeUndefined();
    expect(sessions.size).toBe(0);
    expect(ended).toEqual([hashSessionId(sessionId)]);
  });

  it('refuses expired sessions and deletes them', async () => {
    const { manager, sessions, advance } = setup();
    const { sessionId } = await manager.create({ username: 'ana', role: 'operator' });
    advance(3_600_000);
    expect(await manager.resolve(sessionId)).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it('refuses sessions whose user no longer exists', async () => {
    const { manager, users, advance } = setup();
    const { sessionId } = await manager.create({ username: 'ana', role: 'operator' });
    users.clear();
    advance(10_000);
    expect(await manager.resolve(sessionId)).toBeUndefined();
  });

  it('does not query the store for missing or malformed ids', async () => {
    const { manager, calls } = setup();
    expect(await manager.resolve(undefined)).toBeUndefined();
    expect(await manager.resolve("' OR 1=1 --")).toBeUndefined();
    expect(await manager.resolve('a'.repeat(44))).toBeUndefined();
    expect(calls.findSession).toBe(0);
  });
});
