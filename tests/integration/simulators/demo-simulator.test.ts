/**
 * The demo fleet against the platform's real broker (IocBroker on port 0, with an in-test credential
 * source: the simulators authenticate as a service) and real mqtt.js subscribers.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IocBroker } from '../../../broker/broker.js';
import { apiErrorBodySchema } from '../../../common/errors.js';
import { isMetricId, METRICS } from '../../../common/metrics.js';
import { eventPayloadSchema, statusPayloadSchema, timedValuesSchema } from '../../../common/payloads.js';
import type { Site } from '../../../common/sites.js';
import { parseTopic, topicFilters, topics } from '../../../common/topics.js';
import { silentLogger } from '../../../platform/logger.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { DemoSimulator } from '../../../simulators/demo-simulator.js';
import { freePorts } from '../../support/ports.js';
import { waitFor } from '../../support/wait.js';

const SERVICE_TOKEN = 'simulator-test-service-token-0123456789';
const sites = await loadSiteSeeds('seeds');

interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

function startBroker(port = 0): Promise<IocBroker> {
  const broker = new IocBroker({
    host: '127.0.0.1',
    port,
    maxPayloadBytes: 256 * 1024,
    logger: silentLogger(),
    metrics: new Registry(),
    credentials: { getDeviceCredential: async () => undefined },
    serviceToken: SERVICE_TOKEN,
  });
  return broker.start().then(() => broker);
}

/** A platform-side subscriber (as ingest) to everything devices publish, recording every message. */
async function subscriber(broker: IocBroker): Promise<{ client: MqttClient; received: Received[] }> {
  const client = await mqtt.connectAsync(broker.url, {
    protocolVersion: 4,
    username: SERVICE_USERS.ingest,
    password: SERVICE_TOKEN,
    reconnectPeriod: 0,
    clientId: `test-sub-${Math.random().toString(36).slice(2)}`,
  });
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString('utf8'), retain: packet.retain }));
  await client.subscribeAsync([topicFilters.allDeviceTelemetry, topicFilters.allDeviceStatus, topicFilters.allDeviceEvents], { qos: 1 });
  return { client, received };
}

const on = (received: readonly Received[], channel: string, siteId: string) =>
  received.filter((m) => {
    const parsed = parseTopic(m.topic);
    return parsed?.scope === 'device' && parsed.channel === channel && parsed.siteId === siteId;
  });

describe('DemoSimulator with a real broker', () => {
  let broker: IocBroker;
  let simulator: DemoSimulator;
  let live: { client: MqttClient; received: Received[] };
  const extraClients: MqttClient[] = [];

  beforeAll(async () => {
    broker = await startBroker();
    live = await subscriber(broker);
    simulator = new DemoSimulator({
      sites,
      mqttUrl: () => broker.url,
      serviceToken: SERVICE_TOKEN,
      logger: silentLogger(),
      seed: 7,
      intervalScale: 0.02,
      snapshotServer: { host: '127.0.0.1', port: 0 },
    });
    await simulator.start();
  });

  afterAll(async () => {
    await simulator?.stop();
    for (const client of [live?.client, ...extraClients]) await client?.endAsync(true);
    await broker?.stop();
  });

  it('every site publishes valid telemetry in catalog units and ranges', async () => {
    await waitFor(() => sites.every((site) => on(live.received, 'telemetry', site.id).length >= 2), {
      timeoutMs: 15_000,
      message: 'telemetry from every site',
    });
    const now = Date.now();
    for (const site of sites) {
      for (const message of on(live.received, 'telemetry', site.id)) {
        const payload = timedValuesSchema.parse(JSON.parse(message.payload));
        expect(typeof payload.ts).toBe('number');
        expect(Math.abs((payload.ts as number) - now)).toBeLessThan(60_000);
        const entries = Object.entries(payload.values);
        expect(entries.length).toBeGreaterThan(0);
        for (const [metric, value] of entries) {
          expect(isMetricId(metric), `${site.id}: ${metric}`).toBe(true);
          if (!isMetricId(metric) || typeof value !== 'number') throw new Error(`${site.id}: ${metric} = ${String(value)}`);
          expect(value).toBeGreaterThanOrEqual(METRICS[metric].min);
          expect(value).toBeLessThanOrEqual(METRICS[metric].max);
        }
        const keys = entries.map(([metric]) => metric);
        if (site.kind === 'water-quality')
          expect(keys).toEqual(expect.arrayContaining(['do', 'ph', 'temperature', 'salinity', 'conductivity']));
        if (site.kind === 'salinity') expect(keys).toEqual(expect.arrayContaining(['salinity', 'water_level']));
        if (site.kind === 'camera') expect(keys.some((k) => k === 'vehicle_count' || k === 'crowd_level')).toBe(true);
      }
    }
    expect(simulator.stats.published).toBeGreaterThan(sites.length);
    expect(simulator.stats.connected).toBe(sites.length);
    expect(simulator.stats.errors).toBe(0);
  });

  it('each site leaves a retained online status with battery and rssi', async () => {
    await waitFor(() => simulator.stats.connected === sites.length, { message: 'all devices connected' });
    const late = await subscriber(broker);
    extraClients.push(late.client);
    await waitFor(() => sites.every((site) => on(late.received, 'status', site.id).some((m) => m.retain)), {
      message: 'retained status of every site',
    });
    for (const site of sites) {
      const retained = on(late.received, 'status', site.id).find((m) => m.retain);
      const status = statusPayloadSchema.parse(JSON.parse(retained?.payload ?? 'null'));
      expect(status.status).toBe('online');
      expect(status.battery).toBeGreaterThan(11);
      expect(status.rssi).toBeLessThan(0);
    }
  });

  it('cameras publish heartbeats and valid analytics events', async () => {
    const cameras = sites.filter((site) => site.kind === 'camera');
    await waitFor(
      () => cameras.every((site) => on(live.received, 'status', site.id).length >= 3 && on(live.received, 'events', site.id).length >= 1),
      {
        timeoutMs: 15_000,
        message: 'camera heartbeats and events',
      },
    );
    for (const site of cameras) {
      for (const message of on(live.received, 'events', site.id)) {
        const event = eventPayloadSchema.parse(JSON.parse(message.payload));
        expect(['vehicle_count', 'crowd_level']).toContain(event.type);
      }
    }
  });

  it('an abrupt disconnection makes the broker publish the Will (offline); the device then reconnects online', async () => {
    const site = 'KG-WQ-01';
    await waitFor(() => simulator.stats.connected === sites.length, { message: 'all devices connected' });
    const before = live.received.length;
    expect(simulator.dropConnection(site)).toBe(true);
    const will = await waitFor(
      () => live.received.slice(before).find((m) => m.topic === topics.status(site) && JSON.parse(m.payload).status === 'offline'),
      { message: 'Last Will' },
    );
    expect(JSON.parse(will.payload)).toEqual({ status: 'offline' });
    const willIndex = live.received.indexOf(will);
    await waitFor(
      () => live.received.slice(willIndex + 1).find((m) => m.topic === topics.status(site) && JSON.parse(m.payload).status === 'online'),
      { timeoutMs: 10_000, message: 'online again after reconnecting' },
    );
    expect(simulator.dropConnection('NO-SUCH-SITE')).toBe(false);
  });

  it('serves an SVG frame per camera showing the last vehicle count, and 404 JSON otherwise', async () => {
    const camera = sites.find((site) => site.id === 'KG-CAM-01');
    if (!camera) throw new Error('KG-CAM-01 not seeded');
    const url = simulator.snapshotUrl(camera.id);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/snapshots\/KG-CAM-01\.svg$/);
    const response = await fetch(url ?? '');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    const svg = await response.text();
    expect(svg).toContain('<svg');
    expect(svg).toContain(camera.name);
    const shown = /data-value="(\d+)" data-observed-at="(\d+)"/.exec(svg);
    expect(shown).not.toBeNull();
    const [, value, observedAt] = shown ?? [];
    expect(svg.split('class="vehicle"').length - 1).toBe(Number(value));
    // The frame shows exactly what the camera reported in its event at that time.
    await waitFor(
      () =>
        on(live.received, 'events', camera.id)
          .map((m) => eventPayloadSchema.parse(JSON.parse(m.payload)))
          .find((e) => e.ts === Number(observedAt) && e.type === 'vehicle_count' && e.data?.count === Number(value)),
      { message: 'the event the frame shows' },
    );

    const base = new URL(url ?? '');
    for (const path of ['/snapshots/NO-SUCH-CAM.svg', '/snapshots/KG-WQ-01.svg', '/other']) {
      const missing = await fetch(new URL(path, base));
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/json');
      expect(apiErrorBodySchema.parse(await missing.json()).error.code).toBe('not_found');
    }
    const post = await fetch(url ?? '', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(simulator.snapshotUrl('KG-WQ-01')).toBeUndefined();
  });
});

describe('DemoSimulator lifecycle', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const fleet = (mqttUrl: string, chosen: readonly Site[], token = SERVICE_TOKEN) => {
    const simulator = new DemoSimulator({
      sites: chosen,
      mqttUrl: () => mqttUrl,
      serviceToken: token,
      logger: silentLogger(),
      intervalScale: 0.02,
      snapshotServer: false,
    });
    cleanup.push(() => simulator.stop());
    return simulator;
  };

  it('stop() leaves a retained offline status for every site and ends every connection', async () => {
    const broker = await startBroker();
    cleanup.push(() => broker.stop());
    const chosen = sites.slice(0, 5);
    const simulator = fleet(broker.url, chosen);
    await simulator.start();
    await waitFor(() => simulator.stats.connected === chosen.length, { message: 'all devices connected' });
    await simulator.stop();
    expect(simulator.stats).toMatchObject({ connected: 0, devices: 0 });
    await waitFor(() => broker.connectedClients === 0, { message: 'broker sees no client' });

    const late = await subscriber(broker);
    cleanup.push(() => late.client.endAsync(true));
    await waitFor(() => chosen.every((site) => on(late.received, 'status', site.id).length > 0), { message: 'retained statuses' });
    for (const site of chosen) {
      const status = statusPayloadSchema.parse(JSON.parse(on(late.received, 'status', site.id)[0]?.payload ?? 'null'));
      expect(status.status).toBe('offline');
    }
    await simulator.stop();
  });

  it('keeps retrying while the broker is down and connects once it is up, without crashing', async () => {
    const [port] = await freePorts(1);
    if (port === undefined) throw new Error('no free port');
    const chosen = sites.slice(0, 3);
    const simulator = fleet(`mqtt://127.0.0.1:${port}`, chosen);
    await simulator.start();
    await waitFor(() => simulator.stats.errors >= chosen.length, { message: 'connection failures counted' });
    expect(simulator.stats.connected).toBe(0);

    const broker = await startBroker(port);
    cleanup.push(() => broker.stop());
    await waitFor(() => simulator.stats.connected === chosen.length, { timeoutMs: 15_000, message: 'connected after the broker started' });
    await waitFor(() => simulator.stats.published > chosen.length, { message: 'publishing after connecting' });
  });

  it('a refused service token is retried and counted, never thrown', async () => {
    const broker = await startBroker();
    cleanup.push(() => broker.stop());
    const simulator = fleet(broker.url, sites.slice(0, 2), 'wrong-token-wrong-token-wrong-token');
    await simulator.start();
    await waitFor(() => simulator.stats.errors >= 4, { timeoutMs: 15_000, message: 'refusals counted across retries' });
    expect(simulator.stats).toMatchObject({ connected: 0, published: 0 });
  });

  it('refuses a site listed twice and an invalid interval scale', () => {
    const [first] = sites;
    if (!first) throw new Error('no site seeded');
    expect(() => fleet('mqtt://127.0.0.1:1', [first, first])).toThrow(/listed twice/);
    expect(() => new DemoSimulator({ sites, mqttUrl: () => '', serviceToken: 'x', logger: silentLogger(), intervalScale: 0 })).toThrow(
      /intervalScale/,
    );
  });

  it('fails start() clearly when the snapshot port is taken, leaving nothing running', async () => {
    const broker = await startBroker();
    cleanup.push(() => broker.stop());
    const camera = sites.filter((site) => site.kind === 'camera').slice(0, 1);
    const first = new DemoSimulator({
      sites: camera,
      mqttUrl: () => broker.url,
      serviceToken: SERVICE_TOKEN,
      logger: silentLogger(),
      snapshotServer: { host: '127.0.0.1', port: 0 },
    });
    cleanup.push(() => first.stop());
    await first.start();
    const port = Number(new URL(first.snapshotUrl(camera[0]?.id ?? '') ?? '').port);
    const second = new DemoSimulator({
      sites: camera,
      mqttUrl: () => broker.url,
      serviceToken: SERVICE_TOKEN,
      logger: silentLogger(),
      snapshotServer: { host: '127.0.0.1', port },
    });
    await expect(second.start()).rejects.toThrow(/snapshot server cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
    expect(second.stats).toMatchObject({ devices: 0, connected: 0 });
  });
});
