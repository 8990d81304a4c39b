/** The benchmark's printed table and its JSON document, built from the stage results. */
import type { MachineInfo } from '../machine.js';
import type { BenchOptions } from '../options.js';
import { formatProfileSummary, type ProfileSummary } from '../profile/summary.js';
import type { E2eResult } from '../stages/e2e.js';
import type { MemoryResult } from '../stages/memory.js';
import type { JudgedStep, SearchResult } from '../stages/rate-steps.js';
import { type BrokerRelayResult, LATENCY_RATE, type RelayResult } from '../stages/relay.js';
import type { StoreResult } from '../stages/store.js';
import { browserSection } from './browser-section.js';
import { fixed, formatTable, int, ms, msPair, percent, ratio } from './format.js';
import { checkTargets, e2eRatio, relayRatio, type StageResults, type TargetCheck } from './targets.js';

export type { StageResults } from './targets.js';

export interface ReportInput {
  readonly machine: MachineInfo;
  readonly options: BenchOptions;
  readonly results: StageResults;
  readonly errors: readonly { readonly stage: string; readonly error: string }[];
  readonly durationSec: number;
  readonly profiles: readonly ProfileSummary[];
  readonly pinned: boolean;
}

export interface Report {
  readonly text: string;
  readonly json: unknown;
}

/** The highest sustained rate, marked `≥` when the search stopped at the load generator's limit. */
function sustained(search: SearchResult | undefined): string {
  if (!search) return '–';
  if (search.maxSustained === undefined) return 'none';
  const capped = search.loadgenLimited || search.steps.every((step) => step.sustained);
  return `${capped ? '≥ ' : ''}${int(search.maxSustained)}`;
}

function latencyOf(step: JudgedStep | undefined): string {
  return step && step.latency.count > 0 ? msPair(step.latency.p50, step.latency.p99) : '–';
}

function cpuOf(step: JudgedStep | undefined): string {
  return step ? percent(step.targetCpuPercent) : '–';
}

function rssOf(step: JudgedStep | undefined): string {
  return step ? int(step.targetRssKb / 1024) : '–';
}

function relaySection(relay: RelayResult): string[][] {
  const brokers = relay.brokers;
  const ours = brokers.find((b) => b.broker === 'ours');
  const header = ['', ...brokers.map((b) => b.label), 'ours / Aedes'];
  const cells = (value: (b: BrokerRelayResult) => string, ratioCell = '') => [...brokers.map(value), ratioCell];
  const rows: string[][] = [
    [`Broker relay — ${int(relay.publishers)} publishers → 1 subscriber, ${relay.payloadBytes}-byte payloads, TCP_NODELAY`],
    header,
  ];
  for (const qos of [0, 1] as const) {
    const key = qos === 0 ? 'qos0' : 'qos1';
    rows.push(
      [`QoS ${qos} max sustained (msg/s)`, ...cells((b) => sustained(b[key]), ratio(relayRatio(relay, qos)))],
      ['  p50 / p99 at that rate (ms)', ...cells((b) => latencyOf(b[key].atMax))],
      ['  broker CPU at that rate', ...cells((b) => cpuOf(b[key].atMax))],
      ['  broker RSS at that rate (MB)', ...cells((b) => rssOf(b[key].atMax))],
      [`  p50 / p99 at ${int(LATENCY_RATE)} msg/s (ms)`, ...cells((b) => latencyOf(b[key].atLatencyRate))],
    );
  }
  rows.push(
    ['Overload: QoS 1 at 2× own sustainable rate', ...cells(() => '')],
    ['  offered (msg/s)', ...cells((b) => int(b.overload?.offeredRate))],
    ['  delivered (msg/s)', ...cells((b) => int(b.overload?.deliveredRate))],
    ['  delivered / sustainable', ...cells((b) => percent(b.overload ? 100 * b.overload.deliveredFraction : undefined))],
    ['  worst second (msg/s)', ...cells((b) => int(b.overload?.worstSecondRate))],
    ['  RSS start → peak (MB)', ...cells((b) => (b.overload ? `${int(b.overload.rssStartMb)} → ${int(b.overload.rssPeakMb)}` : '–'))],
    [
      '  RSS peak, middle → last third (MB)',
      ...cells((b) =>
        b.overload ? `${int(b.overload.rssMiddlePeakMb)} → ${int(b.overload.rssLastPeakMb)}${b.overload.bounded ? '' : ' growing'}` : '–',
      ),
    ],
  );
  for (const skipped of relay.skipped) rows.push([`(${skipped.broker} skipped: ${skipped.reason})`]);
  if (ours && ours.closedConnections > 0) rows.push([`(our broker closed ${ours.closedConnections} connections during the run)`]);
  return rows;
}

function e2eSection(e2e: E2eResult, results: StageResults): string[][] {
  const rows: string[][] = [
    ['End to end — devices → broker → ingest → store → web → socket.io, QoS 1, every reading counted'],
    ['', ...e2e.variants.map((v) => `platform/main.ts, ${v.store} store`)],
    ['devices', ...e2e.variants.map((v) => int(v.devices))],
    ['max sustained, zero loss (readings/s)', ...e2e.variants.map((v) => sustained(v.search))],
    ['  vs plain Aedes QoS 1 relay', ...e2e.variants.map((v) => (v.store === 'embedded' ? ratio(e2eRatio(results)) : '–'))],
    ['  p50 / p99 at that rate (ms)', ...e2e.variants.map((v) => latencyOf(v.search.atMax))],
    ['  platform CPU at that rate', ...e2e.variants.map((v) => cpuOf(v.search.atMax))],
    ['  platform RSS at that rate (MB)', ...e2e.variants.map((v) => rssOf(v.search.atMax))],
    ['p50 / p99 at 2,000 readings/s (ms)', ...e2e.variants.map((v) => latencyOf(v.atLatencyRate))],
    [
      'published / stored / rejected / dropped',
      ...e2e.variants.map((v) => `${int(v.published)} / ${int(v.stored)} / ${int(v.rejected)} / ${int(v.dropped)}`),
    ],
  ];
  for (const skipped of e2e.skipped) rows.push([`(${skipped.store} skipped: ${skipped.reason})`]);
  return rows;
}

function storeSection(store: StoreResult): string[][] {
  return [
    [`Store — embedded DuckDB, ${int(store.args.sites)} sites × ${store.args.days} days of 1-minute readings (4 metrics)`],
    ['', 'value'],
    [`insert, ${int(store.seed.batchReadings)}-reading batches (rows/s)`, int(store.seed.rowsPerSec)],
    ...store.extra.map((extra) => [`insert, ${int(extra.batchReadings)}-reading batches (rows/s)`, int(extra.rowsPerSec)]),
    ['rows stored / file size (MB)', `${int(store.totalRows)} / ${int(store.fileMb)}`],
    [`7-day query, one site, ${int(store.query.points)} points (ms)`, `median ${ms(store.query.medianMs)}, p95 ${ms(store.query.p95Ms)}`],
    ['  first query (cold) / slowest (ms)', `${ms(store.query.coldMs)} / ${ms(store.query.maxMs)}`],
  ];
}

function memorySection(memory: MemoryResult): string[][] {
  const rows: string[][] = [
    [`Memory — split processes, ${int(memory.connect.connected)} idle device connections (own token, Last Will, keepalive 60 s)`],
    ['', 'baseline (MB)', `+${int(memory.devices)} sites (MB)`, 'connected (MB)', 'KiB / connection'],
    ...memory.services.map((s) => [
      s.service,
      int(s.baselineMb),
      int(s.registeredMb),
      int(s.connectedMb),
      s.service === 'broker' ? fixed(memory.brokerKbPerConnection) : '',
    ]),
    ...memory.comparison.map((c) => [
      `${c.broker} (no auth), for comparison`,
      '',
      int(c.beforeMb),
      int(c.afterMb),
      fixed(c.kbPerConnection),
    ]),
    [
      `registration through the admin API: ${fixed(memory.registrationSec)} s; connecting: ${fixed(memory.connect.ms / 1000)} s; broker counted ${int(memory.brokerConnectedDevices)} devices`,
    ],
  ];
  if (memory.cappedBecause) rows.push([`(${int(memory.devices)} of ${int(memory.requestedDevices)} devices: ${memory.cappedBecause})`]);
  if (memory.connect.retried > 0 || memory.connect.failed > 0) {
    rows.push([
      `(${int(memory.connect.retried)} devices connected only on a retry, ${int(memory.connect.failed)} never: ${memory.connect.errors.join('; ')})`,
    ]);
  }
  return rows;
}

function targetsSection(checks: readonly TargetCheck[]): string[][] {
  return [['Targets'], ['', 'figure', 'result'], ...checks.map((check) => [check.target, check.figure, check.verdict])];
}

export function buildReport(input: ReportInput): Report {
  const { machine, results } = input;
  const checks = checkTargets(results);
  const sections: string[][][] = [];
  if (results.relay) sections.push(relaySection(results.relay));
  if (results.e2e) sections.push(e2eSection(results.e2e, results));
  if (results.store) sections.push(storeSection(results.store));
  if (results.memory) sections.push(memorySection(results.memory));
  if (results.browser)
    sections.push('skipped' in results.browser ? [[`Browser map — skipped: ${results.browser.skipped}`]] : browserSection(results.browser));
  sections.push(targetsSection(checks));
  const title = [
    `Mekong IOC benchmark${input.options.quick ? ' (--quick: smoke run, figures less stable)' : ''} — ${new Date().toISOString()}, ${fixed(input.durationSec / 60)} min`,
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${fixed(machine.memoryGb)} GB RAM, Node ${machine.node}, ${machine.platform}; load average at start ${machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
    input.pinned ? 'targets pinned to CPU 0, load generator to CPU 1 (taskset)' : 'no CPU pinning',
  ];
  const errors = input.errors.map((e) => `stage ${e.stage} FAILED: ${e.error.split('\n')[0]}`);
  const profiles = input.profiles.map(formatProfileSummary);
  const text = [
    title.join('\n'),
    ...sections.map((rows) => formatTable(rows)),
    ...errors,
    ...(profiles.length ? ['CPU profiles', ...profiles] : []),
  ].join('\n\n');
  const json = {
    generatedAt: new Date().toISOString(),
    durationSec: input.durationSec,
    machine,
    options: { ...input.options, stages: [...input.options.stages], brokers: [...input.options.brokers] },
    pinned: input.pinned,
    targets: checks,
    results,
    errors: input.errors,
    profiles: input.profiles,
  };
  return { text, json };
}
