/**
 * Wire fuzz: fast-check-generated hostile topics and payloads published fast over a few real
 * mqtt.js connections to the real broker, consumed by the real ingest into a real DuckDB store,
 * with valid readings interleaved; plus raw connections that send protocol garbage.
 *
 * The pure decoders are the oracle: ingest runs with a frozen clock, so decoding each delivered
 * payload in the test with the same context predicts exactly what ingest must do. Checked, with
 * exact counts:
 * - the broker drops (and counts) every publish outside the device's own topics, delivers the rest;
 * - ingest receives every delivered message, counts a rejection for every refused piece with the
 *   predicted reason, and stores exactly the predicted readings — every interleaved valid reading
 *   among them — and nothing else;
 * - neither crashes: after the garbage, a last valid reading still flows end to end.
 * The bulk of the generated cases (over 100,000) runs in process: tests/unit/security/decoder-fuzz.test.ts.
 */
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_IDS } from '../../../common/metrics.js';
import { parseTopic, topics } from '../../../common/topics.js';
import type { DecodeRejection } from '../../../ingest/decode/decode-types.js';
import { decodeEvent } from '../../../ingest/decode/event.js';
import { decodeStatus } from '../../../ingest/decode/status.js';
import { decodeTelemetry } from '../../../ingest/decode/telemetry.js';
import { IngestService } from '../../../ingest/ingest-service.js';
import { silentLogger } from '../../../platform/logger.js';
import { waitFor } from '../../support/wait.js';
import { FUZZ_NOW, hostileEvent, hostileStatus, hostileTelemetry, hostileTopic } from '../../unit/security/fuzz-arbitraries.js';
import { connectPacket, openRaw } from './raw-mqtt.js';
import { SERVICE_TOKEN, SecurityFixture, type TestClient } from './security-fixture.js';

const DEVICES = ['FZ-WQ-01', 'FZ-WQ-02', 'FZ-WQ-03'] as const;
/** Generated messages per device connection. */
const MESSAGES_PER_DEVICE = 7_000;
/** One valid reading after every this many generated messages. */
const VALID_EVERY = 10;
const GARBAGE_CONNECTIONS = 300;
const MAX_PAYLOAD = 64 * 1024;
const RETENTION_DAYS = 90;
const DAY = 24 * 3600 * 1000;
/** Valid readings carry timestamps in a window no generator produces. */
const VALID_BASE_TS = FUZZ_NOW - 3 * DAY;

interface Expected {
  published: number;
  deniedTopics: number;
  delivered: Record<'telemetry' | 'status' | 'events', number>;
  rejections: Map<string, number>;
  /** `site metric ts` of every reading ingest must store. */
  readings: Set<string>;
  validSent: number;
}

describe('wire fuzz: broker and ingest under hostile topics and payloads', () => {
  const fixture = new SecurityFixture({
    siteIds: [...DEVICES],
    broker: { maxPayloadBytes: MAX_PAYLOAD, devicePublishRate: 100_000, devicePublishBurst: 1_000_000 },
  });
  let ingest: IngestService;
  const seed = Date.now() % 2 ** 31;
  const context = { receivedAt: FUZZ_NOW, oldestAcceptedTs: FUZZ_NOW - RETENTION_DAYS * DAY };

  beforeAll(async () => {
    await fixture.start();
    ingest = new IngestService({
      mqttUrl: () => fixture.broker.url,
      serviceToken: SERVICE_TOKEN,
      stores: fixture.stores,
      sites: fixture.sites,
      logger: silentLogger(),
      metrics: fixture.metrics,
      maxPayloadBytes: MAX_PAYLOAD,
      retentionDays: RETENTION_DAYS,
      clock: () => FUZZ_NOW,
      spool: { dir: path.join(fixture.temp.dir, 'spool') },
      tuning: { batchIntervalMs: 20 },
    });
    await ingest.start();
  });

  afterAll(async () => {
    await ingest?.stop();
    await fixture.stop();
  });

  /** What the oracle predicts for one message that passed the broker. */
  function predict(expected: Expected, siteId: string, channel: 'telemetry' | 'status' | 'events', payload: Uint8Array): void {
    expected.delivered[channel]++;
    let rejections: readonly DecodeRejection[];
    if (payload.byteLength > MAX_PAYLOAD) {
      rejections = [{ reason: 'payload_too_large', detail: '' }];
    } else if (channel === 'telemetry') {
      const result = decodeTelemetry(payload, { ...context, siteId });
      for (const reading of result.readings) {
        for (const metric of Object.keys(reading.values)) expected.readings.add(`${siteId} ${metric} ${reading.ts}`);
      }
      rejections = result.rejections;
    } else if (channel === 'status') {
      rejections = decodeStatus(payload, { ...context, siteId }).rejections;
    } else {
      rejections = decodeEvent(payload, { ...context, siteId }).rejections;
    }
    for (const { reason } of rejections) expected.rejections.set(reason, (expected.rejections.get(reason) ?? 0) + 1);
  }

  it(`drops, rejects or stores exactly as predicted for ${DEVICES.length * MESSAGES_PER_DEVICE} generated messages`, async () => {
    const expected: Expected = {
      published: 0,
      deniedTopics: 0,
      delivered: { telemetry: 0, status: 0, events: 0 },
      rejections: new Map(),
      readings: new Set(),
      validSent: 0,
    };
    const clients: TestClient[] = [];
    for (const site of DEVICES) clients.push(await fixture.device(site, await fixture.issue(site)));

    const sends: Promise<unknown>[] = [];
    DEVICES.forEach((site, deviceIndex) => {
      const client = clients[deviceIndex];
      if (!client) throw new Error('no client');
      const other = DEVICES[(deviceIndex + 1) % DEVICES.length] ?? site;
      // Most messages on the device's own topics, so most payloads reach ingest; the rest on hostile topics.
      const topic = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(topics.telemetry(site), topics.telemetry(site), topics.status(site), topics.events(site)) },
        { weight: 2, arbitrary: hostileTopic(site, other) },
      );
      const message = topic.chain((chosen) => {
        const parsed = parseTopic(chosen);
        const own = parsed?.scope === 'device' && parsed.siteId === site ? parsed.channel : undefined;
        const payload = own === 'status' ? hostileStatus : own === 'events' ? hostileEvent : hostileTelemetry;
        return payload.map((bytes) => ({ topic: chosen, bytes }));
      });
      const generated = fc.sample(message, { numRuns: MESSAGES_PER_DEVICE, seed: seed + deviceIndex });
      generated.forEach(({ topic, bytes }, i) => {
        const parsed = parseTopic(topic);
        const ownChannel =
          parsed?.scope === 'device' && parsed.siteId === site && parsed.channel !== 'commands' ? parsed.channel : undefined;
        expected.published++;
        if (ownChannel) predict(expected, site, ownChannel, bytes);
        else expected.deniedTopics++;
        sends.push(client.mqtt.publishAsync(topic, Buffer.from(bytes), { qos: 1 }));
        if (i % VALID_EVERY === 0) {
          const valid = Buffer.from(JSON.stringify({ ts: VALID_BASE_TS + expected.validSent, values: { orp: 120, do: 6.5 } }));
          expected.validSent++;
          expected.published++;
          predict(expected, site, 'telemetry', valid);
          sends.push(client.mqtt.publishAsync(topics.telemetry(site), valid, { qos: 1 }));
        }
      });
    });
    await Promise.all(sends);

    const delivered = expected.delivered.telemetry + expected.delivered.status + expected.delivered.events;
    const context = `fast-check seed ${seed}`;
    expect(await fixture.metric('ioc_broker_publish_denied_total', { reason: 'topic_not_allowed' }), context).toBe(expected.deniedTopics);
    expect(expected.published - expected.deniedTopics, context).toBe(delivered);
    await waitFor(async () => (await fixture.metric('ioc_ingest_messages_received_total')) === delivered, {
      timeoutMs: 60_000,
      message: `ingest received all ${delivered} delivered messages (${context})`,
    });
    for (const channel of ['telemetry', 'status', 'events'] as const) {
      expect(await fixture.metric('ioc_ingest_messages_received_total', { channel }), context).toBe(expected.delivered[channel]);
    }
    const actualRejections: Record<string, number> = {};
    for (const [reason] of expected.rejections) {
      actualRejections[reason] = await fixture.metric('ioc_ingest_rejected_total', { reason });
    }
    expect(actualRejections, context).toEqual(Object.fromEntries(expected.rejections));
    expect(await fixture.metric('ioc_ingest_rejected_total'), context).toBe([...expected.rejections.values()].reduce((a, b) => a + b, 0));

    // Exactly the predicted readings are stored, every interleaved valid one among them.
    const storedCount = async () => {
      let total = 0;
      for (const site of DEVICES) {
        for (const metric of METRIC_IDS) {
          const series = await fixture.stores.telemetry.queryHistory({ siteId: site, metric, from: 0, to: FUZZ_NOW + DAY, maxPoints: 1 });
          total += series.points.reduce((sum, point) => sum + point.count, 0);
        }
      }
      return total;
    };
    await waitFor(async () => (await storedCount()) === expected.readings.size, {
      timeoutMs: 30_000,
      message: `${expected.readings.size} readings stored (${context})`,
    });
    for (const site of DEVICES) {
      const window = { siteId: site, from: VALID_BASE_TS, to: VALID_BASE_TS + expected.validSent, maxPoints: 1 };
      const orp = await fixture.stores.telemetry.queryHistory({ ...window, metric: 'orp' });
      const predictedValid = [...expected.readings].filter((key) => {
        const [keySite, metric, ts] = key.split(' ');
        return keySite === site && metric === 'orp' && Number(ts) >= VALID_BASE_TS && Number(ts) < VALID_BASE_TS + expected.validSent;
      }).length;
      expect(orp.points.reduce((sum, point) => sum + point.count, 0)).toBe(predictedValid);
    }
    expect(expected.validSent).toBeGreaterThanOrEqual((DEVICES.length * MESSAGES_PER_DEVICE) / VALID_EVERY);
    for (const client of clients) client.mqtt.end(true);
  }, 120_000);

  it(`survives ${GARBAGE_CONNECTIONS} connections sending protocol garbage, before and after CONNECT`, async () => {
    const port = Number(new URL(fixture.broker.url).port);
    const [site] = DEVICES;
    const token = await fixture.issue(site);
    const garbage = fc.sample(
      fc.record({
        authenticated: fc.boolean(),
        bytes: fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 2_000 }),
          // A PUBLISH with a wildcard topic, a bad QoS, or reserved flags: protocol violations.
          fc.constantFrom(
            Buffer.from([0x30, 0x05, 0x00, 0x03, 0x61, 0x2f, 0x23]),
            Buffer.from([0x36, 0x02, 0x00, 0x00]),
            Buffer.from([0x82, 0x00]),
            Buffer.from([0xf0, 0x00]),
            Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]),
          ),
        ),
      }),
      { numRuns: GARBAGE_CONNECTIONS, seed },
    );
    await Promise.all(
      garbage.map(async ({ authenticated, bytes }, i) => {
        const raw = await openRaw(port);
        if (authenticated) raw.socket.write(connectPacket({ clientId: `garbage-${i}`, username: site, password: token }));
        raw.socket.write(bytes);
        // The broker answers or closes as it sees fit; the client gives up at the end of its bytes.
        raw.socket.end();
        await raw.closed;
      }),
    );

    // Still serving: a valid reading flows from a device to the store.
    const device = await fixture.device(site, token);
    const ts = VALID_BASE_TS - 1;
    await device.mqtt.publishAsync(topics.telemetry(site), JSON.stringify({ ts, values: { orp: 42 } }), { qos: 1 });
    await waitFor(
      async () => {
        const series = await fixture.stores.telemetry.queryHistory({ siteId: site, metric: 'orp', from: ts, to: ts + 1, maxPoints: 1 });
        return series.points.some((point) => point.avg === 42);
      },
      { message: `reading stored after the garbage (seed ${seed})` },
    );
  });
});
