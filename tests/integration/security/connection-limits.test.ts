/**
 * Connection limits against a real broker and a real DuckDB registry: beyond the device connection
 * cap a device gets CONNACK 3 (server unavailable) while services are still admitted; a freed slot
 * is reusable; and a storm of 5,000 mqtt.js clients connecting at once (device tokens checked with
 * scrypt, no reconnect, no retry) is served completely.
 */
import fs from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { waitFor } from '../../support/wait.js';
import { refusalCode, SecurityFixture } from './security-fixture.js';

const STORM_CLIENTS = 5_000;
const STORM_SITES = 500;

/** The soft limit on open files of this process (each client needs two: its socket and the broker's). */
function openFileLimit(): number {
  const line = fs
    .readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

describe('connection limits', () => {
  let fixture: SecurityFixture;

  afterEach(async () => {
    await fixture.stop();
  });

  it('answers CONNACK 3 beyond the device cap, still admits services, and reuses a freed slot', async () => {
    const sites = ['CAP-01', 'CAP-02', 'CAP-03', 'CAP-04'];
    fixture = await new SecurityFixture({ siteIds: sites, broker: { maxDeviceConnections: 3 } }).start();
    const tokens = await Promise.all(sites.map((site) => fixture.issue(site)));
    const admitted = await Promise.all(sites.slice(0, 3).map((site, i) => fixture.device(site, tokens[i] ?? '')));

    const refused = await fixture.connectRefused({ username: 'CAP-04', password: tokens[3] ?? '', clientId: 'fourth' });
    expect(refused).toBe(3);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'too_many_connections' })).toBe(1);
    // Services (ingest, web) are never locked out by devices.
    (await fixture.service(SERVICE_USERS.ingest)).mqtt.end(true);
    // Another connection of an admitted site is a connection too.
    expect(await fixture.connectRefused({ username: 'CAP-01', password: tokens[0] ?? '', clientId: 'second-of-01' })).toBe(3);

    admitted[0]?.mqtt.end(true);
    await admitted[0]?.closed;
    await waitFor(
      () =>
        fixture.device('CAP-04', tokens[3] ?? '', { clientId: `fourth-retry-${Date.now()}` }).then(
          () => true,
          () => false,
        ),
      { message: 'a freed slot admits the next device' },
    );
  });

  it('serves a storm of 5,000 clients connecting at once', async () => {
    const needed = 2 * STORM_CLIENTS + 500;
    if (openFileLimit() < needed) {
      throw new Error(`this test needs ${needed} open files, the limit is ${openFileLimit()}: raise it with \`ulimit -n ${needed}\``);
    }
    const sites = Array.from({ length: STORM_SITES }, (_, i) => `STORM-${String(i).padStart(4, '0')}`);
    fixture = await new SecurityFixture({ siteIds: sites, broker: { maxDeviceConnections: STORM_CLIENTS } }).start();
    const tokens = new Map<string, string>();
    for (const site of sites) tokens.set(site, await fixture.issue(site));

    const clients: MqttClient[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: STORM_CLIENTS }, (_, i) => {
        const site = sites[i % STORM_SITES] ?? '';
        const client = mqtt.connect(fixture.broker.url, {
          protocolVersion: 4,
          clientId: `storm-${i}`,
          username: site,
          password: tokens.get(site),
          reconnectPeriod: 0,
          connectTimeout: 60_000,
          keepalive: 0,
        });
        clients.push(client);
        return new Promise<number>((resolve) => {
          client.once('connect', () => resolve(0));
          client.once('error', (error) => resolve(refusalCode(error)));
          client.once('close', () => resolve(-1));
        });
      }),
    );
    try {
      const byCode = new Map<number, number>();
      for (const code of outcomes) byCode.set(code, (byCode.get(code) ?? 0) + 1);
      expect(Object.fromEntries(byCode)).toEqual({ 0: STORM_CLIENTS });
      expect(fixture.broker.connectedDevices).toBe(STORM_CLIENTS);
    } finally {
      await Promise.all(clients.map((client) => client.endAsync(true)));
    }
  }, 120_000);
});
