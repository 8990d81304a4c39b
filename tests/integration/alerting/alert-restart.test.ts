/**
 * A restart mid-alert, with real parts: the platform is stopped and started again on the same
 * DATA_DIR while one alert is open with its clear-after window running and another site's
 * raise-after window is pending. After the restart the open alert is still there and clears when
 * its window ends, and the pending alert is raised — with no reading published after the restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertListResponse } from '../../../common/alerts.js';
import type { SiteSummary } from '../../../common/api.js';
import { topics } from '../../../common/topics.js';
import { waitFor } from '../../support/wait.js';
import { AlertingPlatform, doRule } from './alerting-fixture.js';

const OPEN_SITE = 'KG-WQ-01';
const PENDING_SITE = 'KG-WQ-02';
const CLEAR_AFTER_MS = 3_000;
const SLOW_RAISE_AFTER_MS = 2_000;

const fixture = new AlertingPlatform([
  doRule('do-low', [OPEN_SITE], 0.2, CLEAR_AFTER_MS / 1000),
  doRule('do-low-slow', [PENDING_SITE], SLOW_RAISE_AFTER_MS / 1000, 1),
]);

beforeAll(async () => {
  await fixture.start(false);
});

afterAll(async () => {
  await fixture.cleanup();
});

async function alerts(siteId: string): Promise<Alert[]> {
  return (await fixture.admin.get<AlertListResponse>(`/api/alerts?site=${siteId}`)).alerts;
}

async function seen(siteId: string, value: number): Promise<void> {
  await waitFor(async () => (await fixture.admin.get<SiteSummary>(`/api/sites/${siteId}`)).latest.do?.value === value);
}

describe('restart mid-alert', () => {
  it('keeps the open alert and both pending windows', async () => {
    const open = await fixture.device(OPEN_SITE);
    await open.publishAsync(topics.telemetry(OPEN_SITE), JSON.stringify({ values: { do: 2.5 } }), { qos: 1 });
    const raised = await waitFor(async () => (await alerts(OPEN_SITE))[0]);

    const recoveredAt = Date.now();
    await open.publishAsync(topics.telemetry(OPEN_SITE), JSON.stringify({ values: { do: 6 } }), { qos: 1 });
    await seen(OPEN_SITE, 6);

    const pending = await fixture.device(PENDING_SITE);
    const crashedAt = Date.now();
    await pending.publishAsync(topics.telemetry(PENDING_SITE), JSON.stringify({ values: { do: 2.9 } }), { qos: 1 });
    await seen(PENDING_SITE, 2.9);
    expect(await alerts(PENDING_SITE)).toEqual([]);

    await fixture.stop();
    await fixture.start(false);

    const afterRestart = await fixture.admin.get<Alert>(`/api/alerts/${raised.id}`);
    if (Date.now() - recoveredAt < CLEAR_AFTER_MS) expect(afterRestart.state).toBe('ACTIVE_UNACK');
    const cleared = await waitFor(
      async () => {
        const alert = await fixture.admin.get<Alert>(`/api/alerts/${raised.id}`);
        return alert.state === 'CLEARED_UNACK' ? alert : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect((cleared.clearedAt ?? 0) - recoveredAt).toBeGreaterThanOrEqual(CLEAR_AFTER_MS);
    expect(cleared.lastValue).toBe(6);

    const late = await waitFor(async () => (await alerts(PENDING_SITE))[0], { timeoutMs: 15_000 });
    expect(late).toMatchObject({ ruleId: 'do-low-slow', state: 'ACTIVE_UNACK', lastValue: 2.9 });
    expect(late.raisedAt - crashedAt).toBeGreaterThanOrEqual(SLOW_RAISE_AFTER_MS);
    expect(await alerts(OPEN_SITE)).toHaveLength(1);
  });
});
