/**
 * Token rotation without downtime, against a real broker and a real DuckDB registry: after a
 * rotation the replaced token keeps working for the grace period, then it is refused at CONNECT —
 * also when the broker's verified-token cache still holds it, and also while the registry cannot
 * be read — and connections still open on it are closed. A grace of 0 revokes it at once. The
 * broker's clock is injected, so the grace ends without waiting.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '../../../common/topics.js';
import type { RegistryStore } from '../../../platform/store/types.js';
import { SecurityFixture } from './security-fixture.js';

const SITE = 'HG-WQ-01';
const OTHER = 'HG-WQ-02';
const MINUTE = 60_000;
const GRACE = 60 * MINUTE;

describe('device token rotation', () => {
  let fixture: SecurityFixture;
  let now: number;
  /** While true, the broker's credential source fails like an unreachable data API. */
  let unavailable: boolean;

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 15, 8, 0, 0);
    unavailable = false;
    const failIfUnavailable = () => {
      if (unavailable) throw new Error('data API unreachable');
    };
    let registry: RegistryStore | undefined;
    fixture = new SecurityFixture({
      siteIds: [SITE, OTHER],
      broker: {
        clock: () => now,
        // Polled only on demand (pollDeviceAccess), so every step is deterministic.
        deviceAccessPollMs: 3_600_000,
        credentials: {
          getDeviceCredential: async (siteId) => {
            failIfUnavailable();
            return registry?.getDeviceCredential(siteId);
          },
          deviceAccessChanges: async (sinceMs) => {
            failIfUnavailable();
            if (!registry) throw new Error('not started');
            return registry.deviceAccessChanges(sinceMs);
          },
        },
      },
    });
    registry = fixture.stores.registry;
    await fixture.start();
  });

  afterEach(async () => {
    await fixture.stop();
  });

  it('accepts the previous token during the grace period, then refuses it, cached or not', async () => {
    const first = await fixture.issue(SITE, { nowMs: now });
    (await fixture.device(SITE, first)).mqtt.end(true);

    const second = await fixture.issue(SITE, { nowMs: now, graceMs: GRACE });
    // Both work: the device can be reconfigured while it keeps reporting.
    (await fixture.device(SITE, second)).mqtt.end(true);
    (await fixture.device(SITE, first)).mqtt.end(true); // the cache now holds the previous token

    now += GRACE - 1;
    (await fixture.device(SITE, first)).mqtt.end(true);

    now += 1;
    expect(await fixture.connectRefused({ username: SITE, password: first, clientId: 'after-grace' })).toBe(5);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'token_expired' })).toBe(1);
    (await fixture.device(SITE, second)).mqtt.end(true);
  });

  it('closes a connection still on the replaced token when its grace ends, and keeps the others', async () => {
    const first = await fixture.issue(SITE, { nowMs: now });
    const oldToken = await fixture.device(SITE, first);
    const otherSite = await fixture.device(OTHER, await fixture.issue(OTHER, { nowMs: now }));

    now += MINUTE;
    const second = await fixture.issue(SITE, { nowMs: now, graceMs: GRACE });
    const newToken = await fixture.device(SITE, second);
    await fixture.broker.pollDeviceAccess();
    expect(oldToken.mqtt.connected).toBe(true); // within its grace

    now += GRACE;
    await fixture.broker.pollDeviceAccess();
    await oldToken.closed;
    expect(await fixture.metric('ioc_broker_disconnects_total', { reason: 'token_expired' })).toBe(1);
    // The others were not touched: they still complete a QoS 1 round trip.
    await newToken.mqtt.publishAsync(topics.telemetry(SITE), '{"values":{"do":5}}', { qos: 1 });
    await otherSite.mqtt.publishAsync(topics.telemetry(OTHER), '{"values":{"do":5}}', { qos: 1 });
    expect(newToken.mqtt.connected && otherSite.mqtt.connected).toBe(true);
  });

  it('revokes the replaced token at once with a grace of 0, closing its open connection', async () => {
    const leaked = await fixture.issue(SITE, { nowMs: now });
    const attacker = await fixture.device(SITE, leaked, { clientId: 'attacker' });

    const fresh = await fixture.issue(SITE, { nowMs: now + 1, graceMs: 0 });
    await fixture.broker.pollDeviceAccess();
    await attacker.closed;
    expect(await fixture.connectRefused({ username: SITE, password: leaked, clientId: 'attacker' })).toBe(5);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'wrong_token' })).toBe(1);
    (await fixture.device(SITE, fresh)).mqtt.end(true);
  });

  it('refuses a cached token past its grace while the registry cannot be read', async () => {
    const first = await fixture.issue(SITE, { nowMs: now });
    (await fixture.device(SITE, first)).mqtt.end(true);
    const second = await fixture.issue(SITE, { nowMs: now, graceMs: GRACE });
    // The poll tells the cache that the cached token became the previous one.
    await fixture.broker.pollDeviceAccess();

    unavailable = true;
    (await fixture.device(SITE, first)).mqtt.end(true); // admitted on its cached verification, within the grace
    now += GRACE;
    expect(await fixture.connectRefused({ username: SITE, password: first, clientId: 'stale' })).toBe(3);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'credentials_unavailable' })).toBe(1);

    unavailable = false;
    (await fixture.device(SITE, second)).mqtt.end(true);
  });
});
