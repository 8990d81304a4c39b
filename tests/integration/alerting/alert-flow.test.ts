/**
 * Alerting end to end with real parts, in one process like `npm start`: a device publishes a DO
 * crash over MQTT → the alert is raised once the raise-after window has passed → it shows in REST,
 * as a socket.io `alert` event and on MQTT `alerts/{siteId}` → an operator acknowledges it over REST
 * (a viewer may not) → the recovery clears it after the clear-after window. Rules edited over the
 * API apply without a restart. VN_WQI is served in REST and on the live stream.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresetListResponse, RuleListResponse, RuleRecord } from '../../../common/alert-rules.js';
import type { Alert, AlertListResponse } from '../../../common/alerts.js';
import type { SiteSummary } from '../../../common/api.js';
import { topics } from '../../../common/topics.js';
import { waitFor } from '../../support/wait.js';
import { AlertingPlatform, doRule } from './alerting-fixture.js';

const SITE = 'KG-WQ-01';
const OTHER = 'KG-WQ-02';
const RAISE_AFTER_MS = 400;
const CLEAR_AFTER_MS = 600;

const fixture = new AlertingPlatform([
  doRule('do-low', [SITE, OTHER], RAISE_AFTER_MS / 1000, CLEAR_AFTER_MS / 1000),
  { id: 'cameras', name: { vi: 'Camera', en: 'Cameras' }, condition: 'preset', preset: 'camera-offline', scope: { kind: 'camera' } },
]);
let device: MqttClient;

beforeAll(async () => {
  await fixture.start();
  device = await fixture.device(SITE);
});

afterAll(async () => {
  await fixture.cleanup();
});

async function publish(siteId: string, client: MqttClient, values: Record<string, number>): Promise<number> {
  const sentAt = Date.now();
  await client.publishAsync(topics.telemetry(siteId), JSON.stringify({ values }), { qos: 1 });
  return sentAt;
}

async function alertsOf(siteId: string, state?: string): Promise<Alert[]> {
  const query = state ? `site=${siteId}&state=${state}` : `site=${siteId}`;
  return (await fixture.admin.get<AlertListResponse>(`/api/alerts?${query}`)).alerts;
}

/** Waits until the site's latest `metric` is `value` in REST: ingest stored it and the engine evaluated it. */
async function seen(siteId: string, metric: string, value: number): Promise<void> {
  await waitFor(async () => (await fixture.admin.get<SiteSummary>(`/api/sites/${siteId}`)).latest[metric]?.value === value, {
    message: `${siteId} ${metric} = ${value}`,
  });
}

describe('a DO crash, from device to acknowledgement and recovery', () => {
  let raised: Alert;

  it('raises one alert after the raise-after window, visible in REST, on socket.io and on MQTT', async () => {
    const sentAt = await publish(SITE, device, { do: 2.8, ph: 7.6, temperature: 29, cod: 20 });
    raised = await waitFor(async () => (await alertsOf(SITE, 'ACTIVE_UNACK'))[0], { message: 'alert raised' });
    expect(raised.raisedAt - sentAt).toBeGreaterThanOrEqual(RAISE_AFTER_MS);
    expect(raised).toMatchObject({
      siteId: SITE,
      ruleId: 'do-low',
      condition: 'threshold',
      metric: 'do',
      unit: 'mg/L',
      severity: 'critical',
      threshold: 3.5,
      lastValue: 2.8,
      peakValue: 2.8,
      ackedBy: null,
    });
    const live = await waitFor(() => fixture.socketAlerts.find((change) => change.alert.id === raised.id));
    expect(live.change).toBe('raised');
    const downstream = await waitFor(() => fixture.mqttAlerts.find((message) => message.change.alert.id === raised.id));
    expect(downstream.topic).toBe(topics.alerts(SITE));
    expect(downstream.change).toMatchObject({ change: 'raised', alert: { id: raised.id, severity: 'critical' } });
    expect(await fixture.admin.get<Alert>(`/api/alerts/${raised.id}`)).toMatchObject({ id: raised.id, state: 'ACTIVE_UNACK' });
  });

  it('a worse value updates the same alert instead of raising another', async () => {
    await publish(SITE, device, { do: 2.1 });
    const updated = await waitFor(async () => {
      const [alert] = await alertsOf(SITE);
      return alert?.peakValue === 2.1 ? alert : undefined;
    });
    expect(updated.id).toBe(raised.id);
    expect(await alertsOf(SITE)).toHaveLength(1);
  });

  it('serves VN_WQI for the site in REST and on the live stream', async () => {
    const summary = await fixture.admin.get<SiteSummary>(`/api/sites/${SITE}`);
    expect(summary.wqi).toMatchObject({ indicative: true, subIndexes: { ph: 100, cod: 66.7 } });
    expect(typeof summary.wqi?.value).toBe('number');
    expect(summary.wqi?.color).toMatch(/^#[0-9A-F]{6}$/);
    const reading = await waitFor(() => fixture.socketReadings.find((r) => r.siteId === SITE && r.wqi !== undefined));
    expect(reading.wqi).toMatchObject({ indicative: true });
    const camera = await fixture.admin.get<SiteSummary>('/api/sites/KG-CAM-01');
    expect(camera.wqi).toBeNull();
  });

  it('viewers may not acknowledge; an operator does, once, with a comment', async () => {
    const viewer = await fixture.userWithRole('viewer1', 'viewer');
    const refused = await viewer.request('POST', `/api/alerts/${raised.id}/ack`, {});
    expect(refused.status).toBe(403);
    expect((await viewer.request('GET', `/api/alerts/${raised.id}`)).status).toBe(200);

    const operator = await fixture.userWithRole('operator1', 'operator');
    const acked = await operator.post<Alert>(`/api/alerts/${raised.id}/ack`, { comment: 'aerators switched on' });
    expect(acked).toMatchObject({
      state: 'ACTIVE_ACK',
      ackedBy: 'operator1',
      comments: [{ by: 'operator1', text: 'aerators switched on' }],
    });
    expect(acked.ackedAt).toBeGreaterThanOrEqual(raised.raisedAt);
    const again = await operator.request('POST', `/api/alerts/${raised.id}/ack`, {});
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'conflict' } });

    const commented = await operator.post<Alert>(`/api/alerts/${raised.id}/comment`, { text: 'second pump started' });
    expect(commented.comments.map((c) => c.text)).toEqual(['aerators switched on', 'second pump started']);
    await waitFor(() => fixture.socketAlerts.find((c) => c.alert.id === raised.id && c.change === 'commented'));
  });

  it('recovery clears it after the clear-after window', async () => {
    const sentAt = await publish(SITE, device, { do: 6.2 });
    const cleared = await waitFor(async () => {
      const alert = await fixture.admin.get<Alert>(`/api/alerts/${raised.id}`);
      return alert.state === 'CLEARED' ? alert : undefined;
    });
    expect((cleared.clearedAt ?? 0) - sentAt).toBeGreaterThanOrEqual(CLEAR_AFTER_MS);
    expect(cleared.lastValue).toBe(6.2);
    await waitFor(() => fixture.mqttAlerts.find((m) => m.change.alert.id === raised.id && m.change.change === 'cleared'));
    await waitFor(() => fixture.socketAlerts.find((c) => c.alert.id === raised.id && c.change === 'cleared'));
    const kinds = fixture.socketAlerts.filter((c) => c.alert.id === raised.id).map((c) => c.change);
    expect(kinds.filter((kind) => kind !== 'updated')).toEqual(['raised', 'acknowledged', 'commented', 'cleared']);
    expect(await alertsOf(SITE, 'ACTIVE_UNACK,ACTIVE_ACK')).toEqual([]);
  });

  it('answers 404 for unknown alerts and 400 for bad filters', async () => {
    expect((await fixture.admin.request('GET', '/api/alerts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await fixture.admin.request('GET', '/api/alerts?state=OPEN')).status).toBe(400);
    expect((await fixture.admin.request('POST', `/api/alerts/not-a-uuid/ack`, {})).status).toBe(400);
  });
});

describe('rules edited over the API apply without a restart', () => {
  it('lists seeded rules and presets', async () => {
    const { rules } = await fixture.admin.get<RuleListResponse>('/api/rules');
    expect(rules.map((r) => [r.rule.id, r.source])).toEqual([
      ['cameras', 'seed'],
      ['do-low', 'seed'],
    ]);
    const { presets } = await fixture.admin.get<PresetListResponse>('/api/rule-presets');
    expect(presets.map((p) => p.id)).toEqual(expect.arrayContaining(['qcvn-02-19-shrimp-pond', 'salinity-intrusion', 'camera-offline']));
    expect(presets.find((p) => p.id === 'qcvn-02-19-shrimp-pond')?.source).toMatch(/QCVN 02-19:2014/);
  });

  it('a raised threshold catches a value that was normal, with no new reading', async () => {
    const other = await fixture.device(OTHER);
    await publish(OTHER, other, { do: 4.5 });
    await seen(OTHER, 'do', 4.5);
    expect(await alertsOf(OTHER)).toEqual([]);

    const replaced = await fixture.admin.request('PUT', '/api/rules/do-low', doRule('do-low', [SITE, OTHER], 0, 0, 5));
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ source: 'api', updatedBy: 'admin' });
    const [alert] = await waitFor(async () => {
      const open = await alertsOf(OTHER, 'ACTIVE_UNACK');
      return open.length > 0 ? open : undefined;
    });
    expect(alert).toMatchObject({ ruleId: 'do-low', threshold: 5, lastValue: 4.5 });
    expect(await alertsOf(SITE, 'ACTIVE_UNACK')).toEqual([]);
  });

  it('admins create and delete rules; deleting clears their alerts; seeds cannot be deleted', async () => {
    const phRule = {
      id: 'ph-high',
      name: { vi: 'pH cao', en: 'High pH' },
      condition: 'threshold',
      metric: 'ph',
      scope: { kind: 'water-quality' },
      bands: [{ severity: 'warning', op: '>', value: 7.5 }],
    };
    const operator = await fixture.userWithRole('operator2', 'operator');
    expect((await operator.request('POST', '/api/rules', phRule)).status).toBe(403);
    const created = await fixture.admin.request('POST', '/api/rules', phRule);
    expect(created.status).toBe(201);
    expect((created.json as RuleRecord).rule).toMatchObject({ id: 'ph-high', enabled: true, raiseAfterSec: 0 });
    expect((await fixture.admin.request('POST', '/api/rules', phRule)).status).toBe(409);

    const phAlert = await waitFor(async () => (await alertsOf(SITE, 'ACTIVE_UNACK')).find((a) => a.ruleId === 'ph-high'));
    expect(phAlert.lastValue).toBe(7.6);

    expect((await fixture.admin.request('DELETE', '/api/rules/ph-high')).status).toBe(204);
    const cleared = await fixture.admin.get<Alert>(`/api/alerts/${phAlert.id}`);
    expect(cleared.state).toBe('CLEARED_UNACK');
    expect((await fixture.admin.request('DELETE', '/api/rules/cameras')).status).toBe(409);
    expect((await fixture.admin.request('DELETE', '/api/rules/ph-high')).status).toBe(404);
  });

  it('refuses invalid rules with the problems listed', async () => {
    const invalid = await fixture.admin.request('POST', '/api/rules', {
      id: 'bad',
      name: { vi: 'x', en: 'x' },
      condition: 'threshold',
      metric: 'do',
      scope: { kind: 'water-quality', sites: [SITE] },
      bands: [{ severity: 'critical', op: '<', value: 3, clear: 2 }],
    });
    expect(invalid.status).toBe(400);
    const details = (invalid.json as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);
    expect(details).toEqual(expect.arrayContaining(['scope', 'bands.0.clear']));
    const clash = await fixture.admin.request('POST', '/api/rules', {
      id: 'cameras-again',
      name: { vi: 'x', en: 'x' },
      condition: 'preset',
      preset: 'camera-offline',
      scope: { kind: 'camera' },
    });
    expect(clash.status).toBe(400);
    expect(clash.json).toMatchObject({ error: { code: 'validation_failed', message: expect.stringContaining('already applied') } });
  });
});

describe('OpenAPI', () => {
  it('documents the alert and rule routes with their roles and schemas', async () => {
    const doc = await fixture.admin.get<{
      paths: Record<string, Record<string, { 'x-required-role'?: string; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    }>('/api/openapi.json');
    expect(doc.paths['/api/alerts']?.get).toBeDefined();
    expect(doc.paths['/api/alerts/{id}/ack']?.post?.['x-required-role']).toBe('operator');
    expect(doc.paths['/api/alerts/{id}/comment']?.post?.['x-required-role']).toBe('operator');
    expect(doc.paths['/api/rules/{id}']?.put?.['x-required-role']).toBe('admin');
    expect(doc.paths['/api/rules']?.post?.responses).toHaveProperty('201');
    expect(doc.paths['/api/rule-presets']?.get).toBeDefined();
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Alert', 'AlertRule', 'AlertRulePreset', 'WqiResult']));
  });
});
