/**
 * The site drawer: identity and province (2025 and former), status, live values with units and
 * freshness, VN_WQI (indicative), the site's alerts, camera snapshot and events, and history charts
 * per metric with 6 h / 24 h / 7 d / 30 d presets, shared zoom, threshold lines and CSV export of
 * exactly what is shown. In replay mode the charts end at the replayed moment.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Alert } from '../../../../common/alerts.js';
import { isMetricId, METRIC_IDS, METRICS, type MetricGroup } from '../../../../common/metrics.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { WQI_BAND_LABELS } from '../i18n/messages.js';
import { useNow } from '../live/use-now.js';
import { SiteIcon } from '../map/SiteIcon.js';
import { NEUTRAL_FILL, SEVERITY_BY_RANK, WQI_BANDS, wqiBand } from '../model/colors.js';
import { historyCsv, isoVietnam } from '../model/csv.js';
import { downloadCsv } from '../model/download-csv.js';
import { type SiteModel, STATUS_CODES } from '../model/site-model.js';
import { AlertCard } from '../panels/AlertCard.js';
import { CameraView } from './CameraView.js';
import { HistoryChart, type ThresholdLine } from './HistoryChart.js';
import { RANGES, type RangeKey, thresholdColor, thresholdsByMetric, useSiteHistory } from './use-site-history.js';

const GROUP_ORDER: readonly MetricGroup[] = ['water', 'traffic', 'device'];
const catalogIndex = new Map<string, number>(METRIC_IDS.map((id, index) => [id, index]));
/** Charts shown at most (water quality first). */
const MAX_CHARTS = 8;

function metricRank(metric: string): number {
  const index = catalogIndex.get(metric);
  if (index === undefined || !isMetricId(metric)) return Number.MAX_SAFE_INTEGER;
  return GROUP_ORDER.indexOf(METRICS[metric].group) * 1000 + index;
}

export interface SiteDrawerProps {
  readonly model: SiteModel;
  readonly version: number;
  readonly siteId: string;
  readonly replayAt: number | null;
  readonly onClose: () => void;
  readonly onAlertChanged: (alert: Alert) => void;
}

export function SiteDrawer({ model, siteId, replayAt, onClose, onAlertChanged }: SiteDrawerProps) {
  const { t, fmt, language, kindLabel, statusLabel, severityLabel } = useI18n();
  const now = useNow(1000);
  const [range, setRange] = useState<RangeKey>('24h');
  const [zoom, setZoom] = useState<{ from: number; to: number } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const site = model.site(siteId);
  const index = model.byId.get(siteId) ?? -1;
  // The metric set changes rarely: its sorted key keeps the list (and the charts' requests) stable.
  const metricKey = site ? Object.keys(site.latest).sort().join(',') : '';
  const metrics = useMemo(
    () =>
      metricKey
        .split(',')
        .filter(Boolean)
        .sort((a, b) => metricRank(a) - metricRank(b) || a.localeCompare(b)),
    [metricKey],
  );
  const chartMetrics = metrics.slice(0, MAX_CHARTS);
  const history = useSiteHistory({ id: siteId, kind: site?.kind ?? 'water-quality' }, chartMetrics, range, replayAt);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new range or site resets the zoom
  useEffect(() => {
    setZoom(null);
  }, [range, siteId]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus the heading when another site opens
  useEffect(() => heading.current?.focus(), [siteId]);

  const thresholds = useMemo(() => {
    const lines = new Map<string, ThresholdLine[]>();
    if (history.kind !== 'ready') return lines;
    for (const [metric, values] of thresholdsByMetric(history.thresholds)) {
      lines.set(
        metric,
        values.map(({ value, severity }) => ({
          value,
          color: thresholdColor(severity),
          label: `${severityLabel[severity]} ${fmt.metric(metric, value).value}`,
        })),
      );
    }
    return lines;
  }, [history, fmt, severityLabel]);

  if (!site) return null;
  const visual = model.visual;
  const status = STATUS_CODES[visual.status[index] ?? 4] ?? 'unknown';
  const severity = SEVERITY_BY_RANK[visual.severity[index] ?? 0] ?? null;
  const moved = site.province.former !== site.province.current;
  const siteAlerts = model.alerts.ofSite(site.id);
  const end = replayAt ?? now;

  const exportCsv = () => {
    if (history.kind !== 'ready') return;
    const from = zoom?.from ?? end - RANGES[range];
    const to = zoom?.to ?? end;
    const stamp = isoVietnam(from).slice(0, 16).replace(/[-:T]/g, '');
    downloadCsv(`${site.id}_${stamp}_${range}.csv`, historyCsv(site.id, history.series, from, to));
  };

  return (
    <aside className="site-drawer" aria-labelledby="drawer-title" data-site-id={site.id} data-status={status}>
      <header className="drawer-head">
        <SiteIcon kind={site.kind} fill={visual.fill[index] ?? NEUTRAL_FILL} severity={severity} size={30} />
        <div className="drawer-title">
          <h2 id="drawer-title" tabIndex={-1} ref={heading}>
            {site.name}
          </h2>
          <div className="muted">
            <code>{site.id}</code> · {kindLabel[site.kind]}
          </div>
        </div>
        <span className={`status-pill status-${status}`}>{statusLabel[status]}</span>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('close')}>
          ×
        </button>
      </header>
      <div className="drawer-body">
        <dl className="drawer-meta">
          <dt>{t('province')}</dt>
          <dd>
            {site.province.current}
            {moved && (
              <span className="muted">
                {' '}
                ({t('formerProvince')}: {site.province.former})
              </span>
            )}
          </dd>
          <dt>{t('lastSeen')}</dt>
          <dd className="drawer-last-seen">
            {site.lastSeen === null ? t('never') : `${fmt.dateTime(site.lastSeen)} · ${fmt.ago(site.lastSeen, now)}`}
          </dd>
          <dt>{t('interval')}</dt>
          <dd>{t('seconds', { n: fmt.count(site.reportingIntervalSec) })}</dd>
        </dl>

        {site.kind === 'water-quality' && site.wqi !== null && (
          <div
            className="wqi-badge"
            title={t('wqiTitle')}
            style={{ background: WQI_BANDS[wqiBand(site.wqi)]?.color, color: WQI_BANDS[wqiBand(site.wqi)]?.text }}
          >
            <span className="wqi-value">VN_WQI {Math.round(site.wqi)}</span>
            <span>{WQI_BAND_LABELS[language][wqiBand(site.wqi)]}</span>
            <span className="wqi-note">({t('wqiIndicative')})</span>
          </div>
        )}

        <section className="drawer-section">
          <h3>{t('liveValues')}</h3>
          {metrics.length === 0 ? (
            <p className="muted">{t('noValues')}</p>
          ) : (
            <table className="values-table">
              <tbody>
                {metrics.map((metric) => {
                  const latest = site.latest[metric];
                  if (!latest) return null;
                  const shown = fmt.metric(metric, latest.value, latest.unit);
                  const ageMs = now - latest.ts;
                  const fresh = ageMs <= 2 * site.reportingIntervalSec * 1000;
                  return (
                    <tr key={metric} data-metric={metric}>
                      <th scope="row">{shown.label}</th>
                      <td className="value">
                        <span key={latest.ts} className="value-flash">
                          {shown.value}
                        </span>
                      </td>
                      <td className="unit">{shown.unit}</td>
                      <td className={`age ${fresh ? 'fresh' : 'old'}`} title={fmt.dateTime(latest.ts)}>
                        {fmt.ago(latest.ts, now)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>

        <section className="drawer-section">
          <h3>{t('siteAlerts')}</h3>
          {siteAlerts.length === 0 ? (
            <p className="muted">{t('noSiteAlerts')}</p>
          ) : (
            siteAlerts.map((alert) => (
              <AlertCard
                key={alert.id}
                alert={alert}
                siteName={site.name}
                now={now}
                onJump={() => undefined}
                onChanged={onAlertChanged}
                compact
              />
            ))
          )}
        </section>

        {site.kind === 'camera' && <CameraView siteId={site.id} siteName={site.name} snapshotUrl={site.snapshotUrl} />}

        <section className="drawer-section history">
          <div className="history-head">
            <h3>{t('history')}</h3>
            <fieldset className="range-buttons">
              <legend className="visually-hidden">{t('history')}</legend>
              {(Object.keys(RANGES) as RangeKey[]).map((key) => (
                <button key={key} type="button" aria-pressed={range === key} data-range={key} onClick={() => setRange(key)}>
                  {t(`range${key}` as 'range6h')}
                </button>
              ))}
            </fieldset>
          </div>
          <div className="history-tools">
            {zoom ? (
              <button type="button" className="link-button" onClick={() => setZoom(null)}>
                {t('resetZoom')} ({fmt.shortDateTime(zoom.from)} – {fmt.shortDateTime(zoom.to)})
              </button>
            ) : (
              <span className="muted small">{t('zoomHint')}</span>
            )}
            <button type="button" onClick={exportCsv} disabled={history.kind !== 'ready'} className="export-csv">
              {t('exportCsv')}
            </button>
          </div>
          {history.kind === 'loading' && <p className="muted">{t('chartLoading')}</p>}
          {history.kind === 'error' && (
            <p className="form-error" role="alert">
              {t('chartFailed')}: {history.message}
            </p>
          )}
          {history.kind === 'ready' &&
            history.series.map((series) => {
              const shown = fmt.metric(series.metric, 0);
              return (
                <figure key={series.metric} className="chart-block">
                  <figcaption>
                    <strong>{shown.label}</strong> {shown.unit && <span className="muted">({shown.unit})</span>}
                    {series.points.length === 0 && <span className="muted"> — {t('chartEmpty')}</span>}
                  </figcaption>
                  {series.points.length > 0 && (
                    <HistoryChart series={series} thresholds={thresholds.get(series.metric) ?? []} zoom={zoom} onZoom={setZoom} />
                  )}
                </figure>
              );
            })}
        </section>
      </div>
    </aside>
  );
}
