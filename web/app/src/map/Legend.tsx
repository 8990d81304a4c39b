/** Map legend: shapes per kind, salinity steps, VN_WQI bands, alert rings and device status; collapsible. */
import { ALERT_SEVERITIES } from '../../../../common/alerts.js';
import { SITE_KINDS, type SiteStatus } from '../../../../common/sites.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { WQI_BAND_LABELS } from '../i18n/messages.js';
import { NEUTRAL_FILL, SALINITY_COLORS, SEVERITY_COLOR, STATUS_COLOR, WQI_BANDS } from '../model/colors.js';
import { SiteIcon } from './SiteIcon.js';

const STATUSES: readonly SiteStatus[] = ['online', 'stale', 'offline', 'maintenance', 'unknown'];
const WQI_RANGES = ['91–100', '76–90', '51–75', '26–50', '10–25', '< 10'];

export function Legend() {
  const { t, language, kindLabel, severityLabel, statusLabel } = useI18n();
  return (
    <details className="map-legend" open={typeof window === 'undefined' || window.innerHeight >= 1000}>
      <summary>{t('legend')}</summary>
      <div className="legend-grid">
        <section>
          <h3>{t('legendKinds')}</h3>
          <ul>
            {SITE_KINDS.map((kind) => (
              <li key={kind}>
                <SiteIcon kind={kind} fill={NEUTRAL_FILL} />
                {kindLabel[kind]}
              </li>
            ))}
          </ul>
          <h3>{t('legendSeverity')}</h3>
          <ul>
            {ALERT_SEVERITIES.map((severity) => (
              <li key={severity}>
                <span className="legend-ring" style={{ borderColor: SEVERITY_COLOR[severity] }} />
                {severityLabel[severity]}
              </li>
            ))}
          </ul>
        </section>
        <section>
          <h3>{t('legendSalinity')}</h3>
          <ul>
            {['< 1', '1 – 4', '≥ 4'].map((range, index) => (
              <li key={range}>
                <span className="legend-swatch diamond" style={{ background: SALINITY_COLORS[index] }} />
                {range} ‰
              </li>
            ))}
          </ul>
          <h3>{t('legendWqi')}</h3>
          <ul>
            {WQI_BANDS.map((band, index) => (
              <li key={band.color}>
                <span className="legend-swatch round" style={{ background: band.color }} />
                {WQI_RANGES[index]} {WQI_BAND_LABELS[language][index]}
              </li>
            ))}
          </ul>
          <h3>{t('legendStatus')}</h3>
          <ul className="legend-inline">
            {STATUSES.map((status) => (
              <li key={status}>
                <span className="legend-swatch" style={{ background: STATUS_COLOR[status] }} />
                {statusLabel[status]}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </details>
  );
}
