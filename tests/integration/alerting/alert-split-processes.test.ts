/**
 * Alerting with the services as separate processes (docker-compose): the engine runs in ingest,
 * web reaches it over the internal data API for REST (acknowledge, rules) and receives its changes
 * over MQTT `alerts/+` for socket.io.
 */
import mqtt from 'mqtt';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuleRecord } from '../../../common/alert-rules.js';
import type { Alert, AlertChange, AlertListResponse } from '../../../common/alerts.js';
import type { DeviceTokenResponse } from '../../../common/api.js';
import { topics } from '../../../common/topics.js';
import { ApiClient } from '../../support/api-client.js';
import { SPLIT_ADMIN_PASSWORD, SplitDeployment } from '../../support/split-deployment.js';
import { makeTempDir } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';
import { doRule, writeSeeds } from './alerting-fixture.js';

const SITE = 'HG-WQ-01';
const temp = makeTempDir('mekong-ioc-alert-split-');

const deployment = new SplitDeployment(temp.dir, { SEEDS_DIR: writeSeeds(temp.dir, [doRule('do-low', [SITE], 0.3, 0.3)]) });

beforeAll(() => deployment.start(), 90_000);

afterAll(async () => {
  const codes = await deployment.stop();
  temp.cleanup();
  expect(codes).toEqual([0, 0, 0]);
});

describe('split processes: the alert engine in ingest, REST and socket.io in web', () => {
  it('raises, streams, acknowledges and re-rules across processes', async () => {
    const webUrl = deployment.webUrl;
    const api = new ApiClient(webUrl);
    await waitFor(() => api.login('admin', SPLIT_ADMIN_PASSWORD).then(() => true));
    const { token } = await api.post<DeviceTokenResponse>(`/api/sites/${SITE}/token`);

    const socket = io(webUrl, { extraHeaders: { cookie: api.cookie }, transports: ['websocket'] });
    const live: AlertChange[] = [];
    socket.on('alert', (change) => live.push(change));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });

    const device = await waitFor(() =>
      mqtt.connectAsync(deployment.mqttUrl, { username: SITE, password: token, reconnectPeriod: 0 }).catch(() => undefined),
    );
    await device.publishAsync(topics.telemetry(SITE), JSON.stringify({ values: { do: 2.2 } }), { qos: 1 });

    const alert = await waitFor(async () => (await api.get<AlertListResponse>(`/api/alerts?site=${SITE}`)).alerts[0]);
    expect(alert).toMatchObject({ ruleId: 'do-low', state: 'ACTIVE_UNACK', lastValue: 2.2 });
    await waitFor(() => live.find((change) => change.change === 'raised' && change.alert.id === alert.id));

    const acked = await api.post<Alert>(`/api/alerts/${alert.id}/ack`, { comment: 'on my way' });
    expect(acked).toMatchObject({ state: 'ACTIVE_ACK', ackedBy: 'admin' });
    await waitFor(() => live.find((change) => change.change === 'acknowledged' && change.alert.id === alert.id));

    const replaced = await api.request('PUT', '/api/rules/do-low', doRule('do-low', [SITE], 0, 0, 2));
    expect(replaced.status).toBe(200);
    expect((replaced.json as RuleRecord).source).toBe('api');
    const cleared = await waitFor(async () => {
      const current = await api.get<Alert>(`/api/alerts/${alert.id}`);
      return current.state === 'CLEARED' ? current : undefined;
    });
    expect(cleared.ackedBy).toBe('admin');

    await device.endAsync();
    socket.close();
  });
});
