/**
 * The ACL matrix against a real broker: every device × every site's topics (its own and every
 * other site's telemetry, status, events, commands, plus platform, alert, wildcard and system
 * topics), publish and subscribe, and the internal services' allowed and denied topics. The
 * expectations are written out here from the contract (docs/contract.md), not derived from the
 * broker's own ACL tables, so a change to those tables that widens access fails this test.
 *
 * Publish outcome: the broker acknowledges every QoS 1 PUBLISH (ack-and-drop), so a denial is seen
 * in `ioc_broker_publish_denied_total{reason="topic_not_allowed"}` (exact per case, updated before
 * the PUBACK) and in what observers subscribed to everything they may read received. Subscribe
 * outcome: the SUBACK return code (0x80 = refused), then what the subscription delivers.
 *
 * Also here: client-id takeover by another identity (CONNACK 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../../common/topics.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { waitFor } from '../../support/wait.js';
import { SecurityFixture, type TestClient } from './security-fixture.js';

const SITES = ['AG-WQ-01', 'AG-WQ-02', 'AG-CAM-03'] as const;
type Outcome = 'allowed' | 'denied';

/** Every concrete topic of a site a device could try. */
const siteTopics = (site: string) => ({
  telemetry: topics.telemetry(site),
  status: topics.status(site),
  events: topics.events(site),
  commands: topics.commands(site),
  'platform-readings': topics.platformReadings(site),
  'platform-site-status': topics.platformSiteStatus(site),
  alerts: topics.alerts(site),
});

/** Filters nobody but the matching service class may subscribe with. */
const WILDCARD_FILTERS = ['#', '+/+/+', 'sites/#', 'sites/+/+', 'platform/#', '$SYS/#', 'alerts/#'];

describe('ACL matrix (real broker)', () => {
  const fixture = new SecurityFixture({ siteIds: [...SITES] });
  const devices = new Map<string, TestClient>();
  let ingest: TestClient;
  let web: TestClient;
  let simulator: TestClient;
  let tokens: Map<string, string>;

  beforeAll(async () => {
    await fixture.start();
    tokens = new Map(await Promise.all(SITES.map(async (site) => [site, await fixture.issue(site)] as const)));
    for (const site of SITES) devices.set(site, await fixture.device(site, tokens.get(site) ?? '', { clientId: `matrix-${site}` }));
    ingest = await fixture.service(SERVICE_USERS.ingest, { clientId: 'matrix-ingest' });
    web = await fixture.service(SERVICE_USERS.web, { clientId: 'matrix-web' });
    simulator = await fixture.service(SERVICE_USERS.simulator, { clientId: 'matrix-sim' });
  });

  afterAll(async () => {
    await fixture.stop();
  });

  const deviceOf = (site: string): TestClient => {
    const client = devices.get(site);
    if (!client) throw new Error(`no device ${site}`);
    return client;
  };

  /** SUBACK code per filter: 128 = refused. */
  const suback = async (client: TestClient, filter: string): Promise<Outcome> => {
    // mqtt.js reports a refused filter as an error; the SUBACK packet still carries the codes.
    const code = await new Promise<number | undefined>((resolve, reject) => {
      client.mqtt.subscribe(filter, { qos: 1 }, (error, granted, packet) => {
        const codes = packet?.granted ?? granted?.map((grant) => grant.qos);
        if (codes) resolve(Number(codes[0]));
        else reject(error ?? new Error('SUBACK without return codes'));
      });
    });
    if (code === 128) return 'denied';
    await client.mqtt.unsubscribeAsync(filter);
    return 'allowed';
  };

  /** Publishes QoS 1 and reads whether the broker dropped it (the counter moves before the PUBACK). */
  const publishOutcome = async (client: TestClient, topic: string, payload: string): Promise<Outcome> => {
    const before = await fixture.metric('ioc_broker_publish_denied_total', { reason: 'topic_not_allowed' });
    await client.mqtt.publishAsync(topic, payload, { qos: 1 });
    const after = await fixture.metric('ioc_broker_publish_denied_total', { reason: 'topic_not_allowed' });
    if (after - before > 1) throw new Error(`counter moved by ${after - before}`);
    return after > before ? 'denied' : 'allowed';
  };

  it('lets each device subscribe to its own commands only', async () => {
    const expected: Record<string, Outcome> = {};
    const actual: Record<string, Outcome> = {};
    for (const device of SITES) {
      for (const site of SITES) {
        for (const [channel, topic] of Object.entries(siteTopics(site))) {
          const name = `${device} subscribes ${topic}`;
          expected[name] = device === site && channel === 'commands' ? 'allowed' : 'denied';
          actual[name] = await suback(deviceOf(device), topic);
        }
      }
      for (const filter of [...WILDCARD_FILTERS, `sites/${device}/#`, `sites/${device}/+`]) {
        const name = `${device} subscribes ${filter}`;
        expected[name] = 'denied';
        actual[name] = await suback(deviceOf(device), filter);
      }
    }
    expect(actual).toEqual(expected);

    // What the subscriptions deliver: each device gets its own commands and nobody else's.
    for (const device of SITES) await deviceOf(device).mqtt.subscribeAsync(topics.commands(device), { qos: 1 });
    for (const site of SITES) await web.mqtt.publishAsync(topics.commands(site), `command for ${site}`, { qos: 1 });
    for (const device of SITES) {
      await waitFor(() => deviceOf(device).received.some((m) => m.topic === topics.commands(device)), { message: `${device} command` });
    }
    // Delivered after the earlier sites' commands, so those would have arrived first.
    const last = SITES[SITES.length - 1] ?? '';
    await waitFor(() => deviceOf(last).received.length > 0, { message: 'last command' });
    for (const device of SITES) {
      expect(deviceOf(device).received.map((m) => m.topic)).toEqual([topics.commands(device)]);
    }
  });

  it('lets each device publish its own telemetry, status and events only', async () => {
    await ingest.mqtt.subscribeAsync([topicFilters.allDeviceTelemetry, topicFilters.allDeviceStatus, topicFilters.allDeviceEvents], {
      qos: 1,
    });
    await simulator.mqtt.subscribeAsync(topicFilters.allDeviceCommands, { qos: 1 });
    await web.mqtt.subscribeAsync([topicFilters.allPlatformReadings, topicFilters.allPlatformSiteStatus, topicFilters.allAlerts], {
      qos: 1,
    });
    const expected: Record<string, Outcome> = {};
    const actual: Record<string, Outcome> = {};
    const allowedPayloads: string[] = [];
    for (const device of SITES) {
      for (const site of SITES) {
        for (const [channel, topic] of Object.entries(siteTopics(site))) {
          const name = `${device} publishes ${topic}`;
          const allowed = device === site && ['telemetry', 'status', 'events'].includes(channel);
          expected[name] = allowed ? 'allowed' : 'denied';
          actual[name] = await publishOutcome(deviceOf(device), topic, name);
          if (allowed) allowedPayloads.push(name);
        }
      }
      for (const topic of ['$SYS/broker/uptime', 'sites', `sites/${device}`, `sites/${device}/telemetry/x`, 'alerts', 'foo/bar']) {
        const name = `${device} publishes ${topic}`;
        expected[name] = 'denied';
        actual[name] = await publishOutcome(deviceOf(device), topic, name);
      }
    }
    expect(actual).toEqual(expected);

    // The observers together read every contract topic: exactly the allowed messages got through.
    const sentinel = `sentinel ${SITES[0]}`;
    await deviceOf(SITES[0]).mqtt.publishAsync(topics.telemetry(SITES[0]), sentinel, { qos: 1 });
    await waitFor(() => ingest.received.some((m) => m.payload === sentinel), { message: 'sentinel' });
    const delivered = [...ingest.received, ...simulator.received, ...web.received]
      .map((m) => m.payload)
      .filter((payload) => payload !== sentinel)
      .sort();
    expect(delivered).toEqual([...allowedPayloads].sort());
  });

  it('gives each internal service exactly its rights', async () => {
    const site = SITES[1];
    const t = siteTopics(site);
    // [service, action, topic or filter, expected]
    const table: [string, TestClient, 'publish' | 'subscribe', string, Outcome][] = [
      ['ingest', ingest, 'subscribe', topicFilters.allDeviceTelemetry, 'allowed'],
      ['ingest', ingest, 'subscribe', topicFilters.allDeviceStatus, 'allowed'],
      ['ingest', ingest, 'subscribe', topicFilters.allDeviceEvents, 'allowed'],
      ['ingest', ingest, 'subscribe', t.telemetry, 'allowed'],
      ['ingest', ingest, 'subscribe', topicFilters.allDeviceCommands, 'denied'],
      ['ingest', ingest, 'subscribe', topicFilters.allPlatformReadings, 'denied'],
      ['ingest', ingest, 'publish', t['platform-readings'], 'allowed'],
      ['ingest', ingest, 'publish', t['platform-site-status'], 'allowed'],
      ['ingest', ingest, 'publish', t.alerts, 'allowed'],
      ['ingest', ingest, 'publish', t.telemetry, 'denied'],
      ['ingest', ingest, 'publish', t.commands, 'denied'],
      ['web', web, 'subscribe', topicFilters.allPlatformReadings, 'allowed'],
      ['web', web, 'subscribe', topicFilters.allPlatformSiteStatus, 'allowed'],
      ['web', web, 'subscribe', topicFilters.allAlerts, 'allowed'],
      ['web', web, 'subscribe', topicFilters.allDeviceTelemetry, 'denied'],
      ['web', web, 'subscribe', topicFilters.allDeviceCommands, 'denied'],
      ['web', web, 'publish', t.commands, 'allowed'],
      ['web', web, 'publish', t.telemetry, 'denied'],
      ['web', web, 'publish', t['platform-readings'], 'denied'],
      ['web', web, 'publish', t.alerts, 'denied'],
      ['simulator', simulator, 'subscribe', topicFilters.allDeviceCommands, 'allowed'],
      ['simulator', simulator, 'subscribe', topicFilters.allDeviceTelemetry, 'denied'],
      ['simulator', simulator, 'subscribe', topicFilters.allPlatformReadings, 'denied'],
      ['simulator', simulator, 'publish', t.telemetry, 'allowed'],
      ['simulator', simulator, 'publish', t.status, 'allowed'],
      ['simulator', simulator, 'publish', t.events, 'allowed'],
      ['simulator', simulator, 'publish', t.commands, 'denied'],
      ['simulator', simulator, 'publish', t['platform-readings'], 'denied'],
      ['simulator', simulator, 'publish', t.alerts, 'denied'],
    ];
    for (const [name, client] of [
      ['ingest', ingest],
      ['web', web],
      ['simulator', simulator],
    ] as const) {
      for (const filter of WILDCARD_FILTERS) table.push([name, client, 'subscribe', filter, 'denied']);
      for (const topic of ['$SYS/broker/uptime', 'foo/bar']) table.push([name, client, 'publish', topic, 'denied']);
    }
    const expected: Record<string, Outcome> = {};
    const actual: Record<string, Outcome> = {};
    for (const [name, client, action, topic, outcome] of table) {
      const key = `${name} ${action} ${topic}`;
      expected[key] = outcome;
      actual[key] = action === 'subscribe' ? await suback(client, topic) : await publishOutcome(client, topic, key);
    }
    expect(actual).toEqual(expected);
  });

  it('refuses a client-id takeover by another identity (CONNACK 2) but lets the same device reconnect', async () => {
    const [a, b] = SITES;
    // Device B tries device A's live client id: refused, A stays connected.
    expect(await fixture.connectRefused({ username: b, password: tokens.get(b), clientId: `matrix-${a}` })).toBe(2);
    expect(deviceOf(a).mqtt.connected).toBe(true);
    // A device may not use a service's client id, while the service is connected or after it left.
    expect(await fixture.connectRefused({ username: a, password: tokens.get(a), clientId: 'matrix-ingest' })).toBe(2);
    const parked = await fixture.service(SERVICE_USERS.ingest, { clientId: 'ioc-ingest-parked' });
    parked.mqtt.end(true);
    await parked.closed;
    expect(await fixture.connectRefused({ username: a, password: tokens.get(a), clientId: 'ioc-ingest-parked' })).toBe(2);
    // A device with a persistent session under its id keeps that id for itself.
    const persistent = await fixture.device(a, tokens.get(a) ?? '', { clientId: 'a-persistent', clean: false });
    persistent.mqtt.end(true);
    await persistent.closed;
    expect(await fixture.connectRefused({ username: b, password: tokens.get(b), clientId: 'a-persistent' })).toBe(2);
    // The same identity may take its own id over (a device reconnecting before the broker noticed).
    const again = await fixture.device(a, tokens.get(a) ?? '', { clientId: `matrix-${a}` });
    await deviceOf(a).closed;
    expect(again.mqtt.connected).toBe(true);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'client_id_in_use' })).toBe(4);
  });
});
