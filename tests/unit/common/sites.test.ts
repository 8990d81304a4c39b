import { describe, expect, it } from 'vitest';
import { effectiveSiteStatus, siteListSchema } from '../../../common/sites.js';

const base = {
  name: 'Rạch Giá estuary',
  kind: 'water-quality',
  lat: 10,
  lon: 105,
  province: { former: 'Kiên Giang', current: 'An Giang' },
  reportingIntervalSec: 5,
};

describe('effectiveSiteStatus', () => {
  const now = 1_000_000;
  it('is unknown before the site was ever heard', () => expect(effectiveSiteStatus(undefined, undefined, 5, now)).toBe('unknown'));
  it('is online while reports arrive within 3 intervals', () => expect(effectiveSiteStatus('online', now - 14_999, 5, now)).toBe('online'));
  it('is stale after 3 missed intervals', () => expect(effectiveSiteStatus('online', now - 15_001, 5, now)).toBe('stale'));
  it('keeps offline and maintenance as reported', () => {
    expect(effectiveSiteStatus('offline', now, 5, now)).toBe('offline');
    expect(effectiveSiteStatus('maintenance', now - 100_000, 5, now)).toBe('maintenance');
  });
  it('treats readings without a status message as online', () => expect(effectiveSiteStatus(undefined, now - 1000, 5, now)).toBe('online'));
});

describe('site list schema', () => {
  it('accepts a valid list', () => {
    expect(siteListSchema.safeParse([{ id: 'KG-WQ-01', ...base }]).success).toBe(true);
  });

  it('reports duplicate ids, bad coordinates and a camera without snapshot', () => {
    const result = siteListSchema.safeParse([
      { id: 'KG-WQ-01', ...base },
      { id: 'KG-WQ-01', ...base, lat: 91 },
      { id: 'KG-CAM-01', ...base, kind: 'camera' },
    ]);
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.')) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['1.lat', '2.snapshotUrl']));
    expect(result.error?.issues.some((issue) => issue.message.includes('duplicate site id KG-WQ-01'))).toBe(true);
  });
});
