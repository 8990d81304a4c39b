/**
 * Session revocation on the whole platform: log out everywhere, an admin ending a user's
 * sessions, and a changed, disabled or deleted user — each ends every REST session of that user at
 * once and disconnects their live sockets, leaves everyone else alone, and is audited. A disabled
 * user's notification subscriptions are switched off and a deleted user's removed; the last
 * enabled admin cannot be locked out by mistake.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../common/audit.js';
import type { Subscription } from '../../../common/notifications.js';
import { verifySecret } from '../../../platform/security/secret-hash.js';
import {
  ACCOUNTS,
  type Account,
  call,
  errorCode,
  login,
  type OperatorsPlatform,
  openSocket,
  socketOutcome,
  startOperatorsPlatform,
} from './operators-fixture.js';

describe('session revocation', () => {
  let ops: OperatorsPlatform;
  const sockets: Socket[] = [];

  /** A connected socket and a promise of its disconnect reason. */
  async function liveSocket(cookie: string): Promise<{ socket: Socket; disconnected: Promise<string> }> {
    const socket = openSocket(ops.base, cookie);
    sockets.push(socket);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    expect(await socketOutcome(socket)).toBe('connected');
    return { socket, disconnected };
  }

  const asAdmin = (method: string, path: string, json?: unknown) =>
    call(ops.base, method, path, { cookie: ops.cookies.admin, json, headers: { origin: ops.base } });
  const me = (cookie: string) => call(ops.base, 'GET', '/api/auth/me', { cookie });
  const lastAudit = async (action: string): Promise<AuditEntry | undefined> =>
    ((await asAdmin('GET', `/api/audit?action=${action}&limit=1`)).json as { entries: AuditEntry[] }).entries[0];

  async function createUser(username: string, role: 'viewer' | 'operator' | 'admin'): Promise<Account> {
    const account = { username, password: `${username}-password-1` };
    expect((await asAdmin('POST', '/api/users', { ...account, role })).status).toBe(201);
    return account;
  }

  beforeAll(async () => {
    ops = await startOperatorsPlatform();
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await ops?.stop();
  });

  it('logs a user out everywhere: every session and socket of theirs ends, nobody else’s', async () => {
    const lena = await createUser('lena.everywhere', 'operator');
    const laptop = await login(ops.base, lena);
    const phone = await login(ops.base, lena);
    const laptopSocket = await liveSocket(laptop);
    const phoneSocket = await liveSocket(phone);
    const bystander = await liveSocket(ops.cookies.viewer);

    const answer = await call(ops.base, 'POST', '/api/auth/logout-all', { cookie: laptop, headers: { origin: ops.base } });
    expect([answer.status, answer.json]).toEqual([200, { revoked: 2 }]);
    expect(answer.headers.getSetCookie().join()).toMatch(/ioc_session=;.*Expires=Thu, 01 Jan 1970/);
    expect(await laptopSocket.disconnected).toBe('io server disconnect');
    expect(await phoneSocket.disconnected).toBe('io server disconnect');
    expect((await me(laptop)).status).toBe(401);
    expect((await me(phone)).status).toBe(401);

    expect(bystander.socket.connected).toBe(true);
    expect((await me(ops.cookies.viewer)).status).toBe(200);
    expect(await lastAudit('auth.logout_all')).toMatchObject({ actor: lena.username, target: lena.username, detail: { sessionsEnded: 2 } });
  });

  it('lets an admin end every session of a user, who may log in again', async () => {
    const rui = await createUser('rui.revoked', 'viewer');
    const cookie = await login(ops.base, rui);
    const live = await liveSocket(cookie);
    const answer = await asAdmin('DELETE', `/api/users/${rui.username}/sessions`);
    expect([answer.status, answer.json]).toEqual([200, { revoked: 1 }]);
    expect(await live.disconnected).toBe('io server disconnect');
    expect((await me(cookie)).status).toBe(401);
    expect((await me(await login(ops.base, rui))).status).toBe(200);
    expect((await asAdmin('DELETE', '/api/users/nobody.at.all/sessions')).status).toBe(404);
    expect(await lastAudit('user.sessions_revoke')).toMatchObject({ actor: 'admin', actorRole: 'admin', target: rui.username });
  });

  it('disables a user: sessions and sockets end at once, login is refused, alert subscriptions stop; re-enabling lets them back', async () => {
    const dana = await createUser('dana.disabled', 'operator');
    const cookie = await login(ops.base, dana);
    const created = await call(ops.base, 'POST', '/api/subscriptions', {
      cookie,
      json: { scope: { type: 'sites', siteIds: ['KG-WQ-01'] }, channels: [{ type: 'in-app' }] },
      headers: { origin: ops.base },
    });
    expect(created.status).toBe(201);
    const live = await liveSocket(cookie);

    const disabled = await asAdmin('PUT', `/api/users/${dana.username}`, { disabled: true });
    expect(disabled.status).toBe(200);
    expect(disabled.json).toMatchObject({ username: dana.username, role: 'operator', disabledAt: expect.any(Number) });
    expect(await live.disconnected).toBe('io server disconnect');
    expect((await me(cookie)).status).toBe(401);
    const refused = await call(ops.base, 'POST', '/api/auth/login', { json: dana });
    expect([refused.status, errorCode(refused)]).toEqual([401, 'invalid_credentials']);
    const subscriptions = (await asAdmin('GET', `/api/subscriptions?user=${dana.username}`)).json as { subscriptions: Subscription[] };
    expect(subscriptions.subscriptions.map((s) => s.enabled)).toEqual([false]);
    expect(await lastAudit('user.update')).toMatchObject({
      target: dana.username,
      detail: { disabled: true, sessionsEnded: 1, subscriptionsDisabled: 1, passwordChanged: false },
    });

    expect((await asAdmin('PUT', `/api/users/${dana.username}`, { disabled: false })).json).not.toHaveProperty('disabledAt');
    expect((await me(await login(ops.base, dana))).status).toBe(200);
  });

  it('applies a role change at once: old sessions end, the next login carries the new role', async () => {
    const vic = await createUser('vic.promoted', 'viewer');
    const before = await login(ops.base, vic);
    const ack = (cookie: string) =>
      call(ops.base, 'POST', '/api/alerts/7a1ee6c4-0000-4000-8000-000000000000/ack', { cookie, json: {}, headers: { origin: ops.base } });
    expect((await ack(before)).status).toBe(403);
    expect((await asAdmin('PUT', `/api/users/${vic.username}`, { role: 'operator' })).status).toBe(200);
    expect((await me(before)).status).toBe(401);
    const after = await login(ops.base, vic);
    expect((await me(after)).json).toEqual({ username: vic.username, role: 'operator' });
    expect((await ack(after)).status).toBe(404);
  });

  it('resets a password: the old one and every session stop working; only scrypt hashes are stored', async () => {
    const pia = await createUser('pia.password', 'viewer');
    const stored = async () => (await ops.platform.stores.registry.findUser(pia.username))?.passwordHash ?? '';
    expect(await stored()).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifySecret(pia.password, await stored())).toBe(true);
    expect(await stored()).not.toContain(pia.password);
    const cookie = await login(ops.base, pia);
    expect((await asAdmin('PUT', `/api/users/${pia.username}`, { password: 'a-brand-new-password' })).status).toBe(200);
    expect(await verifySecret('a-brand-new-password', await stored())).toBe(true);
    expect((await me(cookie)).status).toBe(401);
    expect((await call(ops.base, 'POST', '/api/auth/login', { json: pia })).status).toBe(401);
    expect((await me(await login(ops.base, { username: pia.username, password: 'a-brand-new-password' }))).status).toBe(200);
    expect(await lastAudit('user.update')).toMatchObject({ target: pia.username, detail: { passwordChanged: true } });
  });

  it('deletes a user with their sessions, sockets and subscriptions', async () => {
    const tom = await createUser('tom.deleted', 'viewer');
    const cookie = await login(ops.base, tom);
    const subscription = await asAdmin('POST', '/api/subscriptions', {
      username: tom.username,
      scope: { type: 'province', province: 'Kiên Giang' },
      channels: [{ type: 'in-app' }],
    });
    expect(subscription.status).toBe(201);
    const live = await liveSocket(cookie);
    expect((await asAdmin('DELETE', `/api/users/${tom.username}`)).status).toBe(204);
    expect(await live.disconnected).toBe('io server disconnect');
    expect((await me(cookie)).status).toBe(401);
    expect((await call(ops.base, 'POST', '/api/auth/login', { json: tom })).status).toBe(401);
    expect(((await asAdmin('GET', `/api/subscriptions?user=${tom.username}`)).json as { subscriptions: unknown[] }).subscriptions).toEqual(
      [],
    );
    expect((await asAdmin('GET', '/api/users')).text).not.toContain(tom.username);
    expect((await asAdmin('DELETE', `/api/users/${tom.username}`)).status).toBe(404);
  });

  it('never disables, demotes or deletes the last enabled admin', async () => {
    for (const [method, body] of [
      ['PUT', { role: 'operator' }],
      ['PUT', { disabled: true }],
      ['DELETE', undefined],
    ] as const) {
      const answer = await asAdmin(method, `/api/users/${ACCOUNTS.admin.username}`, body);
      expect([answer.status, errorCode(answer)]).toEqual([409, 'conflict']);
    }
    expect((await me(ops.cookies.admin)).status).toBe(200);
    const second = await createUser('ada.second', 'admin');
    // With another enabled admin, one may go.
    const adaCookie = await login(ops.base, second);
    expect(
      (await call(ops.base, 'DELETE', `/api/users/${second.username}`, { cookie: ops.cookies.admin, headers: { origin: ops.base } }))
        .status,
    ).toBe(204);
    expect((await me(adaCookie)).status).toBe(401);
  });
});
