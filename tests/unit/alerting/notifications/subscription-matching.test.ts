import { describe, expect, it } from 'vitest';
import {
  inQuietHours,
  normalizePlaceName,
  scopeCovers,
  severityAtLeast,
  silencedByQuietHours,
  siteInProvince,
} from '../../../../alerting/notifications/subscription-matching.js';
import type { SubscriptionScope } from '../../../../common/notifications.js';
import { SITES, T0 } from './alert-fixtures.js';

/** Epoch ms of a local time (Asia/Ho_Chi_Minh = UTC+7) on 2025-11-22. */
const local = (hour: number, minute = 0) => Date.UTC(2025, 10, 22, hour - 7, minute);

describe('scope', () => {
  it('a site list covers exactly its sites, even ones no longer registered', () => {
    const scope: SubscriptionScope = { type: 'sites', siteIds: ['KG-WQ-01', 'GONE-01'] };
    expect(scopeCovers(scope, 'KG-WQ-01', SITES.rachGia)).toBe(true);
    expect(scopeCovers(scope, 'HG-WQ-01', SITES.viThanh)).toBe(false);
    expect(scopeCovers(scope, 'GONE-01', undefined)).toBe(true);
  });

  it('a former province name covers only that former province, not the others merged with it', () => {
    const scope = { type: 'province', province: 'Hậu Giang' } as const;
    expect(scopeCovers(scope, 'HG-WQ-01', SITES.viThanh)).toBe(true);
    expect(scopeCovers(scope, 'ST-WQ-01', SITES.socTrang)).toBe(false);
    expect(scopeCovers(scope, 'KG-WQ-01', SITES.rachGia)).toBe(false);
  });

  it('a current province name covers every former province merged into it', () => {
    const scope = { type: 'province', province: 'Cần Thơ' } as const;
    expect(scopeCovers(scope, 'HG-WQ-01', SITES.viThanh)).toBe(true);
    expect(scopeCovers(scope, 'ST-WQ-01', SITES.socTrang)).toBe(true);
    expect(scopeCovers(scope, 'KG-WQ-01', SITES.rachGia)).toBe(false);
  });

  it('province names match without diacritics, case or an administrative prefix', () => {
    expect(normalizePlaceName('Tỉnh  Hậu Giang')).toBe('hau giang');
    expect(normalizePlaceName('TP. Cần Thơ')).toBe('can tho');
    expect(normalizePlaceName('Đồng Tháp')).toBe('dong thap');
    expect(siteInProvince(SITES.viThanh, 'hau giang')).toBe(true);
    expect(siteInProvince(SITES.viThanh, 'Thành phố Cần Thơ')).toBe(true);
    expect(siteInProvince(SITES.viThanh, 'Kiên Giang')).toBe(false);
  });

  it('a province or rectangle cannot cover a site that is no longer registered', () => {
    expect(scopeCovers({ type: 'province', province: 'Hậu Giang' }, 'HG-WQ-01', undefined)).toBe(false);
    expect(scopeCovers({ type: 'rectangle', south: -90, west: -180, north: 90, east: 180 }, 'HG-WQ-01', undefined)).toBe(false);
  });

  it('a rectangle covers sites inside it, edges included', () => {
    const aroundViThanh = { type: 'rectangle', south: 9.7, west: 105.4, north: 9.9, east: 105.5 } as const;
    expect(scopeCovers(aroundViThanh, 'HG-WQ-01', SITES.viThanh)).toBe(true);
    expect(scopeCovers(aroundViThanh, 'KG-WQ-01', SITES.rachGia)).toBe(false);
    const edge = { type: 'rectangle', south: 9.783, west: 105.467, north: 9.783, east: 105.467 } as const;
    expect(scopeCovers(edge, 'HG-WQ-01', SITES.viThanh)).toBe(true);
  });
});

describe('severity', () => {
  it('passes alerts at or above the minimum', () => {
    expect(severityAtLeast('critical', 'major')).toBe(true);
    expect(severityAtLeast('major', 'major')).toBe(true);
    expect(severityAtLeast('minor', 'major')).toBe(false);
    expect(severityAtLeast('warning', 'warning')).toBe(true);
  });
});

describe('quiet hours (Asia/Ho_Chi_Minh)', () => {
  it('uses local time, not UTC', () => {
    // 14:05 local is 07:05 UTC: inside 14:00–15:00 local, outside it in UTC terms.
    expect(inQuietHours({ start: '14:00', end: '15:00' }, T0)).toBe(true);
    expect(inQuietHours({ start: '07:00', end: '08:00' }, T0)).toBe(false);
  });

  it('includes the start and excludes the end', () => {
    const hours = { start: '22:00', end: '23:00' };
    expect(inQuietHours(hours, local(22, 0))).toBe(true);
    expect(inQuietHours(hours, local(22, 59))).toBe(true);
    expect(inQuietHours(hours, local(23, 0))).toBe(false);
    expect(inQuietHours(hours, local(21, 59))).toBe(false);
  });

  it('spans midnight when start is after end', () => {
    const night = { start: '22:00', end: '06:00' };
    expect(inQuietHours(night, local(23, 30))).toBe(true);
    expect(inQuietHours(night, local(2, 0))).toBe(true);
    expect(inQuietHours(night, local(5, 59))).toBe(true);
    expect(inQuietHours(night, local(6, 0))).toBe(false);
    expect(inQuietHours(night, local(12, 0))).toBe(false);
  });

  it('holds back everything but critical', () => {
    const night = { start: '22:00', end: '06:00' };
    const at = local(2, 0);
    expect(silencedByQuietHours(night, 'major', at)).toBe(true);
    expect(silencedByQuietHours(night, 'warning', at)).toBe(true);
    expect(silencedByQuietHours(night, 'critical', at)).toBe(false);
    expect(silencedByQuietHours(null, 'warning', at)).toBe(false);
  });
});
