import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Health } from '../../../../common/api.js';
import { AppError } from '../../../../platform/errors.js';
import { InternalHttpServer } from '../../../../platform/http/internal-server.js';
import { silentLogger } from '../../../../platform/logger.js';
import { DATA_API, DATA_API_PATH } from '../../../../platform/store/remote/data-api-contract.js';
import { createDataApiRouter } from '../../../../platform/store/remote/data-api-router.js';
import { RemoteDataStores } from '../../../../platform/store/remote/remote-data-stores.js';
import { freePorts } from '../../../support/ports.js';
import { StoreFixture } from './store-fixture.js';

const TOKEN = 'test-service-token-0123456789abcdef';
const T = Date.UTC(2025, 2, 1);
const healthy: Health = { status: 'ok', version: 'test', uptimeSec: 0, components: {} };

describe('internal data API: RemoteDataStores ↔ router ↔ DuckDbDataStores', () => {
  let fixture: StoreFixture;
  let server: InternalHttpServer;
  let remote: RemoteDataStores;

  beforeEach(async () => {
    fixture = await StoreFixture.open();
    server = new InternalHttpServer({
      name: 'ingest-http',
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      metrics: new Registry(),
      health: async () => healthy,
      routers: [
        { path: DATA_API_PATH, router: createDataApiRouter({ stores: fixture.stores, serviceToken: TOKEN, logger: silentLogger() }) },
      ],
    });
    await server.start();
    remote = new RemoteDataStores({ baseUrl: `${server.url}/`, serviceToken: TOKEN, logger: silentLogger() });
    await remote.start();
  });

  afterEach(async () => {
    await remote.stop();
    await server.stop();
    await fixture.cleanup();
  });

  /** `token: null` sends no Authorization header. */
  const post = (path: string, body: unknown, token: string | null = TOKEN) =>
    fetch(`${server.url}${DATA_API_PATH}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });

  it('round-trips every telemetry method', async () => {
    const t = remote.telemetry;
    await t.writeReadings([
      { siteId: 'KG-WQ-01', ts: T, values: { do: 4, ph: 7.5 } },
      { siteId: 'KG-WQ-01', ts: T + 60_000, values: { do: 6 } },
    ]);
    await t.writeReadings([{ siteId: 'KG-WQ-01', ts: T, values: { do: 5 } }]);

    const request = { siteId: 'KG-WQ-01', metric: 'do' as const, from: T, to: T + 120_000, maxPoints: 2 };
    const series = await t.queryHistory(request);
    expect(series).toEqual(await fixture.stores.telemetry.queryHistory(request));
    expect(series.points.map((p) => p.avg)).toEqual([5, 6]);

    expect(await t.latestValues()).toEqual([
      { siteId: 'KG-WQ-01', values: { do: { value: 6, ts: T + 60_000 }, ph: { value: 7.5, ts: T } } },
    ]);

    await t.writeEvents([
      {
        siteId: 'KG-CAM-01',
        ts: T,
        type: 'intrusion',
        severity: 'critical',
        message: 'gate',
        data: { zone: 'north', count: 2, armed: true },
      },
      { siteId: 'KG-CAM-01', ts: T + 1, type: 'heartbeat', severity: 'info' },
    ]);
    const events = await t.listEvents('KG-CAM-01', 10);
    expect(events).toEqual(await fixture.stores.telemetry.listEvents('KG-CAM-01', 10));
    expect(events.map((e) => e.type)).toEqual(['heartbeat', 'intrusion']);
    expect(events[1]).toEqual({
      siteId: 'KG-CAM-01',
      ts: T,
      type: 'intrusion',
      severity: 'critical',
      message: 'gate',
      data: { zone: 'north', count: 2, armed: true },
    });

    await expect(t.purgeBefore(T + 1)).resolves.toBeUndefined();
    expect(await t.listEvents('KG-CAM-01', 10)).toHaveLength(1);
    expect(await t.latestValues()).toEqual([{ siteId: 'KG-WQ-01', values: { do: { value: 6, ts: T + 60_000 } } }]);
  });

  it('round-trips every registry method, including undefined results', async () => {
    const r = remote.registry;
    expect(await r.getDeviceCredential('KG-WQ-01')).toBeUndefined();
    await expect(r.saveDeviceCredential({ siteId: 'KG-WQ-01', tokenHash: 'scrypt$x', issuedAt: T })).resolves.toBeUndefined();
    expect(await r.getDeviceCredential('KG-WQ-01')).toEqual({ siteId: 'KG-WQ-01', tokenHash: 'scrypt$x', issuedAt: T });
    await expect(r.saveDeviceCredentials([{ siteId: 'KG-WQ-02', tokenHash: 'scrypt$y', issuedAt: T }])).resolves.toBeUndefined();
    expect(await r.getDeviceCredential('KG-WQ-02')).toEqual({ siteId: 'KG-WQ-02', tokenHash: 'scrypt$y', issuedAt: T });

    expect(await r.countUsers()).toBe(0);
    expect(await r.findUser('admin')).toBeUndefined();
    await r.saveUser({ username: 'admin', passwordHash: 'h', role: 'admin', createdAt: T });
    expect(await r.findUser('admin')).toEqual({ username: 'admin', passwordHash: 'h', role: 'admin', createdAt: T });
    expect(await r.countUsers()).toBe(1);

    await r.saveSession({ idHash: 'live', username: 'admin', createdAt: T, expiresAt: fixture.now + 1_000 });
    await r.saveSession({ idHash: 'old', username: 'admin', createdAt: T, expiresAt: fixture.now - 1 });
    expect(await r.findSession('live')).toEqual({ idHash: 'live', username: 'admin', createdAt: T, expiresAt: fixture.now + 1_000 });
    expect(await r.findSession('old')).toBeUndefined();
    await r.deleteExpiredSessions(fixture.now);
    await r.deleteSession('live');
    expect(await r.findSession('live')).toBeUndefined();

    await r.saveSiteStatus({ siteId: 'KG-WQ-01', status: 'online', ts: T, battery: 12.1 });
    expect(await r.listSiteStatuses()).toEqual([{ siteId: 'KG-WQ-01', status: 'online', ts: T, battery: 12.1 }]);

    const rejection = {
      ts: T,
      reason: 'out_of_range' as const,
      topic: 'sites/X/telemetry',
      siteId: null,
      detail: 'ph = 15',
      payloadExcerpt: '{"ph":15}',
    };
    await r.addRejections([rejection, { ...rejection, ts: T + 1, siteId: 'X' }]);
    expect(await r.listRejections(5)).toEqual([{ ...rejection, ts: T + 1, siteId: 'X' }, rejection]);
    expect(await r.rejectionTotals()).toEqual({ out_of_range: 2 });
  });

  it('covers every method of the contract', () => {
    const methods = (target: object) => Object.keys(target).sort();
    expect(methods(remote.telemetry)).toEqual(Object.keys(DATA_API.telemetry).sort());
    expect(methods(remote.registry)).toEqual(Object.keys(DATA_API.registry).sort());
    const prototypeMethods = (instance: object) =>
      Object.getOwnPropertyNames(Object.getPrototypeOf(instance))
        .filter((name) => name !== 'constructor' && name !== 'initialise')
        .sort();
    expect(prototypeMethods(fixture.stores.telemetry)).toEqual(Object.keys(DATA_API.telemetry).sort());
    expect(prototypeMethods(fixture.stores.registry)).toEqual(Object.keys(DATA_API.registry).sort());
  });

  it('refuses calls without the right service token with 401 unauthenticated', async () => {
    for (const token of [null, 'wrong-token', `${TOKEN}x`, '']) {
      const response = await post('registry/countUsers', { args: [] }, token);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    }
    // Also before revealing whether a method exists.
    expect((await post('registry/nope', {}, 'wrong')).status).toBe(401);

    const wrongClient = new RemoteDataStores({ baseUrl: server.url, serviceToken: 'wrong-token', logger: silentLogger() });
    await wrongClient.start();
    await expect(wrongClient.registry.countUsers()).rejects.toMatchObject({ code: 'unauthenticated' });
    await wrongClient.stop();
  });

  it('answers unknown targets and methods with 404 not_found', async () => {
    for (const path of [
      'nope/countUsers',
      'registry/nope',
      'registry/constructor',
      'registry/__proto__',
      'telemetry/toString',
      'registry',
    ]) {
      const response = await post(path, { args: [] });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    const get = await fetch(`${server.url}${DATA_API_PATH}/registry/countUsers`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(404);
  });

  it('validates arguments with 400 validation_failed and field details', async () => {
    const badReading = await post('telemetry/writeReadings', { args: [[{ siteId: 'S', ts: 'yesterday', values: { do: 1 } }]] });
    expect(badReading.status).toBe(400);
    expect(await badReading.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: 'invalid arguments for telemetry/writeReadings',
        details: [{ path: 'args.0.0.ts', message: expect.any(String) }],
      },
    });

    for (const body of [{ args: 'x' }, { args: [] }, { args: [{ siteId: 'S', metric: 'nope', from: 0, to: 1, maxPoints: 1 }] }, {}]) {
      const response = await post('telemetry/queryHistory', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    // Extra arguments are refused too, not ignored.
    expect((await post('registry/countUsers', { args: [1] })).status).toBe(400);
    // No body at all is fine for a method without arguments.
    const noBody = await fetch(`${server.url}${DATA_API_PATH}/registry/countUsers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await noBody.json()).toEqual({ result: 0 });

    await expect(remote.telemetry.listEvents('S', -1)).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('passes store errors through with their code', async () => {
    await fixture.stores.stop();
    const error = await remote.registry.countUsers().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'unavailable', httpStatus: 503, message: expect.stringContaining('store is not open') });
  });

  it('refuses calls before start() and after stop()', async () => {
    const client = new RemoteDataStores({ baseUrl: server.url, serviceToken: TOKEN, logger: silentLogger() });
    await expect(client.registry.countUsers()).rejects.toMatchObject({ code: 'unavailable' });
    await client.start();
    expect(await client.registry.countUsers()).toBe(0);
    await client.stop();
    await expect(client.registry.countUsers()).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('RemoteDataStores when ingest is down', () => {
  it('starts anyway and fails calls with "unavailable" naming the URL', async () => {
    const [port] = await freePorts(1);
    const baseUrl = `http://127.0.0.1:${port}`;
    const warnings: string[] = [];
    const logger = silentLogger();
    logger.warn = ((...args: unknown[]) => {
      warnings.push(String(args.at(-1)));
    }) as typeof logger.warn;
    const client = new RemoteDataStores({ baseUrl, serviceToken: TOKEN, logger });
    await expect(client.start()).resolves.toBeUndefined();
    expect(warnings.join('\n')).toContain('not reachable');

    const error = await client.telemetry.latestValues().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect((error as Error).message).toContain(baseUrl);
    expect((error as Error).message).toContain('ECONNREFUSED');
    await client.stop();
  });

  it('fails with "unavailable" when the server does not answer in time', async () => {
    const net = await import('node:net');
    // Accepts connections but never answers.
    const sockets = new Set<import('node:net').Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as import('node:net').AddressInfo;
    const client = new RemoteDataStores({
      baseUrl: `http://127.0.0.1:${port}`,
      serviceToken: TOKEN,
      logger: silentLogger(),
      timeoutMs: 200,
      probeTimeoutMs: 200,
    });
    try {
      await client.start();
      await expect(client.registry.countUsers()).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringContaining('no answer within 200 ms'),
      });
    } finally {
      await client.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
