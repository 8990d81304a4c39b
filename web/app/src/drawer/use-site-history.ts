/**
 * Loads the history charts of a site: one downsampled series per metric over the chosen range, and
 * the thresholds its alerts crossed (drawn as lines), refreshed every minute for short ranges.
 */
import { useEffect, useState } from 'react';
import { presetListResponseSchema, ruleListResponseSchema } from '../../../../common/alert-rules.js';
import { type Alert, severityRank } from '../../../../common/alerts.js';
import { type HistorySeries, historySeriesSchema } from '../../../../common/api.js';
import type { SiteKind } from '../../../../common/sites.js';
import { listAlerts } from '../api/alerts-api.js';
import { getJson } from '../api/http.js';
import { SEVERITY_COLOR } from '../model/colors.js';
import { type RuleThreshold, ruleThresholds } from './rule-thresholds.js';

export const RANGES = { '6h': 6 * 3600_000, '24h': 24 * 3600_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type RangeKey = keyof typeof RANGES;
/** Buckets per chart: about one per two pixels of a drawer chart. */
const MAX_POINTS = 500;
const REFRESH_MS = 60_000;

export type HistoryState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'ready'; readonly series: readonly HistorySeries[]; readonly thresholds: readonly RuleThreshold[] };

/** How long the rule list is reused between drawers, ms. */
const RULES_TTL_MS = 60_000;
let rulesCache:
  | {
      at: number;
      load: Promise<{ rules: Awaited<ReturnType<typeof fetchRules>>['rules']; presets: Awaited<ReturnType<typeof fetchRules>>['presets'] }>;
    }
  | undefined;

async function fetchRules() {
  const [rules, presets] = await Promise.all([
    getJson('/api/rules', ruleListResponseSchema),
    getJson('/api/rule-presets', presetListResponseSchema),
  ]);
  return { rules: rules.rules.map((record) => record.rule), presets: presets.presets };
}

/** The alert rules and presets (cached for a minute); empty when the alert engine is not there. */
function rulesAndPresets() {
  if (!rulesCache || Date.now() - rulesCache.at > RULES_TTL_MS) {
    rulesCache = { at: Date.now(), load: fetchRules().catch(() => ({ rules: [], presets: [] })) };
  }
  return rulesCache.load;
}

/**
 * Thresholds per metric: the rules' bands and the thresholds the site's alerts crossed, one line per
 * distinct (value, severity), worst severity first.
 */
export function thresholdsByMetric(lines: readonly RuleThreshold[]): Map<string, Array<{ value: number; severity: Alert['severity'] }>> {
  const byMetric = new Map<string, Map<number, Alert['severity']>>();
  for (const line of lines) {
    const values = byMetric.get(line.metric) ?? new Map<number, Alert['severity']>();
    const held = values.get(line.value);
    if (!held || severityRank(line.severity) > severityRank(held)) values.set(line.value, line.severity);
    byMetric.set(line.metric, values);
  }
  return new Map(
    [...byMetric].map(([metric, lines]) => [
      metric,
      [...lines].map(([value, severity]) => ({ value, severity })).sort((a, b) => severityRank(b.severity) - severityRank(a.severity)),
    ]),
  );
}

export const thresholdColor = (severity: Alert['severity']): string => SEVERITY_COLOR[severity];

/** Threshold lines from the site's alerts (what the engine actually used). */
export function alertThresholds(alerts: readonly Alert[]): RuleThreshold[] {
  return alerts.flatMap((alert) =>
    alert.metric === null || alert.threshold === null ? [] : [{ metric: alert.metric, value: alert.threshold, severity: alert.severity }],
  );
}

export function useSiteHistory(
  site: { id: string; kind: SiteKind },
  metrics: readonly string[],
  range: RangeKey,
  endAt: number | null,
): HistoryState {
  const siteId = site.id;
  const kind = site.kind;
  const [state, setState] = useState<HistoryState>({ kind: 'loading' });
  const metricKey = metrics.join(',');
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const to = endAt ?? Date.now();
      const from = to - RANGES[range];
      try {
        const [series, alerts, rules] = await Promise.all([
          Promise.all(
            metricKey
              .split(',')
              .filter(Boolean)
              .map((metric) =>
                getJson(
                  `/api/sites/${encodeURIComponent(siteId)}/readings?metric=${metric}&from=${from}&to=${to}&maxPoints=${MAX_POINTS}`,
                  historySeriesSchema,
                  controller.signal,
                ),
              ),
          ),
          listAlerts({ site: siteId, from: to - RANGES['30d'] }, controller.signal).catch(() => [] as Alert[]),
          rulesAndPresets(),
        ]);
        const thresholds = [...ruleThresholds({ id: siteId, kind }, rules.rules, rules.presets), ...alertThresholds(alerts)];
        setState({ kind: 'ready', series, thresholds });
      } catch (error) {
        if (!controller.signal.aborted) setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      }
      if (!controller.signal.aborted && endAt === null && RANGES[range] <= RANGES['24h']) timer = setTimeout(() => void load(), REFRESH_MS);
    };
    setState({ kind: 'loading' });
    void load();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [siteId, kind, metricKey, range, endAt]);
  return state;
}
