/**
 * The live stream under hostile or broken clients, on the real socket gateway (socket.io over a
 * real HTTP server, sessions in a real DuckDB registry): a client that stops reading delays no
 * other client's events and is cut off once its queue is bounded-out; a client flooding events is
 * limited to its rate; a session ended behind the gateway's back (another process) still ends its
 * sockets. Assertions count events; the gateway's clock is the test's, so no timing can flake.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../common/api.js';
import { SESSION_COOKIE } from '../../../common/socket-events.js';
import { silentLogger } from '../../../platform/logger.js';
import { DuckDbDataStores } from '../../../platform/store/duckdb/duckdb-data-stores.js';
import { SessionManager } from '../../../web/server/auth/session.js';
import { SocketGateway } from '../../../web/server/live/socket-gateway.js';
import { securityMetrics } from '../../../web/server/security-metrics.js';
import { webMetrics } from '../../../web/server/web-metrics.js';
import { makeTempDir } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';
import { metricValue } from './operators-fixture.js';
import { connectSlowClient } from './operators-raw-socket.js';

const MAX_QUEUED = 300;
const STALL_MS = 300;
/** Ten metrics per reading, about 250 bytes on the wire. */
const VALUES = Object.fromEntries(
  ['do', 'ph', 'temperature', 'salinity', 'turbidity', 'tss', 'cod', 'bod', 'nh4', 'no2'].map((m, i) => [m, i + 0.125]),
);

describe('live stream backpressure and client limits', () => {
  const temp = makeTempDir('mekong-ioc-sockets-');
  const metrics = new Registry();
  const clients: Socket[] = [];
  let stores: DuckDbDataStores;
  let sessions: SessionManager;
  let gateway: SocketGateway;
  let server: http.Server;
  let base: string;
  /** The gateway's and the sessions' clock; starts at the real time because the store checks expiry by it. */
  let now = Date.now();

  async function sessionCookie(username: string, role: Role): Promise<{ cookie: string; idHash: string }> {
    await stores.registry.saveUser({ username, role, passwordHash: 'not-used-here', createdAt: now });
    const { sessionId, auth } = await sessions.create({ username, role });
    return { cookie: `${SESSION_COOKIE}=${sessionId}`, idHash: auth.sessionIdHash };
  }

  async function fastClient(cookie: string): Promise<{ socket: Socket; readings: number[] }> {
    const socket = io(base, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie } });
    clients.push(socket);
    const readings: number[] = [];
    socket.on('reading', (reading: { ts: number }) => readings.push(reading.ts));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return { socket, readings };
  }

  beforeAll(async () => {
    stores = new DuckDbDataStores({ file: path.join(temp.dir, 'sockets.duckdb'), logger: silentLogger(), metrics: new Registry() });
    await stores.start();
    sessions = new SessionManager({ registry: stores.registry, ttlMs: 3_600_000, clock: () => now, cacheTtlMs: 0 });
    gateway = new SocketGateway({
      sessions,
      logger: silentLogger(),
      metrics: webMetrics(metrics),
      securityMetrics: securityMetrics(metrics),
      clock: () => now,
      maxQueuedPackets: MAX_QUEUED,
      stallMs: STALL_MS,
      clientEventRate: { perSecond: 10, burst: 30 },
      sessionRecheckMs: 100,
    });
    server = http.createServer();
    gateway.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await gateway?.close();
    await stores?.stop();
    temp.cleanup();
  });

  it('a client that stops reading delays no other client’s events, and is cut off with its queue bounded', {
    timeout: 60_000,
  }, async () => {
    const fast = [
      await fastClient((await sessionCookie('fast.one', 'viewer')).cookie),
      await fastClient((await sessionCookie('fast.two', 'operator')).cookie),
    ];
    const slow = await connectSlowClient((server.address() as AddressInfo).port, (await sessionCookie('slow.viewer', 'viewer')).cookie);
    slow.pause();
    expect(await metricValue(metrics, 'ioc_web_socket_clients')).toBe(3);

    // Produce readings in paced batches (the gateway's clock moves 10 ms per batch) until the
    // gateway gives up on the slow client — first its kernel buffers fill, then its queue grows.
    let sent = 0;
    while ((await metricValue(metrics, 'ioc_web_socket_slow_disconnects_total')) === 0 && sent < 400_000) {
      for (let i = 0; i < 100; i++) gateway.reading({ siteId: 'KG-WQ-01', ts: sent++, values: VALUES });
      now += 10;
      await nextTurn();
    }
    expect(await metricValue(metrics, 'ioc_web_socket_slow_disconnects_total')).toBe(1);

    // While the slow client had not read a single byte more, every fast client got every event, in order.
    await waitFor(() => fast.every((client) => client.readings.length === sent), { timeoutMs: 30_000, message: 'fast clients incomplete' });
    for (const client of fast) {
      expect(client.readings).toEqual(Array.from({ length: sent }, (_, i) => i));
      expect(client.socket.connected).toBe(true);
    }
    expect(await metricValue(metrics, 'ioc_web_socket_clients')).toBe(2);

    // The slow client, reading again, finds what the kernel held, then the server's close — never the rest.
    const before = slow.messages.length;
    slow.resume();
    await slow.closeFrame;
    const delivered = slow.messages.filter((message) => message.startsWith('42["reading"')).length;
    expect(slow.messages.length).toBeGreaterThan(before);
    expect(delivered).toBeLessThan(sent - MAX_QUEUED);
    slow.socket.destroy();
  });

  it('drops a flood of client events beyond the socket’s rate and keeps serving it', async () => {
    const client = await fastClient((await sessionCookie('flood.viewer', 'viewer')).cookie);
    const before = await metricValue(metrics, 'ioc_web_socket_events_dropped_total', { reason: 'rate_limited' });
    // The gateway's clock stands still: the bucket holds its burst (30) and refills nothing.
    for (let i = 0; i < 1000; i++) client.socket.emit('viewport', { bbox: null, sites: [] });
    await waitFor(
      async () => (await metricValue(metrics, 'ioc_web_socket_events_dropped_total', { reason: 'rate_limited' })) - before === 970,
      {
        message: 'flood not limited',
      },
    );
    const ts = 10_000_000;
    gateway.reading({ siteId: 'KG-WQ-02', ts, values: VALUES });
    await waitFor(() => client.readings.includes(ts), { message: 'no reading after the flood' });
    expect(client.socket.connected).toBe(true);
  });

  it('ends the sockets of a session ended or a user disabled behind its back (e.g. by another web process)', async () => {
    const ended = await sessionCookie('gone.session', 'viewer');
    const disabled = await sessionCookie('gone.user', 'operator');
    const kept = await sessionCookie('still.here', 'viewer');
    const sockets = await Promise.all([ended, disabled, kept].map((s) => fastClient(s.cookie)));
    const reasons = sockets.map(({ socket }) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason))));

    await stores.registry.deleteSession(ended.idHash);
    const user = await stores.registry.findUser('gone.user');
    if (!user) throw new Error('user missing');
    await stores.registry.saveUser({ ...user, disabledAt: now });

    expect(await reasons[0]).toBe('io server disconnect');
    expect(await reasons[1]).toBe('io server disconnect');
    expect(sockets[2]?.socket.connected).toBe(true);
  });
});
