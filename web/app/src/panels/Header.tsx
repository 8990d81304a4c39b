/**
 * The header of the operations screen: brand, KPIs (sites online / stale / offline, active alerts
 * by severity, readings per minute), live-feed state, clock (Vietnam time), the sound switch, the
 * language switch and the user. In replay mode the figures are those of the replayed moment.
 */
import { ALERT_SEVERITIES, type AlertSeverity } from '../../../../common/alerts.js';
import type { UserInfo } from '../../../../common/api.js';
import type { SiteStatus } from '../../../../common/sites.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { LanguageSwitch } from '../i18n/LanguageSwitch.js';
import type { Connection } from '../live/live-controller.js';
import { useNow } from '../live/use-now.js';
import { SEVERITY_COLOR, SEVERITY_TEXT, STATUS_COLOR } from '../model/colors.js';

/** A bell, struck through when muted (inline SVG: no icon font or emoji font needed). */
function BellIcon({ muted }: { muted: boolean }) {
  return (
    <svg
      viewBox="0 0 24 24"
      width="18"
      height="18"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
    >
      <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z" fill={muted ? 'none' : 'currentColor'} fillOpacity="0.25" />
      <path d="M10 20a2 2 0 0 0 4 0" />
      {muted && <path d="M4 4l16 16" stroke="#ff8a80" />}
    </svg>
  );
}

const KPI_STATUSES: readonly SiteStatus[] = ['online', 'stale', 'offline'];

export interface HeaderProps {
  readonly user: UserInfo | undefined;
  readonly statusCounts: Record<SiteStatus, number>;
  readonly alertCounts: Record<AlertSeverity, number>;
  readonly readingsPerMinute: number | undefined;
  readonly connection: Connection;
  readonly replayAt: number | null;
  readonly muted: boolean;
  readonly onToggleSound: () => void;
  readonly onAlertsClick: (severity: AlertSeverity) => void;
  readonly onLogout: () => void;
}

export function Header(props: HeaderProps) {
  const { t, fmt, statusLabel, severityLabel } = useI18n();
  const now = useNow(1000);
  const total = Object.values(props.statusCounts).reduce((sum, n) => sum + n, 0);
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <div>
          <div className="brand-name">{t('appName')}</div>
          <div className="brand-sub">{t('appSubtitle')}</div>
        </div>
      </div>
      <div className="kpis">
        <section className="kpi-group" aria-label={t('kpiSites')}>
          <span className="kpi-title">
            {t('kpiSites')} <strong>{fmt.count(total)}</strong>
          </span>
          <ul>
            {KPI_STATUSES.map((status) => (
              <li key={status} className="kpi" data-status={status} title={statusLabel[status]}>
                <span className="kpi-dot" style={{ background: STATUS_COLOR[status] }} />
                <span className="kpi-label">{statusLabel[status]}</span>
                <span className="kpi-value">{fmt.count(props.statusCounts[status])}</span>
              </li>
            ))}
          </ul>
        </section>
        <section className="kpi-group" aria-label={t('kpiAlerts')}>
          <span className="kpi-title">{t('kpiAlerts')}</span>
          <ul>
            {ALERT_SEVERITIES.map((severity) => (
              <li key={severity}>
                <button
                  type="button"
                  className={`kpi-sev ${props.alertCounts[severity] > 0 ? 'has' : ''}`}
                  data-severity={severity}
                  style={props.alertCounts[severity] > 0 ? { background: SEVERITY_COLOR[severity], color: SEVERITY_TEXT[severity] } : {}}
                  title={severityLabel[severity]}
                  onClick={() => props.onAlertsClick(severity)}
                >
                  <span className="kpi-label">{severityLabel[severity]}</span>
                  <span className="kpi-value">{fmt.count(props.alertCounts[severity])}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section className="kpi-group kpi-rate" title={t('kpiReadingsTitle')}>
          <span className="kpi-title">{t('kpiReadings')}</span>
          <span className="kpi-big" data-kpi="readings-per-minute">
            {props.readingsPerMinute === undefined ? '—' : fmt.count(props.readingsPerMinute)}
          </span>
        </section>
      </div>
      <div className="header-right">
        {props.replayAt !== null ? (
          <span className="live-state live-replay" role="status">
            <span className="live-dot" />
            {t('replaying')} {fmt.shortDateTime(props.replayAt)}
          </span>
        ) : (
          <span className={`live-state live-${props.connection}`} role="status" data-connection={props.connection}>
            <span className="live-dot" />
            {props.connection === 'live'
              ? t('liveConnected')
              : props.connection === 'connecting'
                ? t('liveConnecting')
                : t('liveDisconnected')}
          </span>
        )}
        <span className="clock" title={t('clockTitle')}>
          {fmt.clock(now)}
        </span>
        <button
          type="button"
          className="icon-button sound-toggle"
          aria-pressed={!props.muted}
          aria-label={props.muted ? t('soundOn') : t('soundOff')}
          title={props.muted ? t('soundOn') : t('soundOff')}
          onClick={props.onToggleSound}
        >
          <BellIcon muted={props.muted} />
        </button>
        <LanguageSwitch />
        {props.user && <span className="user">{props.user.username}</span>}
        <button type="button" className="logout" onClick={props.onLogout}>
          {t('logout')}
        </button>
      </div>
    </header>
  );
}
