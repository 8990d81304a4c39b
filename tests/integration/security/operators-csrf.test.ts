/**
 * Cross-site request forgery on the whole platform. Every state-changing route of the route table,
 * called with an admin's session cookie from another origin (as a hostile page's form or fetch
 * would, if the browser sent the SameSite=Strict cookie at all), is refused with `403 forbidden`
 * before it acts; the same request from our own origin, or from a program that sends no Origin,
 * goes through; the socket.io handshake refuses other origins too.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../common/audit.js';
import {
  ACCOUNTS,
  type Answer,
  call,
  errorCode,
  harmlessPath,
  type OperatorsPlatform,
  openSocket,
  socketOutcome,
  startOperatorsPlatform,
} from './operators-fixture.js';

const PUBLIC_URL = 'https://ioc.example.gov.vn';
const EVIL = 'https://evil.example';

describe('cross-site request forgery', () => {
  let ops: OperatorsPlatform;
  const sockets: Socket[] = [];

  const refusal = (answer: Answer) => [
    answer.status,
    errorCode(answer),
    (answer.json as { error?: { message?: string } }).error?.message?.split(':')[0],
  ];
  const disable = (headers: Record<string, string>) =>
    call(ops.base, 'POST', '/api/sites/KG-WQ-01/disable', { cookie: ops.cookies.admin, json: {}, headers });
  const enable = () =>
    call(ops.base, 'POST', '/api/sites/KG-WQ-01/enable', { cookie: ops.cookies.admin, json: {}, headers: { origin: ops.base } });
  const auditCount = async () =>
    ((await call(ops.base, 'GET', '/api/audit?limit=1000', { cookie: ops.cookies.admin })).json as { entries: AuditEntry[] }).entries
      .length;

  beforeAll(async () => {
    ops = await startOperatorsPlatform({ PUBLIC_URL });
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await ops?.stop();
  });

  it('refuses every state-changing route called from another origin, before it acts', { timeout: 30_000 }, async () => {
    const routes = ops.platform.web.routes.filter((route) => route.method !== 'get');
    expect(routes.length).toBeGreaterThan(20);
    const auditBefore = await auditCount();
    const problems: string[] = [];
    for (const route of routes) {
      const answer = await call(ops.base, route.method.toUpperCase(), harmlessPath(route), {
        cookie: ops.cookies.admin,
        json: {},
        headers: { origin: EVIL },
      });
      const [status, code, message] = refusal(answer);
      if (status !== 403 || code !== 'forbidden' || message !== 'Cross-site request refused') {
        problems.push(`${route.method} ${route.path} → ${answer.status} ${answer.text.slice(0, 120)}`);
      }
      if (route.responses[403] === undefined) problems.push(`${route.method} ${route.path}: 403 not documented`);
    }
    expect(problems).toEqual([]);
    // Nothing happened: no audited action, the admin's session (logout routes included) still works.
    expect(await auditCount()).toBe(auditBefore);
    expect((await call(ops.base, 'GET', '/api/auth/me', { cookie: ops.cookies.admin })).status).toBe(200);
    expect(await ops.metric('ioc_web_cross_site_refused_total', { channel: 'http' })).toBe(routes.length);
  });

  it('acts on nothing when a hostile page aims at real targets', async () => {
    const attacks: Array<[string, string, unknown]> = [
      ['POST', '/api/sites/KG-WQ-01/disable', {}],
      ['POST', '/api/sites/KG-WQ-01/token', {}],
      ['DELETE', '/api/users/olga.operator', undefined],
      ['POST', '/api/users', { username: 'mallory', password: 'mallory-password', role: 'admin' }],
      ['POST', '/api/auth/logout-all', {}],
    ];
    for (const [method, path, json] of attacks) {
      const hostile: Record<string, string>[] = [{ origin: EVIL }, { origin: 'null' }, { referer: `${EVIL}/attack.html` }];
      for (const headers of hostile) {
        const answer = await call(ops.base, method, path, { cookie: ops.cookies.admin, json, headers });
        expect(refusal(answer), `${method} ${path} ${JSON.stringify(headers)}`).toEqual([403, 'forbidden', 'Cross-site request refused']);
      }
    }
    const site = await call(ops.base, 'GET', '/api/sites', { cookie: ops.cookies.admin });
    expect(site.status).toBe(200);
    const users = (await call(ops.base, 'GET', '/api/users', { cookie: ops.cookies.admin })).json as { users: Array<{ username: string }> };
    expect(users.users.map((user) => user.username)).toEqual(expect.arrayContaining(['olga.operator']));
    expect(users.users.map((user) => user.username)).not.toContain('mallory');
    expect((await disable({ origin: ops.base })).json).toMatchObject({ enabled: false });
    expect((await enable()).json).toMatchObject({ enabled: true });
  });

  it('lets our own pages (by Host, by PUBLIC_URL, by Referer) and programs without an Origin through', async () => {
    const ownHost = new URL(ops.base).host;
    const own: Record<string, string>[] = [
      { origin: ops.base },
      { origin: PUBLIC_URL },
      { origin: `http://${ownHost.toUpperCase()}` },
      { referer: `${ops.base}/?site=KG-WQ-01` },
      { referer: `${PUBLIC_URL}/map` },
      {},
    ];
    for (const headers of own) {
      const answer = await disable(headers);
      expect([answer.status, JSON.stringify(headers)]).toEqual([200, JSON.stringify(headers)]);
      expect((await enable()).status).toBe(200);
    }
    // A look-alike of our origin is not ours.
    for (const origin of [`${PUBLIC_URL}.evil.example`, 'http://ioc.example.gov.vn', `${ops.base.replace(/:\d+$/, ':1')}`]) {
      expect(refusal(await disable({ origin }))[0], origin).toBe(403);
    }
  });

  it('refuses a cross-site login (login CSRF) and grants no cross-origin reads', async () => {
    const login = await call(ops.base, 'POST', '/api/auth/login', { json: ACCOUNTS.viewer, headers: { origin: EVIL } });
    expect(refusal(login)).toEqual([403, 'forbidden', 'Cross-site request refused']);
    expect(login.headers.getSetCookie()).toEqual([]);
    const read = await call(ops.base, 'GET', '/api/sites', { cookie: ops.cookies.viewer, headers: { origin: EVIL } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await call(ops.base, 'OPTIONS', '/api/sites/KG-WQ-01/disable', {
      headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a socket.io handshake from another origin even with a valid session (cross-site WebSocket hijacking)', async () => {
    const hijacked = openSocket(ops.base, ops.cookies.viewer, { origin: EVIL });
    sockets.push(hijacked);
    expect(await socketOutcome(hijacked)).toBe('forbidden');
    const own = openSocket(ops.base, ops.cookies.viewer, { origin: ops.base });
    sockets.push(own);
    expect(await socketOutcome(own)).toBe('connected');
    expect(await ops.metric('ioc_web_cross_site_refused_total', { channel: 'socket' })).toBe(1);
  });
});
