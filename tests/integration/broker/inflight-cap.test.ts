/**
 * The broker-wide in-flight cap (broker/inflight-read-gate.ts) with a real broker and real mqtt.js
 * clients: a consumer that stops reading makes deliveries wait; the broker then stops reading from
 * the publishers at the cap instead of parsing everything they send, keeps serving the platform's
 * own consumers, and delivers every message once the consumer reads again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../../common/topics.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { waitFor } from '../../support/wait.js';
import { connackCode, connectPacket, openRaw, subscribePacket } from '../security/raw-mqtt.js';
import { BrokerFixture, SERVICE_TOKEN, subscribe, type TestClient } from './broker-fixture.js';

/**
 * Aedes parses one read chunk per connection at a time (64 KB: about 8 of these messages), so ten
 * publishers alone would have ~80 in processing: the cap must bind below that.
 */
const CAP = 20;
/** One read chunk of 8 KB messages, with room: what may pass the cap before reads stop. */
const ONE_CHUNK = 12;
const PUBLISHERS = 10;
const MESSAGES_EACH = 400;
/** 8 KB each: 32 MB in all, more than loopback's socket buffers can absorb for a consumer that does not read. */
const PAYLOAD = 'x'.repeat(8 * 1024);
const siteOf = (p: number) => `KG-WQ-${String(p + 1).padStart(2, '0')}`;

let fixture: BrokerFixture;

beforeEach(async () => {
  fixture = await new BrokerFixture({
    maxInflightPackets: CAP,
    maxPayloadBytes: 16 * 1024,
    devicePublishRate: 1_000_000,
    devicePublishBurst: 1_000_000,
  }).start();
});

afterEach(async () => {
  await fixture.stop();
});

describe('in-flight cap', () => {
  it('stops reading from publishers at the cap while a consumer lags, serves services meanwhile and loses nothing', async () => {
    // ingest on a raw socket, so that it can simply stop reading (a stalled consumer).
    const ingest = await openRaw(fixture.broker.port);
    ingest.socket.write(connectPacket({ clientId: 'ingest-stalled', username: SERVICE_USERS.ingest, password: SERVICE_TOKEN }));
    await waitFor(() => connackCode(ingest.received()) === 0, { message: 'CONNACK' });
    ingest.socket.write(subscribePacket(topicFilters.allDeviceTelemetry, 0));
    await waitFor(() => ingest.received().includes(Buffer.from([0x90, 3, 0, 1, 0])), { message: 'SUBACK' });
    ingest.socket.pause();

    const publishers: TestClient[] = [];
    for (let p = 0; p < PUBLISHERS; p++) {
      const siteId = siteOf(p);
      publishers.push(await fixture.connectDevice(siteId, await fixture.credentials.issue(siteId)));
    }
    const acked = publishers.map((publisher, p) =>
      Promise.all(
        Array.from({ length: MESSAGES_EACH }, (_, n) =>
          publisher.mqtt.publishAsync(topics.telemetry(siteOf(p)), `${n}:${PAYLOAD}`, { qos: 1 }),
        ),
      ),
    );

    // The consumer's buffers fill up, deliveries wait, and the broker holds the publishers' reads.
    await waitFor(async () => (await fixture.metric('ioc_broker_read_pauses_total')) >= 1, {
      timeoutMs: 20_000,
      message: 'the broker to stop reading at the cap',
    });
    // Whatever the publishers still have to send stays outside the broker: the count stays within
    // one read chunk of the cap, where each publisher would otherwise hold a chunk of its own.
    for (let sample = 0; sample < 20; sample++) {
      expect(await fixture.metric('ioc_broker_packets_in_flight')).toBeLessThanOrEqual(CAP + ONE_CHUNK);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await fixture.metric('ioc_broker_packets_in_flight')).toBeGreaterThanOrEqual(CAP / 2);

    // A platform service is never held: web subscribes and gets its SUBACK while publishers wait.
    const web = await fixture.connectService(SERVICE_USERS.web);
    expect(await subscribe(web, [topicFilters.allPlatformReadings])).toEqual([1]);

    ingest.socket.resume();
    await Promise.all(acked);
    // Every message reached the consumer, in order per publisher.
    // Each PUBLISH on the raw stream is its topic followed by the payload `<n>:xxx…`.
    const numbersOn = (text: string, topic: string) =>
      [...text.matchAll(new RegExp(`${topic.replace(/[/+#]/g, '\\$&')}(\\d+):`, 'g'))].map((match) => Number(match[1]));
    const delivered = await waitFor(
      () => {
        const text = ingest.received().toString('latin1');
        const perPublisher = publishers.map((_, p) => numbersOn(text, topics.telemetry(siteOf(p))));
        return perPublisher.every((numbers) => numbers.length >= MESSAGES_EACH) ? perPublisher : undefined;
      },
      { timeoutMs: 30_000, message: `all ${PUBLISHERS * MESSAGES_EACH} messages delivered` },
    );
    for (const numbers of delivered) expect(numbers).toEqual(Array.from({ length: MESSAGES_EACH }, (_, n) => n));
    expect(publishers.every((publisher) => publisher.mqtt.connected)).toBe(true);
    await waitFor(async () => (await fixture.metric('ioc_broker_packets_in_flight')) === 0, { message: 'nothing left in flight' });
  });
});
