/**
 * The threshold lines of a site's charts, from the alert rules that apply to it (`/api/rules`,
 * `/api/rule-presets`): threshold rules scoped to the site or its kind, and the threshold entries
 * of the presets it opts into, with the site's overrides merged (a band replaces the preset band
 * of the same severity and direction; a site-scoped preset rule wins over a kind-scoped one of the
 * same preset). Disabled rules draw nothing. Pure.
 */

import { bandDirection, type Preset, type RuleDefinition, type SeverityBand } from '../../../../common/alert-rules.js';
import type { AlertSeverity } from '../../../../common/alerts.js';
import type { SiteKind } from '../../../../common/sites.js';

/** One line: a raise threshold of a severity, in the metric's unit. */
export interface RuleThreshold {
  readonly metric: string;
  readonly value: number;
  readonly severity: AlertSeverity;
}

const applies = (rule: RuleDefinition, site: { id: string; kind: SiteKind }) =>
  rule.scope.sites ? rule.scope.sites.includes(site.id) : rule.scope.kind === site.kind;

function mergeBands(preset: readonly SeverityBand[], overrides: readonly SeverityBand[] | undefined): SeverityBand[] {
  if (!overrides) return [...preset];
  const key = (band: SeverityBand) => `${band.severity}:${bandDirection(band.op)}`;
  const replaced = new Set(overrides.map(key));
  return [...preset.filter((band) => !replaced.has(key(band))), ...overrides];
}

/** Every threshold band that applies to the site, per metric. */
export function ruleThresholds(
  site: { id: string; kind: SiteKind },
  rules: readonly RuleDefinition[],
  presets: readonly Preset[],
): RuleThreshold[] {
  const lines: RuleThreshold[] = [];
  const presetRules = new Map<string, RuleDefinition & { condition: 'preset' }>();
  for (const rule of rules) {
    if (!rule.enabled || !applies(rule, site)) continue;
    if (rule.condition === 'threshold') {
      for (const band of rule.bands) lines.push({ metric: rule.metric, value: band.value, severity: band.severity });
    } else if (rule.condition === 'preset') {
      const held = presetRules.get(rule.preset);
      if (!held || (held.scope.sites === undefined && rule.scope.sites !== undefined)) presetRules.set(rule.preset, rule);
    }
  }
  for (const rule of presetRules.values()) {
    const preset = presets.find((candidate) => candidate.id === rule.preset);
    for (const entry of preset?.rules ?? []) {
      if (entry.condition !== 'threshold') continue;
      const override = rule.overrides[entry.key];
      if (override?.enabled === false) continue;
      for (const band of mergeBands(entry.bands, override?.bands))
        lines.push({ metric: entry.metric, value: band.value, severity: band.severity });
    }
  }
  const seen = new Set<string>();
  return lines.filter((line) => {
    const key = `${line.metric}:${line.value}:${line.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
