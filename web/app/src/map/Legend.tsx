/** Map legend: marker shape per kind of site and colour per status. */
import { SITE_KINDS, type SiteStatus } from '../../../../common/sites.js';
import { KIND_LABEL, STATUS_LABEL, TEXT } from '../text.js';
import { markerSvg, STATUS_COLOR } from './marker-icons.js';

const STATUSES: readonly SiteStatus[] = ['online', 'stale', 'offline', 'maintenance', 'unknown'];

export function Legend() {
  return (
    <section className="map-legend" aria-label={TEXT.legend}>
      <h2>{TEXT.legendKinds}</h2>
      <ul>
        {SITE_KINDS.map((kind) => (
          <li key={kind}>
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: static SVG built from enums */}
            <span className="legend-icon" dangerouslySetInnerHTML={{ __html: markerSvg(kind, 'unknown', 18) }} />
            {KIND_LABEL[kind]}
          </li>
        ))}
      </ul>
      <h2>{TEXT.legendStatus}</h2>
      <ul>
        {STATUSES.map((status) => (
          <li key={status}>
            <span className="legend-swatch" style={{ background: STATUS_COLOR[status] }} />
            {STATUS_LABEL[status]}
          </li>
        ))}
      </ul>
    </section>
  );
}
