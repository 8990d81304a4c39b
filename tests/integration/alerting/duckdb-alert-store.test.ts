/**
 * The alert engine's DuckDB store on a real database file: rules, alerts and rule states written in
 * bulk (repeatedly, so upserts replace), read back after reopening, filtered and purged.
 */
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbAlertStore } from '../../../alerting/store/duckdb-alert-store.js';
import type { Alert } from '../../../common/alerts.js';
import { silentLogger } from '../../../platform/logger.js';
import { DuckDbDataStores } from '../../../platform/store/duckdb/duckdb-data-stores.js';
import { makeTempDir } from '../../support/test-config.js';

const T = Date.UTC(2026, 2, 1);

function alert(id: string, overrides: Partial<Alert> = {}): Alert {
  return {
    id,
    siteId: 'KG-WQ-01',
    ruleId: 'do-low',
    ruleName: { vi: 'DO thấp', en: 'Low DO' },
    condition: 'threshold',
    metric: 'do',
    unit: 'mg/L',
    severity: 'critical',
    state: 'ACTIVE_UNACK',
    threshold: 3.5,
    peakValue: 2.9,
    lastValue: 3.1,
    raisedAt: T,
    updatedAt: T,
    clearedAt: null,
    ackedAt: null,
    ackedBy: null,
    comments: [],
    ...overrides,
  };
}

let temp: ReturnType<typeof makeTempDir>;
let stores: DuckDbDataStores;
let store: DuckDbAlertStore;

function open(): DuckDbDataStores {
  return new DuckDbDataStores({ file: path.join(temp.dir, 'ioc.duckdb'), logger: silentLogger(), metrics: new Registry() });
}

beforeEach(async () => {
  temp = makeTempDir('mekong-ioc-alert-store-');
  stores = open();
  await stores.start();
  store = new DuckDbAlertStore(stores.database);
});

afterEach(async () => {
  await stores.stop();
  temp.cleanup();
});

async function reopen(): Promise<void> {
  await stores.stop();
  stores = open();
  await stores.start();
  store = new DuckDbAlertStore(stores.database);
}

describe('DuckDbAlertStore', () => {
  it('writes alerts and states in bulk, replacing earlier versions, and reads them back after reopening', async () => {
    const many = Array.from({ length: 300 }, (_, i) => alert(`a-${i}`, { siteId: `S-${i % 10}`, raisedAt: T + i }));
    await store.commit({
      alerts: many,
      states: many.map((a) => ({ siteId: a.siteId, ruleId: a.id, state: { n: 1 }, updatedAt: T })),
      deletedStates: [],
    });
    await store.commit({
      alerts: [
        alert('a-1', { state: 'ACTIVE_ACK', ackedBy: 'op', ackedAt: T + 5, siteId: 'S-1', raisedAt: T + 1 }),
        alert('a-2', { state: 'CLEARED_UNACK', clearedAt: T + 9, siteId: 'S-2', raisedAt: T + 2 }),
      ],
      states: [{ siteId: 'S-1', ruleId: 'a-1', state: { n: 2 }, updatedAt: T + 5 }],
      deletedStates: [{ siteId: 'S-2', ruleId: 'a-2' }],
    });
    await reopen();

    expect(await store.getAlert('a-1')).toMatchObject({ state: 'ACTIVE_ACK', ackedBy: 'op' });
    const active = await store.listActiveAlerts();
    expect(active).toHaveLength(299);
    expect(active.map((a) => a.id)).not.toContain('a-2');
    const states = await store.listRuleStates();
    expect(states).toHaveLength(299);
    expect(states.find((row) => row.ruleId === 'a-1')?.state).toEqual({ n: 2 });
  });

  it('filters by state, site, severity and the open-during window, newest first', async () => {
    await store.commit({
      alerts: [
        alert('old-cleared', { raisedAt: T, clearedAt: T + 100, state: 'CLEARED' }),
        alert('mid', { raisedAt: T + 200, severity: 'warning' }),
        alert('late', { raisedAt: T + 300, siteId: 'KG-WQ-02' }),
      ],
      states: [],
      deletedStates: [],
    });
    const ids = async (query: Parameters<DuckDbAlertStore['queryAlerts']>[0]) => (await store.queryAlerts(query)).map((a) => a.id);
    expect(await ids({ limit: 10 })).toEqual(['late', 'mid', 'old-cleared']);
    expect(await ids({ limit: 2 })).toEqual(['late', 'mid']);
    expect(await ids({ states: ['ACTIVE_UNACK'], limit: 10 })).toEqual(['late', 'mid']);
    expect(await ids({ states: ['CLEARED', 'CLEARED_UNACK'], limit: 10 })).toEqual(['old-cleared']);
    expect(await ids({ siteId: 'KG-WQ-02', limit: 10 })).toEqual(['late']);
    expect(await ids({ severities: ['warning'], limit: 10 })).toEqual(['mid']);
    expect(await ids({ from: T + 150, limit: 10 })).toEqual(['late', 'mid']);
    expect(await ids({ to: T + 250, limit: 10 })).toEqual(['mid', 'old-cleared']);
    expect(await ids({ from: T + 50, to: T + 150, limit: 10 })).toEqual(['old-cleared']);
  });

  it('stores rules and purges old cleared alerts only', async () => {
    await store.saveRules([
      { id: 'r1', definition: { id: 'r1', x: 1 }, source: 'seed', createdAt: T, updatedAt: T, updatedBy: null },
      { id: 'r2', definition: { id: 'r2' }, source: 'api', createdAt: T, updatedAt: T, updatedBy: 'admin' },
    ]);
    await store.saveRules([
      { id: 'r1', definition: { id: 'r1', x: 2 }, source: 'api', createdAt: T + 1, updatedAt: T + 2, updatedBy: 'root' },
    ]);
    await store.deleteRules(['r2']);
    expect(await store.listRules()).toEqual([
      { id: 'r1', definition: { id: 'r1', x: 2 }, source: 'api', createdAt: T, updatedAt: T + 2, updatedBy: 'root' },
    ]);

    await store.commit({
      alerts: [
        alert('gone', { state: 'CLEARED', clearedAt: T }),
        alert('kept', { state: 'CLEARED_UNACK', clearedAt: T + 1000 }),
        alert('open'),
      ],
      states: [],
      deletedStates: [],
    });
    expect(await store.purgeClearedBefore(T + 500)).toBe(1);
    expect((await store.queryAlerts({ limit: 10 })).map((a) => a.id).sort()).toEqual(['kept', 'open']);
  });
});
