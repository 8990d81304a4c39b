import { describe, expect, it } from 'vitest';
import { siteSummarySchema } from '../../../common/api.js';
import { type Site, STALE_AFTER_INTERVALS } from '../../../common/sites.js';
import { SiteCatalog } from '../../../platform/seeds.js';
import { SiteStateCache } from '../../../web/server/live/site-state-cache.js';
import { siteSummary } from '../../../web/server/site-summary.js';

const camera: Site = {
  id: 'KG-CAM-01',
  name: 'Rạch Giá centre',
  kind: 'camera',
  lat: 10.0167,
  lon: 105.0833,
  province: { former: 'Kiên Giang', current: 'An Giang' },
  reportingIntervalSec: 10,
  snapshotUrl: 'http://127.0.0.1:8083/snapshots/KG-CAM-01.svg',
};
const { snapshotUrl: _cameraOnly, ...cameraWithoutSnapshot } = camera;
const station: Site = { ...cameraWithoutSnapshot, id: 'KG-WQ-01', kind: 'water-quality' };

describe('siteSummary', () => {
  const cache = new SiteStateCache(new SiteCatalog([camera, station]));

  it('shows a never-heard site as unknown with no values', () => {
    const summary = siteSummary(camera, cache.get(camera.id) ?? expect.fail('no state'), 1_000);
    expect(summary).toMatchObject({ status: 'unknown', reportedStatus: null, lastSeen: null, latest: {} });
    expect(summary.snapshotUrl).toBe(camera.snapshotUrl);
    expect(siteSummarySchema.parse(summary)).toEqual(summary);
  });

  it('gives latest values with catalog units and derives online / stale from the last contact', () => {
    cache.applyReading(station.id, 100_000, { do: 5.2, salinity: 1.5, ph: 7.8 });
    const state = cache.get(station.id) ?? expect.fail('no state');
    const fresh = siteSummary(station, state, 100_000 + 1_000);
    expect(fresh.latest).toEqual({
      do: { value: 5.2, unit: 'mg/L', ts: 100_000 },
      salinity: { value: 1.5, unit: '‰', ts: 100_000 },
      ph: { value: 7.8, unit: '', ts: 100_000 },
    });
    expect(fresh.status).toBe('online');
    expect(fresh).not.toHaveProperty('snapshotUrl');
    const staleAt = 100_000 + STALE_AFTER_INTERVALS * station.reportingIntervalSec * 1000 + 1;
    expect(siteSummary(station, state, staleAt).status).toBe('stale');
  });

  it('shows a reported offline status even right after contact', () => {
    cache.applyStatus({ siteId: station.id, status: 'offline', ts: 100_500 });
    const summary = siteSummary(station, cache.get(station.id) ?? expect.fail('no state'), 100_600);
    expect(summary).toMatchObject({ status: 'offline', reportedStatus: 'offline', lastSeen: 100_500 });
  });
});
