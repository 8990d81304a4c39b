/**
 * The broker with real mqtt.js clients: who may connect, what they may publish and subscribe to,
 * Last Wills, the payload limit, metrics and lifecycle.
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../../common/topics.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { waitFor } from '../../support/wait.js';
import { BrokerFixture, publish, subscribe, type TestClient, waitForMessage } from './broker-fixture.js';

const SITE = 'KG-WQ-01';
const OTHER_SITE = 'KG-WQ-02';
const NOT_AUTHORIZED = 5;
const SERVER_UNAVAILABLE = 3;
const IDENTIFIER_REJECTED = 2;
const SUBACK_FAILURE = 0x80;

let fixture: BrokerFixture;

beforeEach(async () => {
  fixture = await new BrokerFixture().start();
});

afterEach(async () => {
  await fixture.stop();
});

/** ingest's view: every device telemetry, status and event message. */
async function ingestSubscriber(): Promise<TestClient> {
  const ingest = await fixture.connectService(SERVICE_USERS.ingest);
  expect(await subscribe(ingest, [topicFilters.allDeviceTelemetry, topicFilters.allDeviceStatus, topicFilters.allDeviceEvents])).toEqual([
    1, 1, 1,
  ]);
  return ingest;
}

describe('IocBroker lifecycle', () => {
  it('listens on an ephemeral port and reports its URL', () => {
    expect(fixture.broker.port).toBeGreaterThan(0);
    expect(fixture.broker.url).toBe(`mqtt://127.0.0.1:${fixture.broker.port}`);
  });

  it('stops promptly with connected clients and a socket that never sent CONNECT, and stop is idempotent', async () => {
    const token = await fixture.credentials.issue(SITE);
    const device = await fixture.connectDevice(SITE, token);
    const silent = net.connect(fixture.broker.port, '127.0.0.1');
    await new Promise((resolve) => silent.once('connect', resolve));
    const silentClosed = new Promise((resolve) => silent.once('close', resolve));
    const deviceClosed = new Promise<void>((resolve) => device.mqtt.once('close', () => resolve()));

    await Promise.all([fixture.broker.stop(), fixture.broker.stop()]);
    await fixture.broker.stop();

    await silentClosed;
    await deviceClosed;
    expect(() => fixture.broker.port).toThrow(/not listening/);
  });

  it('can be started again after stop, on the same metrics registry', async () => {
    await fixture.broker.stop();
    await fixture.broker.start();
    const token = await fixture.credentials.issue(SITE);
    await fixture.connectDevice(SITE, token);
    expect(fixture.broker.connectedDevices).toBe(1);
  });
});

describe('authentication', () => {
  it('accepts a device with its issued token and counts it as connected', async () => {
    const token = await fixture.credentials.issue(SITE);
    const device = await fixture.connectDevice(SITE, token);
    expect(device.mqtt.connected).toBe(true);
    expect(fixture.broker.connectedDevices).toBe(1);
    expect(await fixture.metric('ioc_broker_clients_connected', { kind: 'device' })).toBe(1);

    device.mqtt.end();
    await waitFor(() => fixture.broker.connectedDevices === 0, { message: 'device disconnected' });
    expect(await fixture.metric('ioc_broker_clients_connected', { kind: 'device' })).toBe(0);
  });

  it('refuses a wrong token, an unknown site, a missing password and a non-site username with CONNACK 5', async () => {
    const token = await fixture.credentials.issue(SITE);
    expect(await fixture.connectRefused({ username: SITE, password: `${token}x` })).toBe(NOT_AUTHORIZED);
    expect(await fixture.connectRefused({ username: OTHER_SITE, password: token })).toBe(NOT_AUTHORIZED);
    expect(await fixture.connectRefused({ username: SITE })).toBe(NOT_AUTHORIZED);
    expect(await fixture.connectRefused({})).toBe(NOT_AUTHORIZED);
    expect(await fixture.connectRefused({ username: 'sites/#', password: token })).toBe(NOT_AUTHORIZED);

    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'wrong_token' })).toBe(1);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'unknown_site' })).toBe(1);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'missing_credentials' })).toBe(2);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'invalid_username' })).toBe(1);
    expect(fixture.broker.connectedClients).toBe(0);
  });

  it('accepts internal services with the service token and refuses a wrong one', async () => {
    for (const username of Object.values(SERVICE_USERS)) {
      const service = await fixture.connectService(username);
      expect(service.mqtt.connected).toBe(true);
    }
    expect(await fixture.metric('ioc_broker_clients_connected', { kind: 'service' })).toBe(3);
    expect(await fixture.connectRefused({ username: SERVICE_USERS.ingest, password: 'not-the-service-token' })).toBe(NOT_AUTHORIZED);
    expect(await fixture.connectRefused({ username: 'svc:other', password: 'whatever' })).toBe(NOT_AUTHORIZED);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'wrong_service_token' })).toBe(1);
  });

  it('honours a rotated token at once: the old one is refused, the new one accepted', async () => {
    const oldToken = await fixture.credentials.issue(SITE);
    const first = await fixture.connectDevice(SITE, oldToken);
    first.mqtt.end();

    const newToken = await fixture.credentials.issue(SITE);
    expect(await fixture.connectRefused({ username: SITE, password: oldToken })).toBe(NOT_AUTHORIZED);
    const second = await fixture.connectDevice(SITE, newToken);
    expect(second.mqtt.connected).toBe(true);
  });

  it('when credentials cannot be read, admits devices it already verified and answers CONNACK 3 to the others', async () => {
    const seenToken = await fixture.credentials.issue(SITE);
    const unseenToken = await fixture.credentials.issue(OTHER_SITE);
    (await fixture.connectDevice(SITE, seenToken)).mqtt.end();

    fixture.credentials.unavailable = true;
    const again = await fixture.connectDevice(SITE, seenToken);
    expect(again.mqtt.connected).toBe(true);
    expect(await fixture.connectRefused({ username: SITE, password: `${seenToken}x` })).toBe(SERVER_UNAVAILABLE);
    expect(await fixture.connectRefused({ username: OTHER_SITE, password: unseenToken })).toBe(SERVER_UNAVAILABLE);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'credentials_unavailable' })).toBe(2);

    fixture.credentials.unavailable = false;
    expect((await fixture.connectDevice(OTHER_SITE, unseenToken)).mqtt.connected).toBe(true);
  });

  it("refuses a device that takes a service's client id (CONNACK 2) and leaves the service connected", async () => {
    const ingest = await ingestSubscriber();
    const clientId = ingest.mqtt.options.clientId;
    expect(clientId).toBeTruthy();
    const token = await fixture.credentials.issue(SITE);

    expect(await fixture.connectRefused({ username: SITE, password: token, clientId })).toBe(IDENTIFIER_REJECTED);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'client_id_in_use' })).toBe(1);

    const device = await fixture.connectDevice(SITE, token);
    await publish(device, topics.telemetry(SITE), 'still-flowing');
    await waitForMessage(ingest, topics.telemetry(SITE), 'still-flowing');
    expect(ingest.mqtt.connected).toBe(true);
  });

  it("refuses a device that would resume or wipe a service's persistent session while the service is away", async () => {
    const clientId = 'ingest-persistent';
    const ingest = await fixture.connectService(SERVICE_USERS.ingest, { clientId, clean: false });
    await subscribe(ingest, [topicFilters.allDeviceTelemetry]);
    ingest.mqtt.end();
    await waitFor(() => fixture.broker.connectedClients === 0, { message: 'ingest gone' });
    const token = await fixture.credentials.issue(SITE);

    expect(await fixture.connectRefused({ username: SITE, password: token, clientId, clean: false })).toBe(IDENTIFIER_REJECTED);
    expect(await fixture.connectRefused({ username: SITE, password: token, clientId, clean: true })).toBe(IDENTIFIER_REJECTED);
    const back = await fixture.connectService(SERVICE_USERS.ingest, { clientId, clean: false });
    expect(back.mqtt.connected).toBe(true);
  });

  it('lets a device reconnect with its own client id, replacing its previous connection', async () => {
    const token = await fixture.credentials.issue(SITE);
    const first = await fixture.connectDevice(SITE, token, { clientId: SITE });
    const firstClosed = new Promise<void>((resolve) => first.mqtt.once('close', () => resolve()));
    const second = await fixture.connectDevice(SITE, token, { clientId: SITE });
    await firstClosed;
    expect(second.mqtt.connected).toBe(true);
    await waitFor(() => fixture.broker.connectedDevices === 1, { message: 'one device connection' });
  });
});

describe('publish ACL', () => {
  it("drops a device's publish on another site's topic, counts it, keeps the device connected and delivers its next message", async () => {
    const ingest = await ingestSubscriber();
    const token = await fixture.credentials.issue(SITE);
    const device = await fixture.connectDevice(SITE, token);

    await publish(device, topics.telemetry(OTHER_SITE), '{"values":{"ph":7}}');
    await publish(device, topics.platformReadings(SITE), '{"forged":true}');
    expect(await fixture.metric('ioc_broker_publish_denied_total', { reason: 'topic_not_allowed' })).toBe(2);

    await publish(device, topics.telemetry(SITE), '{"values":{"ph":7.2}}');
    await waitForMessage(ingest, topics.telemetry(SITE));
    expect(device.mqtt.connected).toBe(true);
    expect(device.errors).toEqual([]);
    // Delivered in order after the good message would have been: it was dropped.
    expect(ingest.received.map((m) => m.topic)).toEqual([topics.telemetry(SITE)]);
    expect(await fixture.metric('ioc_broker_messages_received_total')).toBe(3);
  });

  it('drops a forbidden QoS 0 and a retained publish too, and stores no retained message', async () => {
    const token = await fixture.credentials.issue(SITE);
    const device = await fixture.connectDevice(SITE, token);
    await publish(device, topics.status(OTHER_SITE), 'offline', { qos: 0, retain: true });
    await publish(device, topics.status(OTHER_SITE), 'offline', { qos: 1, retain: true });
    await waitFor(async () => (await fixture.metric('ioc_broker_publish_denied_total', { reason: 'topic_not_allowed' })) === 2);

    const ingest = await ingestSubscriber();
    await publish(device, topics.status(SITE), 'online');
    await waitForMessage(ingest, topics.status(SITE), 'online');
    expect(ingest.received.some((m) => m.topic === topics.status(OTHER_SITE))).toBe(false);
  });

  it("lets services publish what they own: sim any site's telemetry, ingest platform readings, web commands", async () => {
    const ingest = await ingestSubscriber();
    const web = await fixture.connectService(SERVICE_USERS.web);
    expect(await subscribe(web, [topicFilters.allPlatformReadings])).toEqual([1]);
    const sim = await fixture.connectService(SERVICE_USERS.simulator);
    const token = await fixture.credentials.issue(SITE);
    const device = await fixture.connectDevice(SITE, token);
    expect(await subscribe(device, [topics.commands(SITE)])).toEqual([1]);

    await publish(sim, topics.telemetry(OTHER_SITE), 'simulated');
    await waitForMessage(ingest, topics.telemetry(OTHER_SITE), 'simulated');
    await publish(ingest, topics.platformReadings(OTHER_SITE), 'validated');
    await waitForMessage(web, topics.platformReadings(OTHER_SITE), 'validated');
    await publish(web, topics.commands(SITE), 'reboot');
    await waitForMessage(device, topics.commands(SITE), 'reboot');

    await publish(web, topics.telemetry(SITE), 'forged by web');
    await publish(sim, topics.platformReadings(SITE), 'forged by sim');
    expect(await fixture.metric('ioc_broker_publish_denied_total', { reason: 'topic_not_allowed' })).toBe(2);
    await publish(sim, topics.telemetry(SITE), 'barrier');
    await publish(ingest, topics.platformReadings(SITE), 'barrier');
    await waitForMessage(ingest, topics.telemetry(SITE), 'barrier');
    await waitForMessage(web, topics.platformReadings(SITE), 'barrier');
    expect([...ingest.received, ...web.received].map((m) => m.payload)).not.toContain('forged by web');
    expect([...ingest.received, ...web.received].map((m) => m.payload)).not.toContain('forged by sim');
  });

  it('drops payloads larger than maxPayloadBytes and delivers one of exactly that size', async () => {
    const ingest = await ingestSubscriber();
    const token = await fixture.credentials.issue(SITE);
    const device = await fixture.connectDevice(SITE, token);

    await publish(device, topics.telemetry(SITE), Buffer.alloc(1025, 'a'));
    expect(await fixture.metric('ioc_broker_publish_denied_total', { reason: 'payload_too_large' })).toBe(1);
    await publish(device, topics.telemetry(SITE), Buffer.alloc(1024, 'b'));
    const delivered = await waitForMessage(ingest, topics.telemetry(SITE));
    expect(delivered.payload).toHaveLength(1024);
    expect(ingest.received).toHaveLength(1);
    expect(device.mqtt.connected).toBe(true);
  });
});

describe('subscribe ACL', () => {
  it("answers 0x80 for another site's commands and grants the device's own, without disconnecting", async () => {
    const token = await fixture.credentials.issue(SITE);
    const device = await fixture.connectDevice(SITE, token);
    expect(await subscribe(device, [topics.commands(OTHER_SITE), topics.commands(SITE), topicFilters.allDeviceCommands, '#'])).toEqual([
      SUBACK_FAILURE,
      1,
      SUBACK_FAILURE,
      SUBACK_FAILURE,
    ]);
    expect(await fixture.metric('ioc_broker_subscribe_denied_total')).toBe(3);
    expect(device.mqtt.connected).toBe(true);
  });

  it('grants services only their own filters', async () => {
    const web = await fixture.connectService(SERVICE_USERS.web);
    expect(
      await subscribe(web, [topicFilters.allPlatformReadings, topicFilters.allPlatformSiteStatus, topicFilters.allDeviceTelemetry]),
    ).toEqual([1, 1, SUBACK_FAILURE]);
    const sim = await fixture.connectService(SERVICE_USERS.simulator);
    expect(await subscribe(sim, [topicFilters.allDeviceCommands, topics.commands(SITE), topicFilters.allDeviceTelemetry])).toEqual([
      1,
      1,
      SUBACK_FAILURE,
    ]);
  });
});

describe('Last Will', () => {
  it("publishes a device's Will on its own status topic when it drops off abruptly", async () => {
    const ingest = await ingestSubscriber();
    const token = await fixture.credentials.issue(SITE);
    const device = await fixture.connectDevice(SITE, token, {
      will: { topic: topics.status(SITE), payload: Buffer.from('{"status":"offline"}'), qos: 1, retain: true },
    });

    device.mqtt.stream.destroy();
    const will = await waitForMessage(ingest, topics.status(SITE), '{"status":"offline"}');
    expect(will.retain).toBe(false);

    const late = await ingestSubscriber();
    const retained = await waitForMessage(late, topics.status(SITE));
    expect(retained).toMatchObject({ payload: '{"status":"offline"}', retain: true });
  });

  it("never publishes a Will on another site's topic", async () => {
    const ingest = await ingestSubscriber();
    const token = await fixture.credentials.issue(SITE);
    const device = await fixture.connectDevice(SITE, token, {
      will: { topic: topics.status(OTHER_SITE), payload: Buffer.from('{"status":"offline"}'), qos: 1, retain: true },
    });

    device.mqtt.stream.destroy();
    await waitFor(async () => (await fixture.metric('ioc_broker_publish_denied_total', { reason: 'will_not_allowed' })) === 1, {
      message: 'will denied',
    });
    // Anything published after the Will reaches ingest after it would have: use one as a barrier.
    const sim = await fixture.connectService(SERVICE_USERS.simulator);
    await publish(sim, topics.status(SITE), 'barrier');
    await waitForMessage(ingest, topics.status(SITE), 'barrier');
    expect(ingest.received.map((m) => m.topic)).toEqual([topics.status(SITE)]);
    expect(await fixture.metric('ioc_broker_messages_received_total')).toBe(1);
  });
});

describe('metrics', () => {
  it('exposes every broker series in the Prometheus text', async () => {
    const token = await fixture.credentials.issue(SITE);
    const device = await fixture.connectDevice(SITE, token);
    await publish(device, topics.telemetry(SITE), '{}');
    await publish(device, topics.telemetry(OTHER_SITE), '{}');
    await subscribe(device, [topics.commands(OTHER_SITE)]);
    await fixture.connectRefused({ username: SITE, password: 'wrong' });

    const text = await fixture.registry.metrics();
    expect(text).toContain('ioc_broker_clients_connected{kind="device"} 1');
    expect(text).toContain('ioc_broker_clients_connected{kind="service"} 0');
    expect(text).toContain('ioc_broker_messages_received_total 2');
    expect(text).toContain('ioc_broker_publish_denied_total{reason="topic_not_allowed"} 1');
    expect(text).toContain('ioc_broker_publish_denied_total{reason="payload_too_large"} 0');
    expect(text).toContain('ioc_broker_subscribe_denied_total 1');
    expect(text).toContain('ioc_broker_auth_failures_total{reason="wrong_token"} 1');
  });
});
