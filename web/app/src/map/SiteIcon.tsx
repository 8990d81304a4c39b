/** A site's marker as inline SVG for lists, the legend and the drawer (the map itself draws on canvas). */
import type { AlertSeverity } from '../../../../common/alerts.js';
import type { SiteKind } from '../../../../common/sites.js';
import { SEVERITY_COLOR } from '../model/colors.js';

const SHAPES: Readonly<Record<SiteKind, (r: number) => string>> = {
  'water-quality': (r) => `M ${12 + r} 12 A ${r} ${r} 0 1 1 ${12 - r} 12 A ${r} ${r} 0 1 1 ${12 + r} 12 Z`,
  salinity: (r) => {
    const d = r * 1.22;
    return `M 12 ${12 - d} L ${12 + d} 12 L 12 ${12 + d} L ${12 - d} 12 Z`;
  },
  camera: (r) => {
    const s = r * 0.92;
    return `M ${12 - s + 3} ${12 - s} H ${12 + s - 3} Q ${12 + s} ${12 - s} ${12 + s} ${12 - s + 3} V ${12 + s - 3} Q ${12 + s} ${12 + s} ${12 + s - 3} ${12 + s} H ${12 - s + 3} Q ${12 - s} ${12 + s} ${12 - s} ${12 + s - 3} V ${12 - s + 3} Q ${12 - s} ${12 - s} ${12 - s + 3} ${12 - s} Z`;
  },
};

export interface SiteIconProps {
  readonly kind: SiteKind;
  readonly fill: string;
  readonly severity?: AlertSeverity | null | undefined;
  readonly size?: number;
  readonly faded?: boolean;
}

export function SiteIcon({ kind, fill, severity, size = 18, faded = false }: SiteIconProps) {
  return (
    <svg className="site-icon" viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false">
      {severity && <path d={SHAPES[kind](10.8)} fill={SEVERITY_COLOR[severity]} stroke="rgba(20,20,20,.55)" strokeWidth="0.8" />}
      <path d={SHAPES[kind](severity ? 7 : 8.5)} fill={fill} stroke="#fff" strokeWidth="1.6" opacity={faded ? 0.55 : 1} />
    </svg>
  );
}
