/** How an alert reads in the panel, the drawer and the history: value against threshold with units. */
import type { Alert } from '../../../../common/alerts.js';
import type { I18n } from '../i18n/I18nProvider.js';

/** `DO 2,85 mg/L (ngưỡng 3,50)` / `DO 2.85 mg/L (threshold 3.50)`, or the rule name alone. */
export function alertValueText(alert: Alert, i18n: Pick<I18n, 'fmt' | 't'>): string {
  const { fmt, t } = i18n;
  if (alert.metric === null || alert.lastValue === null) return '';
  const shown = fmt.metric(alert.metric, alert.lastValue, alert.unit);
  const unit = shown.unit ? ` ${shown.unit}` : '';
  const threshold =
    alert.threshold === null
      ? ''
      : ` (${t('threshold').toLowerCase()} ${fmt.metric(alert.metric, alert.threshold, alert.unit).value}${unit})`;
  return `${shown.label} ${shown.value}${unit}${threshold}`;
}
