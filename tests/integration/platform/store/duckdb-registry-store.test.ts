import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Rejection } from '../../../../common/api.js';
import type { RejectionReason } from '../../../../common/rejections.js';
import { DEAD_LETTER_CAPACITY } from '../../../../platform/store/types.js';
import { StoreFixture } from './store-fixture.js';

const T = Date.UTC(2025, 2, 1);

function rejection(index: number, reason: RejectionReason = 'malformed_json'): Rejection {
  return {
    ts: T + index,
    reason,
    topic: 'sites/KG-WQ-01/telemetry',
    siteId: index % 2 === 0 ? 'KG-WQ-01' : null,
    detail: `problem ${index}`,
    payloadExcerpt: `{"n":${index}`,
  };
}

describe('DuckDbRegistryStore', () => {
  let fixture: StoreFixture;

  beforeEach(async () => {
    fixture = await StoreFixture.open();
  });

  afterEach(async () => {
    await fixture.cleanup();
  });

  const registry = () => fixture.stores.registry;

  it('saves, replaces and reads device credentials', async () => {
    expect(await registry().getDeviceCredential('KG-WQ-01')).toBeUndefined();
    await registry().saveDeviceCredential({ siteId: 'KG-WQ-01', tokenHash: 'scrypt$a', issuedAt: T });
    await registry().saveDeviceCredential({ siteId: 'KG-WQ-02', tokenHash: 'scrypt$b', issuedAt: T });
    await registry().saveDeviceCredential({ siteId: 'KG-WQ-01', tokenHash: 'scrypt$c', issuedAt: T + 1 });
    expect(await registry().getDeviceCredential('KG-WQ-01')).toEqual({ siteId: 'KG-WQ-01', tokenHash: 'scrypt$c', issuedAt: T + 1 });
    expect(await registry().getDeviceCredential('KG-WQ-02')).toEqual({ siteId: 'KG-WQ-02', tokenHash: 'scrypt$b', issuedAt: T });
  });

  it('saves many credentials in one call, replacing a rotated one and its grace', async () => {
    await registry().saveDeviceCredential({ siteId: 'S-1', tokenHash: 'scrypt$old', issuedAt: T });
    await registry().saveDeviceCredential({ siteId: 'S-1', tokenHash: 'scrypt$mid', issuedAt: T + 1 }, { keepPreviousUntil: T + 60_000 });
    const batch = Array.from({ length: 1_203 }, (_, n) => ({ siteId: `S-${n}`, tokenHash: `scrypt$${n}`, issuedAt: T + 2 }));
    await registry().saveDeviceCredentials(batch);
    // The replaced token stops at once: no previous hash survives a bulk issue.
    expect(await registry().getDeviceCredential('S-1')).toEqual({ siteId: 'S-1', tokenHash: 'scrypt$1', issuedAt: T + 2 });
    expect(await registry().getDeviceCredential('S-1202')).toEqual({ siteId: 'S-1202', tokenHash: 'scrypt$1202', issuedAt: T + 2 });
    expect((await registry().deviceAccessChanges(T + 2)).credentials).toHaveLength(1_203);
    await expect(registry().saveDeviceCredentials([{ siteId: '', tokenHash: 'h', issuedAt: T }])).rejects.toMatchObject({
      code: 'bad_request',
    });
  });

  it('reports removed sites to the broker until they are registered again', async () => {
    fixture.now = T;
    const site = {
      id: 'LD-WQ-1',
      name: 'Load 1',
      kind: 'water-quality' as const,
      lat: 10,
      lon: 105,
      province: { former: 'Kiên Giang', current: 'An Giang' },
      reportingIntervalSec: 60,
    };
    await registry().saveSites([{ site, source: 'api', createdAt: T }]);
    fixture.now = T + 1_000;
    await registry().deleteSites(['LD-WQ-1']);
    expect((await registry().deviceAccessChanges(T + 1_000)).removedSiteIds).toEqual(['LD-WQ-1']);
    expect((await registry().deviceAccessChanges(T + 1_001)).removedSiteIds).toEqual([]);
    await registry().saveSites([{ site, source: 'api', createdAt: T + 2_000 }]);
    expect((await registry().deviceAccessChanges(T)).removedSiteIds).toEqual([]);
  });

  it('saves, replaces, finds and counts users', async () => {
    expect(await registry().countUsers()).toBe(0);
    expect(await registry().findUser('admin')).toBeUndefined();
    await registry().saveUser({ username: 'admin', passwordHash: 'h1', role: 'admin', createdAt: T });
    await registry().saveUser({ username: 'op', passwordHash: 'h2', role: 'operator', createdAt: T });
    await registry().saveUser({ username: 'admin', passwordHash: 'h3', role: 'viewer', createdAt: T + 5 });
    expect(await registry().countUsers()).toBe(2);
    expect(await registry().findUser('admin')).toEqual({ username: 'admin', passwordHash: 'h3', role: 'viewer', createdAt: T + 5 });
    await expect(registry().saveUser({ username: 'x', passwordHash: 'h', role: 'root' as 'admin', createdAt: T })).rejects.toMatchObject({
      code: 'bad_request',
    });
  });

  describe('sessions', () => {
    it('finds live sessions, ignores expired ones and deletes them', async () => {
      fixture.now = T;
      await registry().saveSession({ idHash: 'live', username: 'admin', createdAt: T, expiresAt: T + 1_000 });
      await registry().saveSession({ idHash: 'expired', username: 'admin', createdAt: T - 2_000, expiresAt: T - 1 });
      await registry().saveSession({ idHash: 'edge', username: 'op', createdAt: T - 2_000, expiresAt: T });

      expect(await registry().findSession('live')).toEqual({ idHash: 'live', username: 'admin', createdAt: T, expiresAt: T + 1_000 });
      expect(await registry().findSession('expired')).toBeUndefined();
      expect(await registry().findSession('edge')).toBeUndefined();
      expect(await registry().findSession('unknown')).toBeUndefined();

      fixture.now = T + 1_000;
      expect(await registry().findSession('live')).toBeUndefined();

      fixture.now = T;
      await registry().deleteExpiredSessions(T);
      // Deleted rows stay gone even when the clock goes back.
      fixture.now = T - 10_000;
      expect(await registry().findSession('expired')).toBeUndefined();
      expect(await registry().findSession('edge')).toBeUndefined();
      expect(await registry().findSession('live')).toBeDefined();

      await registry().deleteSession('live');
      expect(await registry().findSession('live')).toBeUndefined();
    });

    it('replaces a session saved again with the same id', async () => {
      await registry().saveSession({ idHash: 's', username: 'a', createdAt: T, expiresAt: fixture.now + 10 });
      await registry().saveSession({ idHash: 's', username: 'a', createdAt: T, expiresAt: fixture.now + 20 });
      expect((await registry().findSession('s'))?.expiresAt).toBe(fixture.now + 20);
    });
  });

  it('lists statuses correctly after the table changes between two identical queries', async () => {
    // Regression: a statement prepared while the table was empty returned corrupted rows later.
    expect(await registry().listSiteStatuses()).toEqual([]);
    await registry().saveSiteStatus({ siteId: 'KG-WQ-01', status: 'online', ts: T });
    expect(await registry().listSiteStatuses()).toEqual([{ siteId: 'KG-WQ-01', status: 'online', ts: T }]);
    await registry().saveSiteStatus({ siteId: 'KG-WQ-01', status: 'offline', ts: T + 1000, battery: 3.7 });
    expect(await registry().listSiteStatuses()).toEqual([{ siteId: 'KG-WQ-01', status: 'offline', ts: T + 1000, battery: 3.7 }]);
  });

  it('upserts and lists site statuses, keeping optional battery and rssi optional', async () => {
    await registry().saveSiteStatus({ siteId: 'B', status: 'online', ts: T, battery: 12.5, rssi: -70 });
    await registry().saveSiteStatus({ siteId: 'A', status: 'maintenance', ts: T });
    await registry().saveSiteStatus({ siteId: 'B', status: 'offline', ts: T + 1 });
    expect(await registry().listSiteStatuses()).toEqual([
      { siteId: 'A', status: 'maintenance', ts: T },
      { siteId: 'B', status: 'offline', ts: T + 1 },
    ]);
    await registry().saveSiteStatus({ siteId: 'A', status: 'online', ts: T + 2, battery: 3.7 });
    const statuses = await registry().listSiteStatuses();
    expect(statuses[0]).toEqual({ siteId: 'A', status: 'online', ts: T + 2, battery: 3.7 });
    expect(statuses[0]).not.toHaveProperty('rssi');
  });

  describe('dead-letter log', () => {
    it('lists rejections newest first with a limit and counts totals per reason', async () => {
      await registry().addRejections([rejection(1), rejection(2, 'out_of_range')]);
      await registry().addRejections([rejection(3, 'out_of_range')]);

      const listed = await registry().listRejections(10);
      expect(listed).toEqual([rejection(3, 'out_of_range'), rejection(2, 'out_of_range'), rejection(1)]);
      expect(await registry().listRejections(1)).toEqual([rejection(3, 'out_of_range')]);
      expect(await registry().rejectionTotals()).toEqual({ malformed_json: 1, out_of_range: 2 });
    });

    it('keeps only the newest DEAD_LETTER_CAPACITY entries while totals keep counting, across restarts', async () => {
      const first = Array.from({ length: DEAD_LETTER_CAPACITY - 10 }, (_, i) => rejection(i));
      await registry().addRejections(first);
      await fixture.reopen();
      const second = Array.from({ length: 30 }, (_, i) => rejection(DEAD_LETTER_CAPACITY - 10 + i, 'unknown_metric'));
      await registry().addRejections(second);

      const listed = await registry().listRejections(DEAD_LETTER_CAPACITY + 100);
      expect(listed).toHaveLength(DEAD_LETTER_CAPACITY);
      expect(listed[0]).toEqual(rejection(DEAD_LETTER_CAPACITY + 19, 'unknown_metric'));
      expect(listed.at(-1)).toEqual(rejection(20));
      expect(await registry().rejectionTotals()).toEqual({ malformed_json: DEAD_LETTER_CAPACITY - 10, unknown_metric: 30 });

      await fixture.reopen();
      expect(await registry().rejectionTotals()).toEqual({ malformed_json: DEAD_LETTER_CAPACITY - 10, unknown_metric: 30 });
      expect((await registry().listRejections(1))[0]).toEqual(rejection(DEAD_LETTER_CAPACITY + 19, 'unknown_metric'));
    });

    it('keeps the newest entries of a single batch larger than the capacity', async () => {
      const batch = Array.from({ length: DEAD_LETTER_CAPACITY + 5 }, (_, i) => rejection(i));
      await registry().addRejections(batch);
      await registry().addRejections([rejection(-1, 'wrong_type')]);
      const listed = await registry().listRejections(DEAD_LETTER_CAPACITY);
      expect(listed).toHaveLength(DEAD_LETTER_CAPACITY);
      expect(listed[0]).toEqual(rejection(-1, 'wrong_type'));
      expect(listed[1]).toEqual(rejection(DEAD_LETTER_CAPACITY + 4));
      expect(listed.at(-1)).toEqual(rejection(6));
      expect(await registry().rejectionTotals()).toEqual({ malformed_json: DEAD_LETTER_CAPACITY + 5, wrong_type: 1 });
    });

    it('truncates payload excerpts to 512 characters and refuses unknown reasons', async () => {
      await registry().addRejections([{ ...rejection(1), payloadExcerpt: 'x'.repeat(600) }]);
      expect((await registry().listRejections(1))[0]?.payloadExcerpt).toHaveLength(512);
      await expect(registry().addRejections([{ ...rejection(2), reason: 'bogus' as RejectionReason }])).rejects.toMatchObject({
        code: 'bad_request',
      });
    });
  });

  it('keeps the registry across a stop and a new instance on the same file', async () => {
    await registry().saveDeviceCredential({ siteId: 'S', tokenHash: 'h', issuedAt: T });
    await registry().saveUser({ username: 'admin', passwordHash: 'p', role: 'admin', createdAt: T });
    await registry().saveSession({ idHash: 'sid', username: 'admin', createdAt: T, expiresAt: fixture.now + 60_000 });
    await registry().saveSiteStatus({ siteId: 'S', status: 'online', ts: T, rssi: -80 });
    await fixture.reopen();
    expect(await registry().getDeviceCredential('S')).toEqual({ siteId: 'S', tokenHash: 'h', issuedAt: T });
    expect(await registry().findUser('admin')).toMatchObject({ role: 'admin' });
    expect(await registry().findSession('sid')).toMatchObject({ username: 'admin' });
    expect(await registry().listSiteStatuses()).toEqual([{ siteId: 'S', status: 'online', ts: T, rssi: -80 }]);
  });
});
