/**
 * The data API's `alerts` target, the path web takes to the alert engine in split mode: a real
 * engine on a real DuckDB file behind the internal HTTP server, reached through RemoteDataStores.
 * Alerts are listed, acknowledged and commented, rules edited — and the engine's errors come back
 * with their codes.
 */
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../../alerting/alert-engine.js';
import { DuckDbAlertStore } from '../../../alerting/store/duckdb-alert-store.js';
import type { RuleDefinitionInput } from '../../../common/alert-rules.js';
import type { Health } from '../../../common/api.js';
import { InternalHttpServer } from '../../../platform/http/internal-server.js';
import { silentLogger } from '../../../platform/logger.js';
import { SiteCatalog } from '../../../platform/seeds.js';
import { DuckDbDataStores } from '../../../platform/store/duckdb/duckdb-data-stores.js';
import { DATA_API, DATA_API_PATH } from '../../../platform/store/remote/data-api-contract.js';
import { createDataApiRouter } from '../../../platform/store/remote/data-api-router.js';
import { RemoteDataStores } from '../../../platform/store/remote/remote-data-stores.js';
import { makeTempDir } from '../../support/test-config.js';
import { testSite } from '../../unit/alerting/engine-harness.js';

const TOKEN = 'test-service-token-0123456789abcdef';
const healthy: Health = { status: 'ok', version: 'test', uptimeSec: 0, components: {} };
const SITE = 'KG-WQ-01';
const doLow: RuleDefinitionInput = {
  id: 'do-low',
  name: { vi: 'DO thấp', en: 'Low DO' },
  condition: 'threshold',
  metric: 'do',
  scope: { kind: 'water-quality' },
  bands: [{ severity: 'critical', op: '<', value: 3.5 }],
};

const temp = makeTempDir('mekong-ioc-alerts-api-');
const stores = new DuckDbDataStores({ file: path.join(temp.dir, 'ioc.duckdb'), logger: silentLogger(), metrics: new Registry() });
let engine: AlertEngine;
let server: InternalHttpServer;
let remote: RemoteDataStores;

beforeAll(async () => {
  await stores.start();
  engine = new AlertEngine({
    store: new DuckDbAlertStore(stores.database),
    sites: new SiteCatalog([testSite(SITE, 'water-quality')]),
    seeds: { rules: [], presets: [] },
    logger: silentLogger(),
    metrics: new Registry(),
  });
  await engine.start();
  server = new InternalHttpServer({
    name: 'ingest-http',
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    metrics: new Registry(),
    health: async () => healthy,
    routers: [
      { path: DATA_API_PATH, router: createDataApiRouter({ stores, serviceToken: TOKEN, logger: silentLogger(), alerts: engine }) },
    ],
  });
  await server.start();
  remote = new RemoteDataStores({ baseUrl: server.url, serviceToken: TOKEN, logger: silentLogger() });
  await remote.start();
});

afterAll(async () => {
  await remote.stop();
  await server.stop();
  await engine.stop();
  await stores.stop();
  temp.cleanup();
});

describe('data API target `alerts`', () => {
  it('covers every method of the contract', () => {
    expect(Object.keys(remote.alerts).sort()).toEqual(Object.keys(DATA_API.alerts).sort());
  });

  it('edits rules, then lists, acknowledges and comments the alerts they raise', async () => {
    const created = await remote.alerts.createRule(doLow, 'admin');
    expect(created).toMatchObject({ source: 'api', updatedBy: 'admin', rule: { id: 'do-low', raiseAfterSec: 0 } });
    engine.readingsAccepted([{ siteId: SITE, ts: Date.now(), values: { do: 2.9 } }]);

    const [alert] = await remote.alerts.listAlerts({ states: ['ACTIVE_UNACK'], siteId: SITE, limit: 10 });
    expect(alert).toMatchObject({ ruleId: 'do-low', severity: 'critical', lastValue: 2.9 });
    if (!alert) throw new Error('no alert');
    expect(await remote.alerts.getAlert(alert.id)).toMatchObject({ id: alert.id });
    expect(await remote.alerts.getAlert('00000000-0000-4000-8000-000000000000')).toBeUndefined();

    const acked = await remote.alerts.acknowledge(alert.id, 'operator1');
    expect(acked).toMatchObject({ state: 'ACTIVE_ACK', ackedBy: 'operator1', comments: [] });
    await expect(remote.alerts.acknowledge(alert.id, 'operator2', 'me too')).rejects.toMatchObject({ code: 'conflict' });
    const commented = await remote.alerts.comment(alert.id, 'operator2', 'checked the aerator');
    expect(commented.comments).toEqual([{ by: 'operator2', at: expect.any(Number), text: 'checked the aerator' }]);

    const updated = await remote.alerts.updateRule('do-low', { ...doLow, enabled: false }, 'admin');
    expect(updated.rule.enabled).toBe(false);
    expect((await remote.alerts.getAlert(alert.id))?.state).toBe('CLEARED');
    expect((await remote.alerts.listRules()).map((record) => record.rule.id)).toEqual(['do-low']);
    await remote.alerts.deleteRule('do-low', 'admin');
    expect(await remote.alerts.listRules()).toEqual([]);
    expect(await remote.alerts.listPresets()).toEqual([]);
  });

  it('passes the engine’s errors through with their codes', async () => {
    await expect(remote.alerts.comment('00000000-0000-4000-8000-000000000000', 'x', 'y')).rejects.toMatchObject({ code: 'not_found' });
    await expect(remote.alerts.deleteRule('nope', 'admin')).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      remote.alerts
        .createRule({ ...doLow, id: 'dup' } as RuleDefinitionInput, 'admin')
        .then(() => remote.alerts.createRule({ ...doLow, id: 'dup' }, 'admin')),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('answers `unavailable` where no engine runs', async () => {
    const bare = new InternalHttpServer({
      name: 'bare',
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      metrics: new Registry(),
      health: async () => healthy,
      routers: [{ path: DATA_API_PATH, router: createDataApiRouter({ stores, serviceToken: TOKEN, logger: silentLogger() }) }],
    });
    await bare.start();
    const client = new RemoteDataStores({ baseUrl: bare.url, serviceToken: TOKEN, logger: silentLogger() });
    await client.start();
    try {
      await expect(client.alerts.listRules()).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      await client.stop();
      await bare.stop();
    }
  });
});
