import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../../../common/payloads.js';
import { StoreFixture } from './store-fixture.js';

const T = Date.UTC(2025, 2, 1);
const SITES = 20;
const BATCHES = 40;
const READINGS_PER_BATCH = 50;

describe('DuckDbDataStores under concurrent callers', () => {
  let fixture: StoreFixture;

  beforeEach(async () => {
    fixture = await StoreFixture.open();
  });

  afterEach(async () => {
    await fixture.cleanup();
  });

  it('serves many parallel writes, overwrites and reads without losing or duplicating a row', async () => {
    const { telemetry, registry } = fixture.stores;
    // Batch b writes minute slots b*25 … b*25+49 for every site: each slot is written by two
    // batches (an overwrite racing with others), and the later batch's value (= b) must win.
    const batch = (b: number): Reading[] =>
      Array.from({ length: READINGS_PER_BATCH }, (_, i) => ({
        siteId: `S-${String((b * READINGS_PER_BATCH + i) % SITES).padStart(2, '0')}`,
        ts: T + (b * 25 + i) * 60_000,
        values: { do: b, ph: 7 },
      }));

    const operations: Promise<unknown>[] = [];
    for (let b = 0; b < BATCHES; b++) {
      operations.push(telemetry.writeReadings(batch(b)));
      operations.push(telemetry.latestValues());
      operations.push(telemetry.queryHistory({ siteId: 'S-00', metric: 'do', from: T, to: T + 10_000 * 60_000, maxPoints: 100 }));
      operations.push(registry.saveSession({ idHash: `s${b}`, username: 'u', createdAt: T, expiresAt: fixture.now + 60_000 }));
      operations.push(registry.findSession(`s${b}`));
      operations.push(telemetry.writeEvents([{ siteId: 'S-00', ts: T + b, type: 'tick', severity: 'info' }]));
      operations.push(
        registry.addRejections([{ ts: T + b, reason: 'wrong_type', topic: 't', siteId: null, detail: 'd', payloadExcerpt: '' }]),
      );
    }
    await Promise.all(operations);

    // Expected content: every slot's value is the last batch that wrote it (call order = queue order).
    const expected = new Map<string, { ts: number; value: number }>();
    for (let b = 0; b < BATCHES; b++) {
      for (const reading of batch(b)) expected.set(`${reading.siteId}@${reading.ts}`, { ts: reading.ts, value: b });
    }
    let stored = 0;
    for (let s = 0; s < SITES; s++) {
      const siteId = `S-${String(s).padStart(2, '0')}`;
      const series = await telemetry.queryHistory({ siteId, metric: 'do', from: T, to: T + 10_000 * 60_000, maxPoints: 10_000 });
      for (const point of series.points) {
        expect(point.count).toBe(1);
        expect(point.avg).toBe(expected.get(`${siteId}@${point.ts}`)?.value);
        stored++;
      }
    }
    expect(stored).toBe(expected.size);

    const latest = await telemetry.latestValues();
    expect(latest).toHaveLength(SITES);
    for (const site of latest) {
      const newest = [...expected.entries()].filter(([key]) => key.startsWith(`${site.siteId}@`)).sort((a, b) => b[1].ts - a[1].ts)[0]?.[1];
      expect(site.values.do).toEqual(newest);
    }
    expect(await telemetry.listEvents('S-00', 1000)).toHaveLength(BATCHES);
    expect(await registry.rejectionTotals()).toEqual({ wrong_type: BATCHES });
    expect(await registry.listRejections(1000)).toHaveLength(BATCHES);
    for (let b = 0; b < BATCHES; b++) expect(await registry.findSession(`s${b}`)).toBeDefined();
  });
});
