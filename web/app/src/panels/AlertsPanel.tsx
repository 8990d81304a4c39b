/**
 * The live alerts panel: every active (and cleared-but-unacknowledged) alert, most severe first,
 * unacknowledged before acknowledged, newest first; counts per severity; a severity filter from the
 * header; the way into the alert history. On a phone it is a full-screen tab.
 */
import type { Alert, AlertSeverity } from '../../../../common/alerts.js';
import { ALERT_SEVERITIES } from '../../../../common/alerts.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { useNow } from '../live/use-now.js';
import { SEVERITY_COLOR } from '../model/colors.js';
import type { SiteModel } from '../model/site-model.js';
import { AlertCard } from './AlertCard.js';

/** Cards rendered at most; the rest are counted (the history view lists everything). */
const MAX_CARDS = 200;

export interface AlertsPanelProps {
  readonly model: SiteModel;
  readonly version: number;
  readonly available: boolean;
  readonly severityFilter: AlertSeverity | null;
  readonly onSeverityFilter: (severity: AlertSeverity | null) => void;
  readonly onJump: (siteId: string) => void;
  readonly onChanged: (alert: Alert) => void;
  readonly onHistory: () => void;
}

export function AlertsPanel({ model, available, severityFilter, onSeverityFilter, onJump, onChanged, onHistory }: AlertsPanelProps) {
  const { t, fmt, severityLabel } = useI18n();
  const now = useNow(10_000);
  const all = model.alerts.panel();
  const counts = model.alerts.counts();
  const shown = severityFilter ? all.filter((alert) => alert.severity === severityFilter) : all;
  return (
    <aside className="side-panel alerts-panel" aria-label={t('activeAlerts')}>
      <div className="alerts-head">
        <h2>
          {t('activeAlerts')} <span className="alerts-total">{fmt.count(all.length)}</span>
        </h2>
        <button type="button" className="link-button" onClick={onHistory}>
          {t('alertHistory')}
        </button>
      </div>
      <fieldset className="chips alerts-filter">
        <legend className="visually-hidden">{t('severity')}</legend>
        <button type="button" className="chip" aria-pressed={severityFilter === null} onClick={() => onSeverityFilter(null)}>
          {t('allSeverities')}
        </button>
        {ALERT_SEVERITIES.map((severity) => (
          <button
            key={severity}
            type="button"
            className="chip"
            aria-pressed={severityFilter === severity}
            onClick={() => onSeverityFilter(severityFilter === severity ? null : severity)}
          >
            <span className="chip-dot" style={{ background: SEVERITY_COLOR[severity] }} />
            {severityLabel[severity]} {fmt.count(counts[severity])}
          </button>
        ))}
      </fieldset>
      {!available && <p className="panel-note">{t('alertsUnavailable')}</p>}
      <div className="alerts-list" aria-live="polite" aria-relevant="additions">
        {available && shown.length === 0 && <p className="muted empty">{t('noActiveAlerts')}</p>}
        {shown.slice(0, MAX_CARDS).map((alert) => (
          <AlertCard
            key={alert.id}
            alert={alert}
            siteName={model.site(alert.siteId)?.name}
            now={now}
            onJump={onJump}
            onChanged={onChanged}
          />
        ))}
        {shown.length > MAX_CARDS && <p className="muted empty">+{fmt.count(shown.length - MAX_CARDS)}</p>}
      </div>
    </aside>
  );
}
