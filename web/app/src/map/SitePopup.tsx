/**
 * Popup content of one site: identity, province (current and pre-2025), status, last report and
 * the latest value of every metric with its catalog label, unit and decimals. It re-renders with
 * the site, so values change live while the popup is open.
 */
import type { SiteSummary } from '../../../../common/api.js';
import { METRIC_IDS, METRICS, type MetricGroup } from '../../../../common/metrics.js';
import type { SiteStatus } from '../../../../common/sites.js';
import { describeMetric, formatAgo, formatDateTime } from '../format.js';
import { useNow } from '../live/use-now.js';
import { KIND_LABEL, STATUS_LABEL, TEXT } from '../text.js';
import { markerSvg } from './marker-icons.js';

const GROUP_ORDER: readonly MetricGroup[] = ['water', 'traffic', 'device'];
const catalogIndex = new Map<string, number>(METRIC_IDS.map((id, index) => [id, index]));

/** Order of rows: water quality first, then traffic, then device health; catalog order inside a group. */
function metricRank(metric: string): number {
  const index = catalogIndex.get(metric);
  if (index === undefined) return Number.MAX_SAFE_INTEGER;
  const group = GROUP_ORDER.indexOf(METRICS[metric as keyof typeof METRICS].group);
  return group * 1000 + index;
}

export interface SitePopupProps {
  readonly site: SiteSummary;
  readonly status: SiteStatus;
}

export function SitePopup({ site, status }: SitePopupProps) {
  const now = useNow(1000);
  const rows = Object.entries(site.latest).sort(([a], [b]) => metricRank(a) - metricRank(b) || a.localeCompare(b));
  const moved = site.province.former !== site.province.current;
  return (
    <div className="site-popup" data-site-id={site.id} data-status={status}>
      <div className="site-popup-head">
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: static SVG built from enums, no user text */}
        <span className="site-popup-icon" dangerouslySetInnerHTML={{ __html: markerSvg(site.kind, status, 28) }} />
        <div className="site-popup-title">
          <div className="site-popup-name">{site.name}</div>
          <div className="site-popup-id">
            <code>{site.id}</code> · {KIND_LABEL[site.kind]}
          </div>
        </div>
        <span className={`status-pill status-${status}`}>{STATUS_LABEL[status]}</span>
      </div>
      <dl className="site-popup-meta">
        <dt>{TEXT.province}</dt>
        <dd>
          {site.province.current}
          {moved && (
            <span className="muted">
              {' '}
              ({TEXT.formerProvince}: {site.province.former})
            </span>
          )}
        </dd>
        <dt>{TEXT.lastSeen}</dt>
        <dd className="site-popup-last-seen">
          {site.lastSeen === null ? (
            TEXT.never
          ) : (
            <>
              {formatDateTime(site.lastSeen)} <span className="muted">· {formatAgo(site.lastSeen, now)}</span>
            </>
          )}
        </dd>
        <dt>{TEXT.interval}</dt>
        <dd>{site.reportingIntervalSec} s</dd>
      </dl>
      {rows.length === 0 ? (
        <p className="site-popup-empty">{TEXT.noValues}</p>
      ) : (
        <table className="site-popup-values">
          <tbody>
            {rows.map(([metric, latest]) => {
              const shown = describeMetric(metric, latest.value, latest.unit);
              return (
                <tr key={metric} data-metric={metric} title={formatDateTime(latest.ts)}>
                  <th scope="row">{shown.label}</th>
                  <td className="value">
                    <span key={latest.ts} className="value-flash">
                      {shown.value}
                    </span>
                  </td>
                  <td className="unit">{shown.unit}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {site.kind === 'camera' && site.snapshotUrl && (
        <figure className="site-popup-snapshot">
          <img
            src={site.snapshotUrl}
            alt={`${TEXT.snapshot}: ${site.name}`}
            loading="lazy"
            onError={(event) => {
              event.currentTarget.parentElement?.setAttribute('hidden', '');
            }}
          />
        </figure>
      )}
    </div>
  );
}
