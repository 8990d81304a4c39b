/**
 * The engine's lifecycle with fake timers: acknowledgement and comments, restarts that keep open
 * alerts and pending windows, rules edited while running, presets with site overrides, and a
 * failing store that delays persistence but never publication.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RuleDefinitionInput } from '../../../common/alert-rules.js';
import type { Alert } from '../../../common/alerts.js';
import { AppError } from '../../../platform/errors.js';
import { EngineHarness, MINUTE, SECOND, SITES, T0, testSite, thresholdRule, WQ, WQ2 } from './engine-harness.js';
import { MemoryAlertStore } from './memory-alert-store.js';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});

const harnesses: EngineHarness[] = [];
async function start(options: Parameters<typeof EngineHarness.start>[0]): Promise<EngineHarness> {
  const harness = await EngineHarness.start(options);
  harnesses.push(harness);
  return harness;
}
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.stop();
  vi.useRealTimers();
});

const doLow = (extra: Record<string, unknown> = {}) =>
  thresholdRule('do-low', 'do', [['critical', '<', 3.5, 4]], { raiseAfterSec: 300, clearAfterSec: 600, ...extra });

async function raised(harness: EngineHarness): Promise<Alert> {
  harness.read(WQ, { do: 3.0 });
  await harness.advance(5 * MINUTE);
  const [alert] = harness.open();
  if (!alert) throw new Error('no alert raised');
  return alert;
}

describe('acknowledge and comment', () => {
  it('ACTIVE_UNACK → ACTIVE_ACK → CLEARED, recording who and when', async () => {
    const harness = await start({ rules: [doLow()] });
    const alert = await raised(harness);
    await harness.advance(MINUTE);
    const acked = await harness.engine.acknowledge(alert.id, 'operator1', 'aerators on');
    expect(acked).toMatchObject({ state: 'ACTIVE_ACK', ackedBy: 'operator1', ackedAt: T0 + 6 * MINUTE });
    expect(acked.comments).toEqual([{ by: 'operator1', at: T0 + 6 * MINUTE, text: 'aerators on' }]);
    expect(harness.store.alerts.get(alert.id)?.state).toBe('ACTIVE_ACK');
    await expect(harness.engine.acknowledge(alert.id, 'operator2')).rejects.toMatchObject({ code: 'conflict' });

    const commented = await harness.engine.comment(alert.id, 'operator2', 'second pump started');
    expect(commented.comments.map((c) => c.by)).toEqual(['operator1', 'operator2']);

    harness.read(WQ, { do: 5 });
    await harness.advance(10 * MINUTE);
    await harness.advance(20);
    expect(harness.store.alerts.get(alert.id)?.state).toBe('CLEARED');
    expect(harness.kinds()).toEqual(['raised', 'acknowledged', 'commented', 'cleared']);
  });

  it('CLEARED_UNACK becomes CLEARED when acknowledged after clearing', async () => {
    const harness = await start({ rules: [doLow({ clearAfterSec: 0 })] });
    const alert = await raised(harness);
    harness.read(WQ, { do: 5 });
    await harness.advance(20);
    expect((await harness.engine.getAlert(alert.id))?.state).toBe('CLEARED_UNACK');
    const acked = await harness.engine.acknowledge(alert.id, 'operator1');
    expect(acked.state).toBe('CLEARED');
  });

  it('answers not_found for an unknown alert', async () => {
    const harness = await start({ rules: [doLow()] });
    await expect(harness.engine.acknowledge('00000000-0000-4000-8000-000000000000', 'x')).rejects.toBeInstanceOf(AppError);
    await expect(harness.engine.comment('nope', 'x', 'text')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a new breach after clearing is a new alert; a breach while active is the same one', async () => {
    const harness = await start({ rules: [doLow({ raiseAfterSec: 0, clearAfterSec: 0 })] });
    harness.read(WQ, { do: 3.0 });
    await harness.advance(MINUTE);
    harness.read(WQ, { do: 2.5 });
    await harness.advance(MINUTE);
    harness.read(WQ, { do: 5.0 });
    await harness.advance(MINUTE);
    harness.read(WQ, { do: 3.0 });
    await harness.advance(20);
    const ids = harness.changes.filter((c) => c.change === 'raised').map((c) => c.alert.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    const listed = await harness.engine.listAlerts({ siteId: WQ, limit: 10 });
    expect(listed.map((a) => a.state)).toEqual(['ACTIVE_UNACK', 'CLEARED_UNACK']);
    expect(await harness.engine.listAlerts({ states: ['ACTIVE_UNACK'], limit: 10 })).toHaveLength(1);
  });
});

describe('restart', () => {
  it('keeps a pending raise-after window: the alert is raised on time by the new engine', async () => {
    const store = new MemoryAlertStore();
    const first = await start({ rules: [doLow()], store });
    first.read(WQ, { do: 3.0 });
    await first.advance(100 * SECOND);
    await first.stop();

    const second = await start({ rules: [doLow()], store });
    await second.advance(199 * SECOND);
    expect(second.open()).toEqual([]);
    await second.advance(1 * SECOND);
    expect(second.open()[0]).toMatchObject({ severity: 'critical', raisedAt: T0 + 300 * SECOND });
  });

  it('keeps an open alert and its pending clear-after window', async () => {
    const store = new MemoryAlertStore();
    const first = await start({ rules: [doLow()], store });
    const alert = await raised(first);
    first.read(WQ, { do: 4.6 });
    await first.advance(5 * MINUTE);
    await first.stop();

    const second = await start({ rules: [doLow()], store });
    expect(second.open().map((a) => a.id)).toEqual([alert.id]);
    await second.advance(5 * MINUTE - SECOND);
    expect(second.open()).toHaveLength(1);
    await second.advance(SECOND);
    expect(second.open()).toEqual([]);
    await second.advance(20);
    expect(second.changes.map((c) => [c.change, c.alert.id])).toEqual([['cleared', alert.id]]);
  });

  it('decides a window that ran out while it was down at start', async () => {
    const store = new MemoryAlertStore();
    const first = await start({ rules: [doLow()], store });
    first.read(WQ, { do: 3.0 });
    await first.advance(MINUTE);
    await first.stop();
    vi.setSystemTime(T0 + 30 * MINUTE);
    const second = await start({ rules: [doLow()], store });
    expect(second.open()).toHaveLength(1);
  });
});

describe('rules edited while running', () => {
  it('a new rule is evaluated at once against the latest value', async () => {
    const harness = await start({ rules: [] });
    harness.read(WQ, { do: 3.0 });
    await harness.advance(MINUTE);
    await harness.engine.createRule(doLow({ raiseAfterSec: 0 }), 'admin');
    expect(harness.open()).toHaveLength(1);
    expect((await harness.engine.listRules()).map((r) => [r.rule.id, r.source, r.updatedBy])).toEqual([['do-low', 'api', 'admin']]);
  });

  it('an edited threshold applies to the open alert; a deleted rule clears its alerts', async () => {
    const harness = await start({ rules: [] });
    await harness.engine.createRule(doLow({ raiseAfterSec: 0, clearAfterSec: 0 }), 'admin');
    harness.read(WQ, { do: 3.0 });
    expect(harness.open()).toHaveLength(1);
    await harness.engine.updateRule('do-low', thresholdRule('do-low', 'do', [['critical', '<', 2.5]]), 'admin');
    expect(harness.open()).toEqual([]);
    await harness.engine.updateRule('do-low', thresholdRule('do-low', 'do', [['major', '<', 3.2]]), 'admin');
    expect(harness.open()[0]?.severity).toBe('major');
    await harness.engine.deleteRule('do-low', 'admin');
    expect(harness.open()).toEqual([]);
    expect(await harness.engine.listRules()).toEqual([]);
  });

  it('a disabled rule clears its alerts and stops evaluating', async () => {
    const harness = await start({ rules: [doLow({ raiseAfterSec: 0 })] });
    harness.read(WQ, { do: 3.0 });
    expect(harness.open()).toHaveLength(1);
    await harness.engine.updateRule('do-low', doLow({ raiseAfterSec: 0, enabled: false }), 'admin');
    expect(harness.open()).toEqual([]);
    await harness.advance(MINUTE);
    harness.read(WQ, { do: 2.0 });
    expect(harness.open()).toEqual([]);
  });

  it('refuses invalid edits, deleting seeds, and taken ids — and keeps seeds edited by an admin', async () => {
    const store = new MemoryAlertStore();
    const harness = await start({ rules: [doLow()], store });
    await expect(harness.engine.createRule(doLow(), 'admin')).rejects.toMatchObject({ code: 'conflict' });
    await expect(harness.engine.deleteRule('do-low', 'admin')).rejects.toMatchObject({ code: 'conflict' });
    await expect(harness.engine.updateRule('nope', thresholdRule('nope', 'do', [['critical', '<', 3]]), 'admin')).rejects.toMatchObject({
      code: 'not_found',
    });
    const invalid = { ...doLow(), bands: [{ severity: 'critical', op: '<', value: 3, clear: 2 }] } as RuleDefinitionInput;
    await expect(harness.engine.updateRule('do-low', invalid, 'admin')).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(harness.engine.updateRule('do-low', thresholdRule('other', 'do', [['critical', '<', 3]]), 'admin')).rejects.toMatchObject({
      code: 'validation_failed',
    });

    await harness.engine.updateRule('do-low', doLow({ raiseAfterSec: 60 }), 'admin');
    await harness.stop();
    const restarted = await start({ rules: [doLow()], store });
    const [record] = await restarted.engine.listRules();
    expect(record).toMatchObject({ source: 'api', updatedBy: 'admin', rule: { raiseAfterSec: 60 } });
  });

  it('re-applies changed seeds and drops seeds that were removed', async () => {
    const store = new MemoryAlertStore();
    const first = await start({ rules: [doLow(), thresholdRule('ph-low', 'ph', [['warning', '<', 7]])], store });
    await first.stop();
    const second = await start({ rules: [doLow({ raiseAfterSec: 30 })], store });
    const records = await second.engine.listRules();
    expect(records.map((r) => [r.rule.id, r.source, 'raiseAfterSec' in r.rule ? r.rule.raiseAfterSec : null])).toEqual([
      ['do-low', 'seed', 30],
    ]);
  });
});

describe('presets', () => {
  const preset = {
    id: 'shrimp',
    name: { vi: 'Tôm', en: 'Shrimp' },
    description: { vi: '-', en: '-' },
    source: 'test',
    kinds: ['water-quality'],
    rules: [
      {
        key: 'do',
        name: { vi: 'DO', en: 'DO' },
        condition: 'threshold',
        metric: 'do',
        bands: [{ severity: 'critical', op: '<', value: 3.5 }],
      },
      {
        key: 'ph',
        name: { vi: 'pH', en: 'pH' },
        condition: 'threshold',
        metric: 'ph',
        bands: [{ severity: 'warning', op: '>', value: 8.5 }],
      },
    ],
  };
  const byKind: RuleDefinitionInput = {
    id: 'shrimp-all',
    name: { vi: 'a', en: 'a' },
    condition: 'preset',
    preset: 'shrimp',
    scope: { kind: 'water-quality' },
  };

  it('applies a preset to a kind, with one site overriding a value and another opting out of a rule', async () => {
    const override: RuleDefinitionInput = {
      id: 'shrimp-wq-01',
      name: { vi: 'b', en: 'b' },
      condition: 'preset',
      preset: 'shrimp',
      scope: { sites: [WQ] },
      overrides: { do: { bands: [{ severity: 'critical', op: '<', value: 3 }] }, ph: { enabled: false } },
    };
    const harness = await start({ rules: [byKind, override], presets: [preset] });
    harness.read(WQ, { do: 3.2, ph: 9 });
    harness.read(WQ2, { do: 3.2, ph: 9 });
    const open = harness.open().map((a) => [a.siteId, a.ruleId]);
    expect(open.sort()).toEqual([
      [WQ2, 'shrimp:do'],
      [WQ2, 'shrimp:ph'],
    ]);
    await harness.advance(MINUTE);
    harness.read(WQ, { do: 2.9 });
    expect(harness.open().find((a) => a.siteId === WQ)).toMatchObject({ ruleId: 'shrimp:do', threshold: 3 });
  });

  it('refuses a second kind-wide application of the same preset and overrides of unknown keys', async () => {
    const harness = await start({ rules: [byKind], presets: [preset] });
    await expect(harness.engine.createRule({ ...byKind, id: 'shrimp-again' }, 'admin')).rejects.toMatchObject({
      code: 'validation_failed',
    });
    const unknownKey: RuleDefinitionInput = {
      ...byKind,
      id: 'shrimp-site',
      scope: { sites: [WQ] },
      overrides: { nh3: { enabled: false } },
    };
    await expect(harness.engine.createRule(unknownKey, 'admin')).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'shrimp-site.overrides.nh3', message: expect.stringContaining('no rule nh3') }],
    });
  });
});

describe('sites', () => {
  it('clears the alerts of a removed site at the next housekeeping, and evaluates a newly registered one', async () => {
    const known = new Map(SITES.map((site) => [site.id, site]));
    const harness = await start({ rules: [doLow({ raiseAfterSec: 0 })], lookup: { get: (id) => known.get(id) } });
    harness.read(WQ, { do: 3.0 });
    expect(harness.open()).toHaveLength(1);
    known.delete(WQ);
    await harness.advance(MINUTE + 20);
    expect(harness.open()).toEqual([]);
    expect(harness.kinds()).toEqual(['raised', 'cleared']);

    harness.read('KG-WQ-09', { do: 2.0 });
    expect(harness.open()).toEqual([]);
    known.set('KG-WQ-09', testSite('KG-WQ-09', 'water-quality'));
    harness.read('KG-WQ-09', { do: 2.0 }, SECOND);
    expect(harness.open().map((alert) => alert.siteId)).toEqual(['KG-WQ-09']);
  });
});

describe('store writes', () => {
  it('writes decisions at once and mere progress with the housekeeping, and everything at stop', async () => {
    const store = new MemoryAlertStore();
    const harness = await start({ rules: [doLow()], store, tuning: { housekeepingIntervalMs: 60_000 } });
    harness.read(WQ, { do: 5.0 });
    await harness.advance(SECOND);
    const afterFirst = store.commits;
    for (let i = 1; i <= 20; i++) {
      harness.read(WQ, { do: 5 + i / 100 });
      await harness.advance(SECOND);
    }
    expect(store.commits).toBe(afterFirst);

    harness.read(WQ, { do: 3.0 });
    await harness.advance(20);
    expect(store.commits).toBe(afterFirst + 1);
    expect(JSON.stringify(store.states.get(`${WQ}|do-low`)?.state)).toContain('"bandsOn":["below:critical"]');

    await harness.advance(MINUTE);
    expect(store.commits).toBeGreaterThan(afterFirst + 1);
    expect(store.states.get(`${WQ}|do-low`)?.state).toMatchObject({ value: 3.0 });

    harness.read(WQ, { do: 3.1 });
    await harness.stop();
    expect(store.states.get(`${WQ}|do-low`)?.state).toMatchObject({ value: 3.1 });
  });
});

describe('store failures', () => {
  it('publishes changes even when the store fails, and stores them once it recovers', async () => {
    const harness = await start({ rules: [doLow({ raiseAfterSec: 0 })] });
    harness.store.failNextCommits = 2;
    harness.read(WQ, { do: 3.0 });
    await harness.advance(20);
    expect(harness.kinds()).toEqual(['raised']);
    expect(harness.store.alerts.size).toBe(0);
    await harness.advance(5 * SECOND);
    expect(harness.store.alerts.size).toBe(1);
  });
});
