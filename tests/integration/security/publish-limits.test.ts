/**
 * Per-device publish limits against a real broker: the excess over a device's rate and burst is
 * acknowledged, dropped and counted (`rate_limited`) while services are never limited; a device
 * flooding at full speed does not hold up another device's messages; oversized payloads are
 * dropped, and packets larger than any accepted message are refused before they are buffered —
 * also from a connection that has not even sent CONNECT.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../../common/topics.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { waitFor } from '../../support/wait.js';
import { connackCode, connectPacket, openRaw, publishQos0, remainingLength } from './raw-mqtt.js';
import { SecurityFixture, type TestClient, waitForMessage } from './security-fixture.js';

const FLOODER = 'KG-WQ-66';
const STEADY = 'KG-WQ-67';

function brokerPort(fixture: SecurityFixture): number {
  return Number(new URL(fixture.broker.url).port);
}

/** A service subscribed to every device's telemetry (what ingest sees). */
async function telemetryObserver(fixture: SecurityFixture): Promise<TestClient> {
  const observer = await fixture.service(SERVICE_USERS.ingest);
  await observer.mqtt.subscribeAsync(topicFilters.allDeviceTelemetry, { qos: 1 });
  return observer;
}

describe('per-device publish limits', () => {
  let fixture: SecurityFixture;

  afterEach(async () => {
    await fixture.stop();
  });

  it('drops and counts what exceeds a device’s burst, never a service’s', async () => {
    // 1 token per 1,000 s: within the test only the burst of 10 passes, so every count is exact.
    fixture = await new SecurityFixture({
      siteIds: [FLOODER, STEADY],
      broker: { devicePublishRate: 0.001, devicePublishBurst: 10 },
    }).start();
    const observer = await telemetryObserver(fixture);
    const token = await fixture.issue(FLOODER);
    // Two connections of the same site share one allowance.
    const [first, second] = await Promise.all([
      fixture.device(FLOODER, token, { clientId: 'flooder-a' }),
      fixture.device(FLOODER, token, { clientId: 'flooder-b' }),
    ]);
    for (let i = 0; i < 25; i++) {
      // QoS 1: every message is acknowledged, dropped or not, and the connections stay open.
      await first.mqtt.publishAsync(topics.telemetry(FLOODER), `{"values":{"do":${i}}}`, { qos: 1 });
      await second.mqtt.publishAsync(topics.telemetry(FLOODER), `{"values":{"ph":7}}`, { qos: 1 });
    }
    expect(await fixture.metric('ioc_broker_publish_denied_total', { reason: 'rate_limited' })).toBe(40);
    expect(first.mqtt.connected && second.mqtt.connected).toBe(true);

    const simulator = await fixture.service(SERVICE_USERS.simulator);
    for (let i = 0; i < 50; i++) await simulator.mqtt.publishAsync(topics.telemetry(STEADY), `{"values":{"do":${i}}}`, { qos: 1 });
    await waitFor(() => observer.received.filter((m) => m.topic === topics.telemetry(STEADY)).length === 50, {
      message: 'every service message delivered',
    });
    expect(observer.received.filter((m) => m.topic === topics.telemetry(FLOODER))).toHaveLength(10);
    expect(await fixture.metric('ioc_broker_publish_denied_total', { reason: 'rate_limited' })).toBe(40);
  });

  it('keeps serving another device while one floods at full speed, and accounts for every flooded message', async () => {
    fixture = await new SecurityFixture({ siteIds: [FLOODER, STEADY], broker: { devicePublishRate: 10, devicePublishBurst: 100 } }).start();
    const observer = await telemetryObserver(fixture);
    const steady = await fixture.device(STEADY, await fixture.issue(STEADY));

    const flooder = await openRaw(brokerPort(fixture));
    flooder.socket.write(connectPacket({ clientId: 'flooder', username: FLOODER, password: await fixture.issue(FLOODER) }));
    await waitFor(() => connackCode(flooder.received()) === 0, { message: 'flooder CONNACK' });

    const FLOOD = 300_000;
    const one = publishQos0(topics.telemetry(FLOODER), '{"values":{"do":5.1}}');
    const before = await fixture.metric('ioc_broker_messages_received_total');
    // Handed to the kernel at once: the flooder never waits for the broker.
    flooder.socket.write(Buffer.concat(Array.from({ length: FLOOD }, () => one)));

    // The steady device works in lock step: each message must reach the observer before the next
    // is sent. Counted: how many complete round trips happen while the flood is still being read.
    let duringFlood = 0;
    let sent = 0;
    for (;;) {
      const payload = `{"values":{"do":${sent}}}`;
      await steady.mqtt.publishAsync(topics.telemetry(STEADY), payload, { qos: 1 });
      await waitForMessage(observer, topics.telemetry(STEADY), payload);
      sent++;
      const processed = (await fixture.metric('ioc_broker_messages_received_total')) - before - sent;
      if (processed >= FLOOD) break;
      duringFlood++;
    }
    // Starved, the steady device would complete its round trips only after the flood.
    expect(duringFlood).toBeGreaterThanOrEqual(20);
    const steadyReceived = observer.received.filter((m) => m.topic === topics.telemetry(STEADY)).map((m) => m.payload);
    expect(steadyReceived).toEqual(Array.from({ length: sent }, (_, i) => `{"values":{"do":${i}}}`));

    // Every flooded message is either delivered (within burst + rate) or dropped and counted.
    const denied = await fixture.metric('ioc_broker_publish_denied_total', { reason: 'rate_limited' });
    await waitFor(() => observer.received.filter((m) => m.topic === topics.telemetry(FLOODER)).length === FLOOD - denied, {
      message: 'allowed flood messages delivered',
    });
    expect(FLOOD - denied).toBeGreaterThanOrEqual(100);
    expect(FLOOD - denied).toBeLessThan(FLOOD / 100);
    flooder.socket.destroy();
  });

  it('drops oversized payloads but keeps the connection', async () => {
    fixture = await new SecurityFixture({ siteIds: [STEADY], broker: { maxPayloadBytes: 2048 } }).start();
    const observer = await telemetryObserver(fixture);
    const device = await fixture.device(STEADY, await fixture.issue(STEADY));
    await device.mqtt.publishAsync(topics.telemetry(STEADY), `{"values":{"do":1},"pad":"${'x'.repeat(4096)}"}`, { qos: 1 });
    await device.mqtt.publishAsync(topics.telemetry(STEADY), '{"values":{"do":2}}', { qos: 1 });
    await waitForMessage(observer, topics.telemetry(STEADY), '{"values":{"do":2}}');
    expect(observer.received).toHaveLength(1);
    expect(await fixture.metric('ioc_broker_publish_denied_total', { reason: 'payload_too_large' })).toBe(1);
  });

  it('closes a connection announcing a packet larger than any accepted message, before CONNECT and after', async () => {
    fixture = await new SecurityFixture({ siteIds: [STEADY, FLOODER], broker: { maxPayloadBytes: 2048 } }).start();
    const observer = await telemetryObserver(fixture);

    // Unauthenticated: a CONNECT header announcing 200 MB, then a trickle of bytes.
    const anonymous = await openRaw(brokerPort(fixture));
    anonymous.socket.write(Buffer.concat([Buffer.from([0x10]), remainingLength(200 * 1024 * 1024), Buffer.alloc(1024)]));
    await anonymous.closed;
    expect(await fixture.metric('ioc_broker_disconnects_total', { reason: 'packet_too_large' })).toBe(1);

    // Authenticated: a PUBLISH just over the cap (payload limit + 128 KiB) is refused the same way.
    const raw = await openRaw(brokerPort(fixture));
    raw.socket.write(connectPacket({ clientId: 'big', username: FLOODER, password: await fixture.issue(FLOODER) }));
    await waitFor(() => connackCode(raw.received()) === 0, { message: 'CONNACK' });
    raw.socket.write(Buffer.concat([Buffer.from([0x30]), remainingLength(2048 + 128 * 1024 + 1)]));
    await raw.closed;
    expect(await fixture.metric('ioc_broker_disconnects_total', { reason: 'packet_too_large' })).toBe(2);

    // A payload just over the payload limit is still read, acknowledged and dropped (not closed).
    const device = await fixture.device(STEADY, await fixture.issue(STEADY));
    await device.mqtt.publishAsync(topics.telemetry(STEADY), 'x'.repeat(2049), { qos: 1 });
    await device.mqtt.publishAsync(topics.telemetry(STEADY), '{"values":{"do":3}}', { qos: 1 });
    await waitForMessage(observer, topics.telemetry(STEADY), '{"values":{"do":3}}');
    expect(await fixture.metric('ioc_broker_publish_denied_total', { reason: 'payload_too_large' })).toBe(1);
  });
});
