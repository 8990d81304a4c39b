import { describe, expect, it } from 'vitest';
import type { SiteSummary } from '../../../../common/api.js';
import {
  applyLiveEvents,
  applyReading,
  applyStatus,
  countByStatus,
  displayStatus,
  mergeSnapshot,
} from '../../../../web/app/src/live/site-state.js';

const T0 = 1_750_000_000_000;

function site(overrides: Partial<SiteSummary> = {}): SiteSummary {
  return {
    id: 'KG-WQ-01',
    name: 'Rạch Giá estuary',
    kind: 'water-quality',
    lat: 10.012,
    lon: 105.078,
    province: { former: 'Kiên Giang', current: 'An Giang' },
    reportingIntervalSec: 5,
    status: 'unknown',
    reportedStatus: null,
    lastSeen: null,
    latest: {},
    ...overrides,
  };
}

describe('applyReading', () => {
  it('adds values with the catalog unit and moves lastSeen', () => {
    const next = applyReading(site(), { siteId: 'KG-WQ-01', ts: T0, values: { do: 4.21, salinity: 12.5 } }, T0 + 100);
    expect(next.latest.do).toEqual({ value: 4.21, unit: 'mg/L', ts: T0 });
    expect(next.latest.salinity).toEqual({ value: 12.5, unit: '‰', ts: T0 });
    expect(next.lastSeen).toBe(T0);
  });

  it('keeps a newer value when a backfilled older reading arrives', () => {
    const current = site({ latest: { do: { value: 5, unit: 'mg/L', ts: T0 } }, lastSeen: T0 });
    const next = applyReading(current, { siteId: 'KG-WQ-01', ts: T0 - 60_000, values: { do: 3 } }, T0);
    expect(next).toBe(current);
  });

  it('never moves lastSeen past the clock (device clock ahead)', () => {
    const next = applyReading(site(), { siteId: 'KG-WQ-01', ts: T0 + 120_000, values: { ph: 7.5 } }, T0);
    expect(next.lastSeen).toBe(T0);
    expect(next.latest.ph?.ts).toBe(T0 + 120_000);
  });
});

describe('status', () => {
  it('turns stale after three silent intervals and back online with a reading', () => {
    const heard = applyReading(site(), { siteId: 'KG-WQ-01', ts: T0, values: { do: 5 } }, T0);
    expect(displayStatus(heard, T0 + 15_000)).toBe('online');
    expect(displayStatus(heard, T0 + 15_001)).toBe('stale');
    const again = applyReading(heard, { siteId: 'KG-WQ-01', ts: T0 + 20_000, values: { do: 5.1 } }, T0 + 20_000);
    expect(displayStatus(again, T0 + 20_000)).toBe('online');
  });

  it('shows what the device reported when offline or in maintenance', () => {
    const offline = applyStatus(site(), { siteId: 'KG-WQ-01', status: 'offline', lastSeen: T0 }, T0);
    expect(displayStatus(offline, T0)).toBe('offline');
    expect(displayStatus(applyStatus(offline, { siteId: 'KG-WQ-01', status: 'maintenance', lastSeen: T0 + 1 }, T0 + 1), T0 + 1)).toBe(
      'maintenance',
    );
    expect(displayStatus(site(), T0)).toBe('unknown');
  });

  it('counts sites per status', () => {
    expect(countByStatus(['online', 'online', 'stale', 'unknown'])).toEqual({
      online: 2,
      stale: 1,
      offline: 0,
      maintenance: 0,
      unknown: 1,
    });
  });
});

describe('batches and snapshots', () => {
  it('applies a batch, ignoring unknown sites, and keeps the index when nothing changed', () => {
    const index = new Map([['KG-WQ-01', site()]]);
    const next = applyLiveEvents(
      index,
      [
        { type: 'reading', data: { siteId: 'KG-WQ-01', ts: T0, values: { do: 4 } } },
        { type: 'reading', data: { siteId: 'NOPE-01', ts: T0, values: { do: 9 } } },
        { type: 'site-status', data: { siteId: 'KG-WQ-01', status: 'online', lastSeen: T0 } },
      ],
      T0,
    );
    expect(next.get('KG-WQ-01')?.latest.do?.value).toBe(4);
    expect(next.get('KG-WQ-01')?.reportedStatus).toBe('online');
    expect(next.has('NOPE-01')).toBe(false);
    expect(applyLiveEvents(next, [{ type: 'reading', data: { siteId: 'KG-WQ-01', ts: T0, values: { do: 4 } } }], T0)).toBe(next);
  });

  it('merges a reloaded snapshot without losing newer live values', () => {
    const live = new Map([['KG-WQ-01', site({ latest: { do: { value: 6, unit: 'mg/L', ts: T0 + 5000 } }, lastSeen: T0 + 5000 })]]);
    const snapshot = [
      site({
        latest: { do: { value: 5, unit: 'mg/L', ts: T0 }, ph: { value: 7.2, unit: '', ts: T0 } },
        lastSeen: T0,
        reportedStatus: 'online',
      }),
      site({ id: 'HG-WQ-01', name: 'Vị Thanh' }),
    ];
    const merged = mergeSnapshot(live, snapshot);
    expect(merged.get('KG-WQ-01')?.latest.do?.value).toBe(6);
    expect(merged.get('KG-WQ-01')?.latest.ph?.value).toBe(7.2);
    expect(merged.get('KG-WQ-01')?.lastSeen).toBe(T0 + 5000);
    expect(merged.get('KG-WQ-01')?.reportedStatus).toBe('online');
    expect([...merged.keys()]).toEqual(['KG-WQ-01', 'HG-WQ-01']);
  });
});
