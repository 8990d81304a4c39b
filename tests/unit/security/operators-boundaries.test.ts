/**
 * Pure checks of the operator-side boundaries: which origins count as ours, the TRUST_PROXY
 * setting, the audit log's refusal to hold secrets, the socket event policy, and that the route
 * table validates what it takes (every body, every path parameter).
 */
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../common/api.js';
import type { ClientToServerEvents } from '../../../common/socket-events.js';
import { ConfigError, loadConfig, trustProxyValue } from '../../../platform/config/config.js';
import { silentLogger } from '../../../platform/logger.js';
import { assertSecretFree } from '../../../web/server/audit-log.js';
import { foreignOriginProblem, isOwnOrigin } from '../../../web/server/auth/origin-check.js';
import { hasRole } from '../../../web/server/auth/require-auth.js';
import type { WebContext } from '../../../web/server/context.js';
import { CLIENT_EVENTS, clientEventPolicy, EventBudget } from '../../../web/server/live/client-event-policy.js';
import { routeTable } from '../../../web/server/routes/index.js';

const policy = { publicUrl: 'https://ioc.example.gov.vn' };

describe('origin check', () => {
  it('accepts PUBLIC_URL’s origin and the Host the request was sent to, nothing else', () => {
    expect(isOwnOrigin('https://ioc.example.gov.vn', 'internal:8080', policy)).toBe(true);
    expect(isOwnOrigin('https://ioc.example.gov.vn/map?x=1', undefined, policy)).toBe(true);
    expect(isOwnOrigin('http://10.0.0.5:8080', '10.0.0.5:8080', policy)).toBe(true);
    expect(isOwnOrigin('http://LOCALHOST:8080', 'localhost:8080', policy)).toBe(true);
    expect(isOwnOrigin('https://ioc.example.gov.vn:443', 'x', policy)).toBe(true);
    for (const foreign of [
      'https://evil.example',
      'http://ioc.example.gov.vn',
      'https://ioc.example.gov.vn.evil.example',
      'https://evil.example@ioc.example.gov.vn.evil',
      'null',
      'file:///etc/passwd',
      'javascript:alert(1)',
      '',
      'http://10.0.0.5:8081',
    ]) {
      expect(isOwnOrigin(foreign, '10.0.0.5:8080', policy), foreign).toBe(false);
    }
  });

  it('judges Origin first, Referer without it, and lets requests without either through', () => {
    expect(foreignOriginProblem({ origin: 'https://evil.example', referer: 'https://ioc.example.gov.vn/' }, policy)).toMatch(
      /another origin/,
    );
    expect(foreignOriginProblem({ referer: 'https://evil.example/x' }, policy)).toMatch(/another page/);
    expect(foreignOriginProblem({ origin: 'https://ioc.example.gov.vn', referer: 'https://evil.example/' }, policy)).toBeUndefined();
    expect(foreignOriginProblem({}, policy)).toBeUndefined();
    // Header values are cut and sanitised before they reach a message.
    expect(foreignOriginProblem({ origin: `https://e.example/${'\u0000'.repeat(300)}` }, policy)?.length).toBeLessThan(200);
  });
});

describe('TRUST_PROXY', () => {
  const load = (value: string) => loadConfig({ TRUST_PROXY: value });
  it('takes false, a hop count or proxy addresses, and refuses trusting everyone', () => {
    expect(trustProxyValue(load('false').TRUST_PROXY)).toBe(false);
    expect(trustProxyValue(loadConfig({}).TRUST_PROXY)).toBe(false);
    expect(trustProxyValue(load('1').TRUST_PROXY)).toBe(1);
    expect(trustProxyValue(load('loopback, 10.0.0.0/8,fd00::/8').TRUST_PROXY)).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8']);
    for (const bad of ['true', '*', '10.0.0.0/33', '300.1.1.1', 'example.org', '10.0.0.0/8/1']) {
      expect(() => load(bad), bad).toThrow(ConfigError);
    }
  });
});

describe('audit details', () => {
  it('refuse anything but a boolean under a secret-looking name', () => {
    expect(() => assertSecretFree({ passwordChanged: true, role: 'admin', sessionsEnded: 3, graceMinutes: 60 })).not.toThrow();
    const secretLooking: Record<string, string | number>[] = [
      { password: 'x' },
      { token: 'abc' },
      { newPassword: 'y' },
      { deviceToken: 1 },
      { sessionId: 'z' },
      { cookie: 'c' },
    ];
    for (const detail of secretLooking) {
      expect(() => assertSecretFree(detail), JSON.stringify(detail)).toThrow(/looks like a secret/);
    }
  });
});

describe('socket client event policy', () => {
  it('covers exactly the contract’s client events; mutating ones need operator or admin', () => {
    const contract: Record<keyof ClientToServerEvents, true> = { viewport: true };
    expect(Object.keys(CLIENT_EVENTS).sort()).toEqual(Object.keys(contract).sort());
    for (const [event, entry] of Object.entries(CLIENT_EVENTS)) {
      expect(ROLES).toContain(entry.minimumRole);
      if (entry.mutating) expect(hasRole(entry.minimumRole, 'operator'), event).toBe(true);
    }
    expect(clientEventPolicy('viewport')).toBe(CLIENT_EVENTS.viewport);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 42, undefined])
      expect(clientEventPolicy(name)).toBeUndefined();
  });

  it('lets a burst through, then the rate', () => {
    let now = 0;
    const budget = new EventBudget({ perSecond: 10, burst: 3 }, () => now);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
    now += 100;
    expect([budget.take(), budget.take()]).toEqual([true, false]);
    now += 10_000;
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
  });
});

describe('route table input validation', () => {
  const routes = routeTable({ logger: silentLogger(), config: { seedsDir: '/nonexistent' } } as unknown as WebContext);
  /** State-changing routes that take no body on purpose (the action is the path). */
  const BODILESS = new Set([
    'logout',
    'logoutEverywhere',
    'removeSite',
    'issueDeviceToken',
    'disableSite',
    'enableSite',
    'deleteRule',
    'deleteUser',
    'revokeUserSessions',
    'deleteSubscription',
    'retryNotificationDelivery',
  ]);

  it('validates a body on every state-changing route but the listed path-only actions', () => {
    const missing = routes
      .filter((route) => route.method !== 'get' && route.body === undefined && !BODILESS.has(route.operationId))
      .map((route) => route.operationId);
    expect(missing).toEqual([]);
    for (const id of BODILESS)
      expect(
        routes.some((route) => route.operationId === id && route.body === undefined),
        id,
      ).toBe(true);
  });

  it('validates every path parameter', () => {
    for (const route of routes) {
      const names = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]);
      if (names.length === 0) continue;
      expect(route.params, `${route.method} ${route.path}`).toBeDefined();
      for (const name of names) {
        expect(route.params?.safeParse({ [String(name)]: '../../etc/passwd' }).success, `${route.path} :${name}`).toBe(false);
      }
    }
  });
});
