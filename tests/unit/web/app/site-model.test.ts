import { describe, expect, it } from 'vitest';
import type { SiteSummary } from '../../../../common/api.js';
import { SALINITY_COLORS, STATUS_COLOR } from '../../../../web/app/src/model/colors.js';
import { DEFAULT_FILTERS } from '../../../../web/app/src/model/filters.js';
import { mercatorY, SiteModel, STATUS_CODES, siteLook } from '../../../../web/app/src/model/site-model.js';
import { alert } from './alert-fixture.js';

const NOW = 1_000_000;

function summary(id: string, kind: SiteSummary['kind'], latest: SiteSummary['latest'] = {}, lastSeen: number | null = null): SiteSummary {
  return {
    id,
    name: id,
    kind,
    lat: 9.8,
    lon: 105.1,
    province: { former: 'Kiên Giang', current: 'An Giang' },
    reportingIntervalSec: 60,
    status: 'unknown',
    reportedStatus: lastSeen === null ? null : 'online',
    lastSeen,
    latest,
  };
}

describe('site model', () => {
  it('colours salinity by its 1 ‰ / 4 ‰ steps and greys out sites that are not reporting', () => {
    expect(siteLook('salinity', 'online', 0.5, null)).toEqual({ fill: SALINITY_COLORS[0], label: 0.5 });
    expect(siteLook('salinity', 'online', 1, null).fill).toBe(SALINITY_COLORS[1]);
    expect(siteLook('salinity', 'online', 4, null).fill).toBe(SALINITY_COLORS[2]);
    expect(siteLook('salinity', 'offline', 5, null).fill).toBe(STATUS_COLOR.offline);
    expect(Number.isNaN(siteLook('camera', 'online', undefined, null).label)).toBe(true);
    expect(siteLook('water-quality', 'online', undefined, 82.4).label).toBe(82);
  });

  it('applies a live batch to the touched sites only and tells listeners which', () => {
    const model = new SiteModel();
    model.load([summary('S1', 'salinity', {}, NOW - 1000), summary('S2', 'salinity')], NOW);
    const seen: Array<ReadonlySet<number> | null> = [];
    model.subscribe((dirty) => seen.push(dirty));
    model.applyBatch(new Map([['S1', { ts: NOW, values: { salinity: 5.2 } }]]), [], NOW);
    expect(seen).toEqual([new Set([0])]);
    expect(model.live.visual.fill[0]).toBe(SALINITY_COLORS[2]);
    expect(model.live.visual.label[0]).toBe(5.2);
    expect(model.site('S1')?.latest.salinity).toEqual({ value: 5.2, ts: NOW, unit: '‰' });
    expect(STATUS_CODES[model.live.visual.status[1] ?? 0]).toBe('unknown');
  });

  it('turns a silent site stale on the clock and marks the worst alert', () => {
    const model = new SiteModel();
    model.load([summary('S1', 'water-quality', { do: { value: 5, unit: 'mg/L', ts: NOW } }, NOW)], NOW);
    expect(STATUS_CODES[model.live.visual.status[0] ?? 4]).toBe('online');
    model.tick(NOW + 4 * 60_000);
    expect(STATUS_CODES[model.live.visual.status[0] ?? 4]).toBe('stale');
    model.applyAlerts(
      [alert({ id: 'a', siteId: 'S1', severity: 'minor' }), alert({ id: 'b', siteId: 'S1', severity: 'critical' })],
      false,
      NOW + 4 * 60_000,
    );
    expect(model.live.visual.severity[0]).toBe(4);
    expect(model.statusCounts().stale).toBe(1);
  });

  it('hides filtered sites and keeps newer live values over a reloaded snapshot', () => {
    const model = new SiteModel();
    model.load([summary('S1', 'salinity'), summary('C1', 'camera')], NOW);
    model.applyBatch(new Map([['S1', { ts: NOW + 10, values: { salinity: 2 } }]]), [], NOW + 10);
    model.load([summary('S1', 'salinity', { salinity: { value: 1, unit: '‰', ts: NOW } }, NOW), summary('C1', 'camera')], NOW + 20);
    expect(model.site('S1')?.latest.salinity?.value).toBe(2);
    model.setFilters({ ...DEFAULT_FILTERS, kinds: new Set(['camera']) });
    expect(model.visibleIndices()).toEqual([1]);
  });

  it('projects latitudes with Web Mercator', () => {
    expect(mercatorY(0)).toBeCloseTo(0.5);
    expect(mercatorY(10)).toBeLessThan(0.5);
  });

  it('keeps off-screen sites online from sites-seen batches, without their values', () => {
    const model = new SiteModel();
    model.load([summary('S1', 'salinity', { salinity: { value: 1, unit: '‰', ts: NOW } }, NOW)], NOW);
    const later = NOW + 5 * 60_000;
    model.applyBatch(new Map(), [], later, new Map([['S1', later - 1000]]));
    expect(STATUS_CODES[model.live.visual.status[0] ?? 4]).toBe('online');
    expect(model.site('S1')?.lastSeen).toBe(later - 1000);
    expect(model.site('S1')?.latest.salinity?.value).toBe(1);
  });
});
