/** An alert as the engine sends it, with overridable fields (tests only). */
import type { Alert } from '../../../../common/alerts.js';

export function alert(overrides: Partial<Alert> & Pick<Alert, 'id'>): Alert {
  return {
    siteId: 'KG-WQ-01',
    ruleId: 'do-low',
    ruleName: { vi: 'Oxy hòa tan thấp', en: 'Low dissolved oxygen' },
    condition: 'threshold',
    metric: 'do',
    unit: 'mg/L',
    severity: 'major',
    state: 'ACTIVE_UNACK',
    threshold: 3.5,
    peakValue: 2.1,
    lastValue: 2.4,
    raisedAt: 1000,
    updatedAt: 1000,
    clearedAt: null,
    ackedAt: null,
    ackedBy: null,
    comments: [],
    ...overrides,
  };
}
