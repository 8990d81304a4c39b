/**
 * The issue's performance targets, checked against a run's results. Each is PASS or MISS next to
 * its figure, or `n/a` when its stage did not run or could not measure it. They are targets for
 * the benchmark, never test assertions.
 */
import { LONG_TASK_TARGET_MS } from '../browser/browser-bench.js';
import type { BrowserResult } from '../stages/browser.js';
import type { E2eResult } from '../stages/e2e.js';
import type { MemoryResult } from '../stages/memory.js';
import { type BrokerRelayResult, LATENCY_RATE, type RelayResult } from '../stages/relay.js';
import type { StoreResult } from '../stages/store.js';
import { int, ms, percent, ratio } from './format.js';

export interface StageResults {
  relay?: RelayResult;
  e2e?: E2eResult;
  store?: StoreResult;
  memory?: MemoryResult;
  browser?: BrowserResult;
}

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface TargetCheck {
  readonly id: string;
  readonly target: string;
  /** The measured figure as printed. */
  readonly figure: string;
  readonly verdict: Verdict;
}

/** Target thresholds (issue 6). */
export const TARGETS = {
  relayRatio: 0.9,
  relayP99Ms: 5,
  overloadFraction: 0.8,
  e2eRatio: 0.75,
  e2eP99Ms: 300,
  insertRowsPerSec: 300_000,
  historyQueryMs: 100,
  kbPerConnection: 40,
} as const;

function plural(count: number, noun: string): string {
  return `${int(count)} ${noun}${count === 1 ? '' : 's'}`;
}

function verdict(ok: boolean | undefined): Verdict {
  return ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS';
}

function broker(relay: RelayResult | undefined, kind: BrokerRelayResult['broker']): BrokerRelayResult | undefined {
  return relay?.brokers.find((b) => b.broker === kind);
}

/** ours / plain Aedes of the highest sustained rates at one QoS. */
export function relayRatio(relay: RelayResult | undefined, qos: 0 | 1): number | undefined {
  const ours = broker(relay, 'ours')?.[qos === 0 ? 'qos0' : 'qos1'].maxSustained;
  const aedes = broker(relay, 'aedes')?.[qos === 0 ? 'qos0' : 'qos1'].maxSustained;
  return ours !== undefined && aedes !== undefined && aedes > 0 ? ours / aedes : undefined;
}

/** End-to-end sustained readings/s over plain Aedes' QoS 1 relay rate of the same run. */
export function e2eRatio(results: StageResults): number | undefined {
  const e2e = results.e2e?.variants.find((v) => v.store === 'embedded')?.search.maxSustained;
  const aedes = broker(results.relay, 'aedes')?.qos1.maxSustained;
  return e2e !== undefined && aedes !== undefined && aedes > 0 ? e2e / aedes : undefined;
}

export function checkTargets(results: StageResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const ours = broker(results.relay, 'ours');
  for (const qos of [0, 1] as const) {
    const value = relayRatio(results.relay, qos);
    checks.push({
      id: `relay-ratio-qos${qos}`,
      target: `our broker ≥ ${TARGETS.relayRatio}× plain Aedes, QoS ${qos}`,
      figure: ratio(value),
      verdict: verdict(value === undefined ? undefined : value >= TARGETS.relayRatio),
    });
  }
  for (const qos of [0, 1] as const) {
    const step = ours?.[qos === 0 ? 'qos0' : 'qos1'].atLatencyRate;
    const p99 = step && step.latency.count > 0 ? step.latency.p99 : undefined;
    checks.push({
      id: `relay-p99-qos${qos}`,
      target: `our p99 relay latency ≤ ${TARGETS.relayP99Ms} ms at ${int(LATENCY_RATE)} msg/s, QoS ${qos}`,
      figure: p99 === undefined ? '–' : `${ms(p99)} ms${step?.sustained ? '' : ' (rate not sustained)'}`,
      verdict: verdict(p99 === undefined || !step ? undefined : p99 <= TARGETS.relayP99Ms && step.sustained),
    });
  }
  const overload = ours?.overload;
  checks.push({
    id: 'overload',
    target: `no collapse: at 2× its sustainable rate our broker delivers ≥ ${TARGETS.overloadFraction * 100} % of it, memory bounded`,
    figure: overload
      ? `${percent(100 * overload.deliveredFraction)}, RSS ${int(overload.rssMiddlePeakMb)} → ${int(overload.rssLastPeakMb)} MB ${overload.bounded ? '(levelled off)' : '(growing)'}`
      : '–',
    verdict: verdict(overload ? overload.deliveredFraction >= TARGETS.overloadFraction && overload.bounded : undefined),
  });
  const embedded = results.e2e?.variants.find((v) => v.store === 'embedded');
  const e2eValue = e2eRatio(results);
  checks.push({
    id: 'e2e-ratio',
    target: `end-to-end ≥ ${TARGETS.e2eRatio}× plain Aedes' QoS 1 relay rate, zero loss`,
    figure: e2eValue === undefined ? '–' : `${ratio(e2eValue)} (${int(embedded?.search.maxSustained)} readings/s)`,
    verdict: verdict(e2eValue === undefined ? undefined : e2eValue >= TARGETS.e2eRatio),
  });
  const e2eLatency = embedded?.atLatencyRate;
  const e2eP99 = e2eLatency && e2eLatency.latency.count > 0 ? e2eLatency.latency.p99 : undefined;
  checks.push({
    id: 'e2e-p99',
    target: `p99 publish → socket.io ≤ ${TARGETS.e2eP99Ms} ms at 2,000 readings/s`,
    figure: e2eP99 === undefined ? '–' : `${ms(e2eP99)} ms${e2eLatency?.lost ? `, ${int(e2eLatency.lost)} lost` : ''}`,
    verdict: verdict(e2eP99 === undefined || !e2eLatency ? undefined : e2eP99 <= TARGETS.e2eP99Ms && e2eLatency.lost === 0),
  });
  const insert = results.store?.seed.rowsPerSec;
  checks.push({
    id: 'store-insert',
    target: `store insert ≥ ${int(TARGETS.insertRowsPerSec)} rows/s`,
    figure: insert === undefined ? '–' : `${int(insert)} rows/s`,
    verdict: verdict(insert === undefined ? undefined : insert >= TARGETS.insertRowsPerSec),
  });
  const query = results.store?.query.medianMs;
  checks.push({
    id: 'store-query',
    target: `7-day history query ≤ ${TARGETS.historyQueryMs} ms (median)`,
    figure: query === undefined ? '–' : `${ms(query)} ms (p95 ${ms(results.store?.query.p95Ms)})`,
    verdict: verdict(query === undefined ? undefined : query <= TARGETS.historyQueryMs),
  });
  const perConnection = results.memory?.brokerKbPerConnection;
  checks.push({
    id: 'memory-per-connection',
    target: `broker ≤ ${TARGETS.kbPerConnection} KB RSS per idle connection`,
    figure: perConnection === undefined ? '–' : `${perConnection.toFixed(1)} KiB`,
    verdict: verdict(perConnection === undefined || Number.isNaN(perConnection) ? undefined : perConnection <= TARGETS.kbPerConnection),
  });
  const browser = results.browser && !('skipped' in results.browser) ? results.browser : undefined;
  const longest = browser ? Math.max(0, ...browser.views.map((view) => view.longestTaskMs)) : undefined;
  const longTasks = browser?.views.reduce((sum, view) => sum + view.longTasks, 0);
  checks.push({
    id: 'browser-long-tasks',
    target: `map: no long task > ${LONG_TASK_TARGET_MS} ms at ${int(browser?.options.sites ?? 20_000)} sites and ${int(browser?.options.rate ?? 1_000)} updates/s`,
    figure: browser ? `longest ${int(longest)} ms, ${plural(longTasks ?? 0, 'long task')}` : '–',
    verdict: verdict(browser ? browser.passed : undefined),
  });
  return checks;
}
