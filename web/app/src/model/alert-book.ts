/**
 * The live set of alerts the operator must see: active ones (unacknowledged or acknowledged) and
 * those that cleared before anyone acknowledged them. Fed by the REST list at start and after a
 * reconnect, then by socket.io `alert` changes; a change older than what is held (by `updatedAt`)
 * is ignored, so a late REST answer never rolls an alert back. Pure data (no DOM).
 */
import { type Alert, type AlertSeverity, isActiveState, severityRank } from '../../../../common/alerts.js';

/** States the live panel lists. */
export const PANEL_STATES: ReadonlySet<Alert['state']> = new Set(['ACTIVE_UNACK', 'ACTIVE_ACK', 'CLEARED_UNACK']);

export type AlertCounts = Record<AlertSeverity, number>;

/** Orders the panel: most severe first; within a severity, unacknowledged first, then newest first. */
export function compareForPanel(a: Alert, b: Alert): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    Number(a.state !== 'ACTIVE_UNACK') - Number(b.state !== 'ACTIVE_UNACK') ||
    b.raisedAt - a.raisedAt ||
    a.id.localeCompare(b.id)
  );
}

/** Worst active severity rank per site (4 = critical … 1 = warning; absent = none). */
export function worstRankBySite(alerts: Iterable<Alert>): Map<string, number> {
  const worst = new Map<string, number>();
  for (const alert of alerts) {
    if (!isActiveState(alert.state)) continue;
    const rank = severityRank(alert.severity);
    if (rank > (worst.get(alert.siteId) ?? 0)) worst.set(alert.siteId, rank);
  }
  return worst;
}

/** Active alerts per severity. */
export function countActive(alerts: Iterable<Alert>): AlertCounts {
  const counts: AlertCounts = { critical: 0, major: 0, minor: 0, warning: 0 };
  for (const alert of alerts) if (isActiveState(alert.state)) counts[alert.severity] += 1;
  return counts;
}

export class AlertBook {
  private readonly byId = new Map<string, Alert>();
  private cachedPanel: Alert[] | undefined;
  private cachedWorst: Map<string, number> | undefined;
  /** Increases on every change. */
  version = 0;

  /**
   * Applies one alert (REST or live). Returns true when something changed. Alerts that left the
   * panel's states are dropped.
   */
  apply(alert: Alert): boolean {
    const held = this.byId.get(alert.id);
    if (held && held.updatedAt > alert.updatedAt) return false;
    if (held && held.updatedAt === alert.updatedAt && held.state === alert.state && held.comments.length === alert.comments.length) {
      return false;
    }
    if (PANEL_STATES.has(alert.state)) this.byId.set(alert.id, alert);
    else if (held) this.byId.delete(alert.id);
    else return false;
    this.changed();
    return true;
  }

  /** Merges a REST list of current alerts; alerts held but absent from it are dropped (they ended meanwhile). */
  replaceAll(alerts: readonly Alert[]): void {
    const listed = new Set(alerts.map((alert) => alert.id));
    for (const id of [...this.byId.keys()]) if (!listed.has(id)) this.byId.delete(id);
    for (const alert of alerts) {
      const held = this.byId.get(alert.id);
      if (held && held.updatedAt > alert.updatedAt) continue;
      if (PANEL_STATES.has(alert.state)) this.byId.set(alert.id, alert);
      else this.byId.delete(alert.id);
    }
    this.changed();
  }

  get(id: string): Alert | undefined {
    return this.byId.get(id);
  }

  /** The panel's alerts in panel order (cached until the next change). */
  panel(): readonly Alert[] {
    this.cachedPanel ??= [...this.byId.values()].sort(compareForPanel);
    return this.cachedPanel;
  }

  /** Worst active severity rank per site (cached until the next change). */
  worstBySite(): ReadonlyMap<string, number> {
    this.cachedWorst ??= worstRankBySite(this.byId.values());
    return this.cachedWorst;
  }

  counts(): AlertCounts {
    return countActive(this.byId.values());
  }

  /** Panel alerts of one site, in panel order. */
  ofSite(siteId: string): Alert[] {
    return this.panel().filter((alert) => alert.siteId === siteId);
  }

  private changed(): void {
    this.cachedPanel = undefined;
    this.cachedWorst = undefined;
    this.version += 1;
  }
}
