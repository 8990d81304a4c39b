/**
 * `snapshotAt` on the embedded store (the web app's time-travel frames): per site and metric the
 * newest value inside (at − lookback, at], sites without one left out; and the REST frame built
 * from it (column-oriented, nulls where a site lacked a metric).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toFrame } from '../../../../web/server/routes/replay.js';
import { StoreFixture } from './store-fixture.js';

const T = Date.UTC(2025, 2, 1, 12);
const MIN = 60_000;

describe('DuckDbTelemetryStore.snapshotAt', () => {
  let fixture: StoreFixture;
  beforeEach(async () => {
    fixture = await StoreFixture.open();
    await fixture.stores.telemetry.writeReadings([
      { siteId: 'KG-SAL-01', ts: T - 50 * MIN, values: { salinity: 1.1 } },
      { siteId: 'KG-SAL-01', ts: T - 20 * MIN, values: { salinity: 2.2 } },
      { siteId: 'KG-SAL-01', ts: T + 5 * MIN, values: { salinity: 9.9 } },
      { siteId: 'KG-WQ-01', ts: T - 10 * MIN, values: { do: 4.5, ph: 7.6, cod: 12 } },
      { siteId: 'KG-WQ-01', ts: T - 2 * MIN, values: { do: 4.1 } },
      { siteId: 'HG-SAL-01', ts: T - 90 * MIN, values: { salinity: 3.3 } },
    ]);
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  it('returns the newest value per metric inside the window, never a later one', async () => {
    const snapshot = await fixture.stores.telemetry.snapshotAt({ at: T, lookbackMs: 30 * MIN, metrics: ['salinity', 'do', 'ph'] });
    expect(snapshot).toEqual([
      { siteId: 'KG-SAL-01', values: { salinity: { value: 2.2, ts: T - 20 * MIN } } },
      { siteId: 'KG-WQ-01', values: { do: { value: 4.1, ts: T - 2 * MIN }, ph: { value: 7.6, ts: T - 10 * MIN } } },
    ]);
    const wider = await fixture.stores.telemetry.snapshotAt({ at: T, lookbackMs: 120 * MIN, metrics: ['salinity'] });
    expect(wider.map((site) => site.siteId)).toEqual(['HG-SAL-01', 'KG-SAL-01']);
    expect(await fixture.stores.telemetry.snapshotAt({ at: T, lookbackMs: MIN, metrics: [] })).toEqual([]);
  });

  it('refuses unknown metrics', async () => {
    await expect(
      fixture.stores.telemetry.snapshotAt({ at: T, lookbackMs: MIN, metrics: ["do'; DROP TABLE readings; --" as never] }),
    ).rejects.toThrow(/unknown metric/);
  });

  it('becomes a column-oriented frame', async () => {
    const snapshot = await fixture.stores.telemetry.snapshotAt({ at: T, lookbackMs: 30 * MIN, metrics: ['salinity', 'do', 'nh4'] });
    expect(toFrame(T, 30 * MIN, ['salinity', 'do', 'nh4'], snapshot)).toEqual({
      at: T,
      from: T - 30 * MIN,
      siteIds: ['KG-SAL-01', 'KG-WQ-01'],
      lastSeen: [T - 20 * MIN, T - 2 * MIN],
      values: { salinity: [2.2, null], do: [null, 4.1] },
    });
  });
});
