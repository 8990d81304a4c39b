/**
 * Auth matrix on the whole platform: every REST route of the live route table × anonymous /
 * viewer / operator / admin, with the expected answer derived from the route's declared access
 * level — so a route added tomorrow is covered without touching this file — and every socket.io
 * client event × role, derived from the gateway's client event policy.
 *
 * Requests are built to be harmless for whoever passes the access check (ids that do not exist,
 * empty bodies); a role that passes must get neither 401 nor 403 nor a 5xx, and every answer must
 * be one its route documents. Access checks run before validation: an anonymous caller of an admin
 * route with an invalid body gets 401, not 400.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, LiveReading, ServerToClientEvents } from '../../../common/socket-events.js';
import { topics } from '../../../common/topics.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { hasRole } from '../../../web/server/auth/require-auth.js';
import { CLIENT_EVENTS } from '../../../web/server/live/client-event-policy.js';
import type { Access } from '../../../web/server/routes/route-spec.js';
import { waitFor } from '../../support/wait.js';
import {
  call,
  errorCode,
  harmlessPath,
  type OperatorsPlatform,
  openSocket,
  ROLE_NAMES,
  type RoleName,
  socketOutcome,
  startOperatorsPlatform,
} from './operators-fixture.js';

type Expectation = 'unauthenticated' | 'forbidden' | 'allowed';

/** What `role` must get from a route with `access`. */
function expectation(access: Access, role: RoleName): Expectation {
  if (access === 'public') return 'allowed';
  if (role === 'anonymous') return 'unauthenticated';
  if (access === 'session') return 'allowed';
  return hasRole(role, access) ? 'allowed' : 'forbidden';
}

/** Every server→client event; the mapped type fails to compile when the contract gains one not listed here. */
const SERVER_EVENTS: { readonly [E in keyof ServerToClientEvents]: true } = {
  reading: true,
  'site-status': true,
  alert: true,
  'sites-seen': true,
};

/** A valid payload per client event; the mapped type fails to compile when an event is added without one. */
const SAMPLE_PAYLOADS: { readonly [E in keyof ClientToServerEvents]: Parameters<ClientToServerEvents[E]>[0] } = {
  viewport: { bbox: [0, 0, 1, 1], sites: ['KG-WQ-01'] },
};

describe('auth matrix: every REST route and socket event × anonymous / viewer / operator / admin', () => {
  let ops: OperatorsPlatform;
  let ingest: MqttClient;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ops = await startOperatorsPlatform();
    ingest = await mqtt.connectAsync(ops.platform.mqttUrl, {
      username: SERVICE_USERS.ingest,
      password: ops.config.SERVICE_TOKEN ?? '',
      clientId: `operators-matrix-ingest-${process.pid}`,
      reconnectPeriod: 0,
    });
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await ingest?.endAsync(true);
    await ops?.stop();
  });

  it('answers every route as its access level says, for every role, with a documented status', { timeout: 60_000 }, async () => {
    const routes = ops.platform.web.routes;
    expect(routes.length).toBeGreaterThan(40);
    const problems: string[] = [];
    const seen = { public: 0, session: 0, operator: 0, admin: 0 };
    for (const route of routes) {
      seen[route.access] += 1;
      const path = harmlessPath(route);
      for (const role of ROLE_NAMES) {
        const cookie = role === 'anonymous' ? undefined : ops.cookies[role];
        const answer = await call(ops.base, route.method.toUpperCase(), path, {
          cookie,
          ...(route.method === 'get' ? {} : { json: {} }),
          headers: { origin: ops.base },
        });
        const label = `${role} ${route.method.toUpperCase()} ${path} (${route.access}) → ${answer.status} ${errorCode(answer) ?? ''}`;
        const expected = expectation(route.access, role);
        if (expected === 'unauthenticated' && (answer.status !== 401 || errorCode(answer) !== 'unauthenticated')) problems.push(label);
        if (expected === 'forbidden' && (answer.status !== 403 || errorCode(answer) !== 'forbidden')) problems.push(label);
        if (expected === 'allowed' && (answer.status === 401 || answer.status === 403 || answer.status >= 500)) problems.push(label);
        if (route.responses[answer.status] === undefined) problems.push(`${label}: status not documented`);
        // Logout and log-out-everywhere end the session: log in again for the next route.
        if (role !== 'anonymous' && (await call(ops.base, 'GET', '/api/auth/me', { cookie: ops.cookies[role] })).status !== 200) {
          await ops.relogin(role);
        }
      }
    }
    expect(problems).toEqual([]);
    // The table has routes of every level, so every branch of the expectation was exercised.
    expect(Object.values(seen).every((count) => count > 0)).toBe(true);
  });

  it('refuses the socket handshake without a session and admits every role', async () => {
    const anonymous = openSocket(ops.base, undefined);
    sockets.push(anonymous);
    expect(await socketOutcome(anonymous)).toBe('unauthenticated');
    const forged = openSocket(ops.base, 'ioc_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    sockets.push(forged);
    expect(await socketOutcome(forged)).toBe('unauthenticated');
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const socket = openSocket(ops.base, ops.cookies[role]);
      sockets.push(socket);
      expect(await socketOutcome(socket)).toBe('connected');
    }
  });

  it('applies every client event to the roles its policy admits and drops it for the others', { timeout: 60_000 }, async () => {
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const socket = openSocket(ops.base, ops.cookies[role]);
      sockets.push(socket);
      expect(await socketOutcome(socket)).toBe('connected');
      for (const event of Object.keys(CLIENT_EVENTS) as (keyof ClientToServerEvents)[]) {
        const before = {
          forbidden: await ops.metric('ioc_web_socket_events_dropped_total', { reason: 'forbidden' }),
          invalid: await ops.metric('ioc_web_socket_events_dropped_total', { reason: 'invalid' }),
          unknown: await ops.metric('ioc_web_socket_events_dropped_total', { reason: 'unknown_event' }),
        };
        socket.emit(event, SAMPLE_PAYLOADS[event]);
        // A sentinel the server drops as unknown: once it is counted, the event before it was handled (one socket is processed in order).
        (socket as unknown as { emit: (name: string, payload: unknown) => void }).emit('matrix-sentinel', {});
        await waitFor(async () => (await ops.metric('ioc_web_socket_events_dropped_total', { reason: 'unknown_event' })) > before.unknown);
        const allowed = hasRole(role, CLIENT_EVENTS[event].minimumRole);
        expect(await ops.metric('ioc_web_socket_events_dropped_total', { reason: 'forbidden' })).toBe(before.forbidden + (allowed ? 0 : 1));
        expect(await ops.metric('ioc_web_socket_events_dropped_total', { reason: 'invalid' })).toBe(before.invalid);
      }
      expect(socket.connected).toBe(true);
    }
  });

  it('delivers every server→client event to every role', { timeout: 60_000 }, async () => {
    const received = (['viewer', 'operator', 'admin'] as const).map((role) => {
      const socket = openSocket(ops.base, ops.cookies[role]);
      sockets.push(socket);
      const kinds = new Set<string>();
      socket.onAny((event: string) => kinds.add(event));
      return { role, socket, kinds };
    });
    for (const { socket } of received) expect(await socketOutcome(socket)).toBe('connected');
    const rule = {
      id: 'matrix-turbidity',
      name: { vi: 'Độ đục', en: 'Turbidity' },
      scope: { sites: ['KG-WQ-03'] },
      condition: 'threshold',
      metric: 'turbidity',
      bands: [{ severity: 'critical', op: '>', value: 100 }],
      raiseAfterSec: 0,
      clearAfterSec: 0,
    };
    expect(
      (await call(ops.base, 'POST', '/api/rules', { cookie: ops.cookies.admin, json: rule, headers: { origin: ops.base } })).status,
    ).toBe(201);
    // A real reading (device topic → ingest → store → fan-out) that also raises an alert, and a status change.
    await ops.publisher.publishAsync(topics.telemetry('KG-WQ-03'), JSON.stringify({ values: { turbidity: 180 } }), { qos: 1 });
    await ingest.publishAsync(
      topics.platformSiteStatus('KG-WQ-03'),
      JSON.stringify({ siteId: 'KG-WQ-03', status: 'maintenance', ts: Date.now() }),
      {
        qos: 1,
      },
    );
    const expected = Object.keys(SERVER_EVENTS).sort();
    await waitFor(() => received.every(({ kinds }) => expected.every((kind) => kinds.has(kind))), {
      timeoutMs: 20_000,
      message: `not every role received ${expected.join(', ')}: ${received.map(({ role, kinds }) => `${role}: ${[...kinds].join(',')}`).join('; ')}`,
    });
  });

  it('lets every role narrow its own live stream with viewport (the event takes effect)', { timeout: 60_000 }, async () => {
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const socket = openSocket(ops.base, ops.cookies[role]);
      sockets.push(socket);
      expect(await socketOutcome(socket)).toBe('connected');
      const received: LiveReading[] = [];
      socket.on('reading', (reading: LiveReading) => received.push(reading));
      socket.emit('viewport', SAMPLE_PAYLOADS.viewport);
      // Each round publishes KG-WQ-02 (outside the viewport) before KG-WQ-01 (followed): once the
      // viewport applies, a round's KG-WQ-01 reading arrives without that round's KG-WQ-02 one.
      let round = 0;
      await waitFor(
        async () => {
          round += 1;
          const ts = Date.now() - 1000 + round;
          for (const siteId of ['KG-WQ-02', 'KG-WQ-01']) {
            await ingest.publishAsync(
              topics.platformReadings(siteId),
              JSON.stringify({ siteId, readings: [{ ts, values: { do: 5 + round / 1000 } }] }),
              {
                qos: 1,
              },
            );
          }
          await waitFor(() => received.some((r) => r.siteId === 'KG-WQ-01' && r.ts === ts), { timeoutMs: 5_000 });
          return !received.some((r) => r.siteId === 'KG-WQ-02' && r.ts === ts);
        },
        { timeoutMs: 20_000, intervalMs: 10, message: `${role}: viewport never applied` },
      );
    }
  });

  it('drops malformed client events and events outside the contract without disconnecting', async () => {
    const socket = openSocket(ops.base, ops.cookies.viewer);
    sockets.push(socket);
    expect(await socketOutcome(socket)).toBe('connected');
    const invalidBefore = await ops.metric('ioc_web_socket_events_dropped_total', { reason: 'invalid' });
    const raw = socket as unknown as { emit: (name: string, ...payload: unknown[]) => void };
    for (const payload of [
      null,
      'x',
      { bbox: [999, 0, 1, 1] },
      { bbox: null, sites: new Array(500).fill('A') },
      { bbox: null, extra: { __proto__: 1 } },
    ]) {
      raw.emit('viewport', payload);
    }
    await waitFor(async () => (await ops.metric('ioc_web_socket_events_dropped_total', { reason: 'invalid' })) >= invalidBefore + 4);
    raw.emit('disconnect-everyone', {});
    raw.emit('__proto__', {});
    expect(socket.connected).toBe(true);
    expect((await call(ops.base, 'GET', '/api/health')).status).toBe(200);
  });
});
