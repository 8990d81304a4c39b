import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlatformReadingsMessage, PlatformSiteStatusMessage, Reading } from '../../../common/payloads.js';
import { topics } from '../../../common/topics.js';
import { AppError } from '../../../platform/errors.js';
import type { DataStores } from '../../../platform/store/types.js';
import { waitFor } from '../../support/wait.js';
import { INGEST_MAX_PAYLOAD, IngestFixture, waitForJson } from './ingest-fixture.js';

const SECOND = 1000;
const DAY = 86_400_000;
let fixture: IngestFixture;

beforeEach(async () => {
  fixture = await new IngestFixture().start();
});

afterEach(async () => {
  await fixture.stop();
});

describe('IngestService with a real broker and DuckDB', () => {
  it('stores telemetry and then fans it out on platform/readings', async () => {
    await fixture.startIngest();
    const observer = await fixture.observer();
    const device = await fixture.device('KG-WQ-01');
    const ts = Date.now() - 2 * SECOND;

    await device.mqtt.publishAsync(topics.telemetry('KG-WQ-01'), JSON.stringify({ ts, values: { do: 5.2, ph: 7.4 } }), { qos: 1 });

    const message = await waitForJson<PlatformReadingsMessage>(observer, topics.platformReadings('KG-WQ-01'));
    expect(message).toEqual({ siteId: 'KG-WQ-01', readings: [{ ts, values: { do: 5.2, ph: 7.4 } }] });
    // Fan-out happens only after the write: the reading is in the store by now.
    const latest = await fixture.stores.telemetry.latestValues();
    expect(latest.find((s) => s.siteId === 'KG-WQ-01')?.values).toMatchObject({ do: { value: 5.2, ts }, ph: { value: 7.4, ts } });
    expect(await fixture.metric('ioc_ingest_readings_stored_total')).toBe(1);
    expect(await fixture.metric('ioc_ingest_messages_received_total', { channel: 'telemetry' })).toBe(1);
    expect(await fixture.metric('ioc_ingest_batch_size')).toBeGreaterThan(0);
  });

  it('stores a backfill array and a SenML pack at their original timestamps', async () => {
    await fixture.startIngest();
    const device = await fixture.device('KG-SAL-01');
    const base = Math.floor((Date.now() - 3 * 3600 * SECOND) / 60_000) * 60_000;
    const backfill = [0, 1, 2].map((i) => ({ ts: base + i * 60_000, values: { salinity: 1 + i } }));
    await device.mqtt.publishAsync(topics.telemetry('KG-SAL-01'), JSON.stringify(backfill), { qos: 1 });
    const senml = [
      { bn: 'urn:dev:KG-SAL-01:', bt: (base + 10 * 60_000) / 1000, n: 'salinity', u: '/1000', v: 4.5 },
      { n: 'temperature', u: 'K', v: 303.15 },
    ];
    await device.mqtt.publishAsync(topics.telemetry('KG-SAL-01'), JSON.stringify(senml), { qos: 1 });

    await waitFor(async () => (await fixture.storedIn('KG-SAL-01', 'temperature', base, base + DAY)).count === 1);
    for (const [i, expected] of [1, 2, 3].entries()) {
      const at = base + i * 60_000;
      expect(await fixture.storedIn('KG-SAL-01', 'salinity', at, at + 1)).toEqual({ count: 1, avg: expected });
      expect((await fixture.storedIn('KG-SAL-01', 'salinity', at + 1, at + 60_000)).count).toBe(0);
    }
    const senmlAt = base + 10 * 60_000;
    expect(await fixture.storedIn('KG-SAL-01', 'salinity', senmlAt, senmlAt + 1)).toEqual({ count: 1, avg: 4.5 });
    expect(await fixture.storedIn('KG-SAL-01', 'temperature', senmlAt, senmlAt + 1)).toEqual({ count: 1, avg: 30 });
  });

  it('keeps the good readings of a bad message and records each rejection with its reason', async () => {
    await fixture.startIngest();
    const observer = await fixture.observer();
    const device = await fixture.device('KG-WQ-01');
    const now = Date.now();
    const payload = JSON.stringify([
      { ts: now - 3000, values: { do: 4.9, ph: 15, oxygen: 3 } },
      { ts: now + 3_600_000, values: { do: 5.0 } },
      { ts: now - 1000, values: { do: '5.1', salinity: -1, temperature: 28.4 } },
    ]);
    await device.mqtt.publishAsync(topics.telemetry('KG-WQ-01'), payload, { qos: 1 });

    const fanOut = await waitForJson<PlatformReadingsMessage>(observer, topics.platformReadings('KG-WQ-01'));
    expect(fanOut.readings).toEqual([
      { ts: now - 3000, values: { do: 4.9 } },
      { ts: now - 1000, values: { temperature: 28.4 } },
    ]);
    expect(await fixture.storedIn('KG-WQ-01', 'do', now - 3000, now - 2999)).toEqual({ count: 1, avg: 4.9 });
    expect(await fixture.storedIn('KG-WQ-01', 'temperature', now - 1000, now - 999)).toEqual({ count: 1, avg: 28.4 });

    const rejections = await waitFor(async () => {
      const list = await fixture.stores.registry.listRejections(100);
      return list.length === 5 ? list : undefined;
    });
    expect(rejections.map((r) => r.reason).sort()).toEqual([
      'out_of_range',
      'out_of_range',
      'timestamp_in_future',
      'unknown_metric',
      'wrong_type',
    ]);
    expect(rejections.find((r) => r.reason === 'out_of_range' && r.detail.includes('ph'))).toMatchObject({
      topic: topics.telemetry('KG-WQ-01'),
      siteId: 'KG-WQ-01',
      detail: 'entry 0: ph = 15 is outside 0–14',
      payloadExcerpt: payload.slice(0, 512),
    });
    expect(await fixture.metric('ioc_ingest_rejected_total', { reason: 'out_of_range' })).toBe(2);
    expect(await fixture.metric('ioc_ingest_rejected_total', { reason: 'unknown_metric' })).toBe(1);
    expect(await fixture.metric('ioc_ingest_rejected_total', { reason: 'wrong_type' })).toBe(1);
    expect(await fixture.metric('ioc_ingest_rejected_total', { reason: 'timestamp_in_future' })).toBe(1);
  });

  it('stores a device status and fans it out on platform/site-status', async () => {
    await fixture.startIngest();
    const observer = await fixture.observer();
    const camera = await fixture.device('KG-CAM-01');
    const ts = Date.now() - SECOND;
    await camera.mqtt.publishAsync(topics.status('KG-CAM-01'), JSON.stringify({ status: 'online', ts, battery: 12.7, rssi: -67 }), {
      qos: 1,
      retain: true,
    });

    const message = await waitForJson<PlatformSiteStatusMessage>(observer, topics.platformSiteStatus('KG-CAM-01'));
    expect(message).toEqual({ siteId: 'KG-CAM-01', status: 'online', ts, battery: 12.7, rssi: -67 });
    expect(await fixture.stores.registry.listSiteStatuses()).toEqual([
      { siteId: 'KG-CAM-01', status: 'online', ts, battery: 12.7, rssi: -67 },
    ]);
  });

  it('does not store a retained status again when ingest restarts', async () => {
    const first = await fixture.startIngest();
    const camera = await fixture.device('KG-CAM-01');
    await camera.mqtt.publishAsync(topics.status('KG-CAM-01'), JSON.stringify({ status: 'offline' }), { qos: 1, retain: true });
    const stored = await waitFor(async () => (await fixture.stores.registry.listSiteStatuses())[0]);
    await first.stop();

    const observer = await fixture.observer();
    const second = await fixture.startIngest({ clock: () => stored.ts + 3_600_000 });
    // The retained message is delivered on subscribe; wait until ingest has seen it.
    await waitFor(async () => (await fixture.metric('ioc_ingest_messages_received_total', { channel: 'status' })) === 2);
    await second.stop();
    expect(await fixture.stores.registry.listSiteStatuses()).toEqual([stored]);
    expect(observer.received.filter((m) => m.topic === topics.platformSiteStatus('KG-CAM-01'))).toEqual([]);
  });

  it('stores device events', async () => {
    await fixture.startIngest();
    const camera = await fixture.device('KG-CAM-01');
    await camera.mqtt.publishAsync(
      topics.events('KG-CAM-01'),
      JSON.stringify({ type: 'vehicle_count', severity: 'info', message: 'gate A', data: { count: 17 } }),
      { qos: 1 },
    );
    const events = await waitFor(async () => {
      const list = await fixture.stores.telemetry.listEvents('KG-CAM-01', 10);
      return list.length > 0 ? list : undefined;
    });
    expect(events[0]).toMatchObject({
      siteId: 'KG-CAM-01',
      type: 'vehicle_count',
      severity: 'info',
      message: 'gate A',
      data: { count: 17 },
    });
  });

  it('rejects messages for sites that are not registered', async () => {
    await fixture.startIngest();
    const simulator = await fixture.simulator();
    await simulator.mqtt.publishAsync(topics.telemetry('ZZ-99'), JSON.stringify({ values: { do: 5 } }), { qos: 1 });
    const rejection = await waitFor(async () => (await fixture.stores.registry.listRejections(10))[0]);
    expect(rejection).toMatchObject({
      reason: 'unknown_site',
      siteId: 'ZZ-99',
      topic: topics.telemetry('ZZ-99'),
      detail: "site 'ZZ-99' is not registered",
    });
    expect(await fixture.metric('ioc_ingest_rejected_total', { reason: 'unknown_site' })).toBe(1);
    expect((await fixture.stores.telemetry.latestValues()).find((s) => s.siteId === 'ZZ-99')).toBeUndefined();
  });

  it('survives garbage (random bytes, oversized and deeply nested payloads) and keeps storing', async () => {
    const ingest = await fixture.startIngest();
    const device = await fixture.device('KG-WQ-01');
    const topic = topics.telemetry('KG-WQ-01');
    const random = Buffer.alloc(2048);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 256;
    await device.mqtt.publishAsync(topic, random, { qos: 1 });
    await device.mqtt.publishAsync(topic, Buffer.alloc(INGEST_MAX_PAYLOAD + 1, 0x20), { qos: 1 });
    await device.mqtt.publishAsync(topic, '['.repeat(INGEST_MAX_PAYLOAD - 10), { qos: 1 });
    await device.mqtt.publishAsync(topic, `${'{"a":'.repeat(600)}1${'}'.repeat(600)}`, { qos: 1 });
    await device.mqtt.publishAsync(topics.status('KG-WQ-01'), Buffer.from([0, 1, 2, 3]), { qos: 1 });
    await device.mqtt.publishAsync(topics.events('KG-WQ-01'), '{"type": 5}', { qos: 1 });
    const ts = Date.now();
    await device.mqtt.publishAsync(topic, JSON.stringify({ ts, values: { do: 6.1 } }), { qos: 1 });

    await waitFor(async () => (await fixture.storedIn('KG-WQ-01', 'do', ts, ts + 1)).count === 1);
    const reasons = await waitFor(async () => {
      const list = await fixture.stores.registry.listRejections(100);
      return list.length === 6 ? list.map((r) => r.reason).sort() : undefined;
    });
    expect(reasons).toEqual([
      'invalid_payload',
      'malformed_json',
      'malformed_json',
      'malformed_json',
      'payload_too_large',
      'unknown_metric',
    ]);
    const tooLarge = (await fixture.stores.registry.listRejections(100)).find((r) => r.reason === 'payload_too_large');
    expect(tooLarge?.detail).toBe(`payload is ${INGEST_MAX_PAYLOAD + 1} bytes, at most ${INGEST_MAX_PAYLOAD} accepted`);
    expect(tooLarge?.payloadExcerpt.length).toBeLessThanOrEqual(512);
    const binary = (await fixture.stores.registry.listRejections(100)).find(
      (r) => r.detail === 'payload is not valid UTF-8 text' && r.topic === topic,
    );
    expect(binary?.payloadExcerpt.startsWith('hex:')).toBe(true);
    expect(ingest.connected).toBe(true);
    expect(ingest.lastActivity).toBeGreaterThan(0);
  });

  it('keeps readings while the store fails and writes them once it recovers', async () => {
    let failing = true;
    const flaky: Pick<DataStores, 'telemetry' | 'registry'> = {
      registry: fixture.stores.registry,
      telemetry: new Proxy(fixture.stores.telemetry, {
        get(target, property, receiver) {
          if (property === 'writeReadings') {
            return async (readings: readonly Reading[]) => {
              if (failing) throw new Error('disk full');
              return target.writeReadings(readings);
            };
          }
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    };
    const ingest = await fixture.startIngest({ stores: flaky });
    const device = await fixture.device('KG-WQ-01');
    const ts = Date.now() - 5000;
    await device.mqtt.publishAsync(topics.telemetry('KG-WQ-01'), JSON.stringify({ ts, values: { do: 3.3 } }), { qos: 1 });
    await waitFor(async () => (await fixture.metric('ioc_ingest_write_failures_total', { kind: 'readings' })) >= 2);
    expect(ingest.backlog).toBeGreaterThanOrEqual(1);
    expect(ingest.connected).toBe(true);

    failing = false;
    await waitFor(async () => (await fixture.storedIn('KG-WQ-01', 'do', ts, ts + 1)).count === 1);
    expect(await fixture.metric('ioc_ingest_readings_stored_total')).toBe(1);
    expect(await fixture.metric('ioc_ingest_dropped_total')).toBe(0);
    await waitFor(() => ingest.backlog === 0);
  });

  it('receives what devices sent while it was stopped (persistent session, QoS 1)', async () => {
    const first = await fixture.startIngest();
    await first.stop();
    const device = await fixture.device('KG-WQ-01');
    const ts = Date.now() - 1000;
    await device.mqtt.publishAsync(topics.telemetry('KG-WQ-01'), JSON.stringify({ ts, values: { ph: 7.9 } }), { qos: 1 });

    await fixture.startIngest();
    await waitFor(async () => (await fixture.storedIn('KG-WQ-01', 'ph', ts, ts + 1)).count === 1);
  });

  it('stop() stores the pending batch before returning', async () => {
    const ingest = await fixture.startIngest({ tuning: { batchIntervalMs: 60_000 } });
    const device = await fixture.device('KG-WQ-01');
    const ts = Date.now() - 1000;
    await device.mqtt.publishAsync(topics.telemetry('KG-WQ-01'), JSON.stringify({ ts, values: { do: 7.7 } }), { qos: 1 });
    await waitFor(() => ingest.backlog === 1);
    await ingest.stop();
    expect(await fixture.storedIn('KG-WQ-01', 'do', ts, ts + 1)).toEqual({ count: 1, avg: 7.7 });
    await ingest.stop();
  });

  it('purges readings older than retention periodically', async () => {
    const old = Date.now() - 10 * DAY;
    await fixture.stores.telemetry.writeReadings([{ siteId: 'KG-WQ-01', ts: old, values: { do: 1 } }]);
    expect((await fixture.storedIn('KG-WQ-01', 'do', old, old + 1)).count).toBe(1);
    await fixture.startIngest({ retentionDays: 7, tuning: { purgeIntervalMs: 50 } });
    await waitFor(async () => (await fixture.storedIn('KG-WQ-01', 'do', old, old + 1)).count === 0);
  });

  it('fails start() clearly when the broker refuses its credentials', async () => {
    const ingest = fixture.createIngest({ serviceToken: 'wrong-token-wrong-token-wrong' });
    const failure = await ingest.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).message).toMatch(/refused ingest \(svc:ingest\)/);
    expect(ingest.connected).toBe(false);
    await ingest.stop();
  });

  it('fails start() after its timeout when no broker listens', async () => {
    const ingest = fixture.createIngest({ mqttUrl: () => 'mqtt://127.0.0.1:1', tuning: { connectTimeoutMs: 300 } });
    await expect(ingest.start()).rejects.toThrow(/could not reach the MQTT broker at mqtt:\/\/127.0.0.1:1 within 300 ms/);
  });
});
