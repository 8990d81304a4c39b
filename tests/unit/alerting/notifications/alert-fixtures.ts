/** Alerts, changes, sites and subscriptions for notification tests. */
import type { Alert, AlertChange, AlertChangeKind } from '../../../../common/alerts.js';
import type { Subscription, SubscriptionInput } from '../../../../common/notifications.js';
import type { Site } from '../../../../common/sites.js';

/** 2025-11-22 07:05 UTC = 14:05 in Asia/Ho_Chi_Minh. */
export const T0 = Date.UTC(2025, 10, 22, 7, 5, 0);
export const MINUTE = 60_000;

export const SITES: Readonly<Record<'rachGia' | 'viThanh' | 'socTrang', Site>> = {
  rachGia: {
    id: 'KG-WQ-01',
    name: 'Rạch Giá estuary',
    kind: 'water-quality',
    lat: 10.012,
    lon: 105.078,
    province: { former: 'Kiên Giang', current: 'An Giang' },
    reportingIntervalSec: 60,
  },
  viThanh: {
    id: 'HG-WQ-01',
    name: 'Vị Thanh, Xà No canal',
    kind: 'water-quality',
    lat: 9.783,
    lon: 105.467,
    province: { former: 'Hậu Giang', current: 'Cần Thơ' },
    reportingIntervalSec: 60,
  },
  socTrang: {
    id: 'ST-WQ-01',
    name: 'Sóc Trăng shrimp ponds',
    kind: 'water-quality',
    lat: 9.6,
    lon: 105.97,
    province: { former: 'Sóc Trăng', current: 'Cần Thơ' },
    reportingIntervalSec: 60,
  },
};

export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'alert-1',
    siteId: 'KG-WQ-01',
    ruleId: 'do-low',
    ruleName: { vi: 'Oxy hòa tan thấp', en: 'Low dissolved oxygen' },
    condition: 'threshold',
    metric: 'do',
    unit: 'mg/L',
    severity: 'critical',
    state: 'ACTIVE_UNACK',
    threshold: 3.5,
    peakValue: 2.1,
    lastValue: 2.1,
    raisedAt: T0,
    updatedAt: T0,
    clearedAt: null,
    ackedAt: null,
    ackedBy: null,
    comments: [],
    ...overrides,
  };
}

export function change(kind: AlertChangeKind, overrides: Partial<Alert> = {}): AlertChange {
  return { change: kind, alert: makeAlert(overrides) };
}

export function makeSubscription(
  overrides: Partial<SubscriptionInput> & Partial<Pick<Subscription, 'id' | 'username'>> = {},
): Subscription {
  const { id, username, ...input } = overrides;
  return {
    id: id ?? 'sub-1',
    username: username ?? 'officer',
    scope: { type: 'sites', siteIds: ['KG-WQ-01'] },
    minSeverity: 'warning',
    channels: [{ type: 'in-app' }],
    quietHours: null,
    language: 'vi',
    escalationLevel: 1,
    enabled: true,
    createdAt: T0,
    updatedAt: T0,
    ...input,
  };
}
