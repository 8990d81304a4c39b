/**
 * Stage 1 — broker relay and overload. For each broker (ours with authentication, ACL and metrics;
 * plain Aedes with no hooks; Mosquitto when installed) in its own process on the target CPU:
 * 1,000 publishers → 1 subscriber, at QoS 0 and QoS 1, search the highest rate delivered without a
 * growing backlog, measure latency at a fixed 10,000 messages/s, then offer twice the QoS 1
 * sustainable rate and see whether delivery holds with bounded memory.
 */
import fs from 'node:fs';
import { type BenchContext, profiled, TARGET_CPU } from '../context.js';
import type { BrokerTargetInfo } from '../load/bench-sites.js';
import type { ConnectResult, StepArgs, StepResult } from '../load/protocol.js';
import type { ManagedChild } from '../proc/children.js';
import { progress } from '../progress.js';
import { RELAY_CRITERIA, roundRate, type SearchPlan } from '../stats/rate-search.js';
import { describeStep, type JudgedStep, judged, type SearchResult, searchMaxRate, withoutSamples } from './rate-steps.js';

export type BrokerKind = 'ours' | 'aedes' | 'mosquitto';

export const BROKER_LABELS: Readonly<Record<BrokerKind, string>> = {
  ours: 'IocBroker (auth, ACL, metrics)',
  aedes: 'plain Aedes 1.2',
  mosquitto: 'Mosquitto',
};

/** Rate of the fixed-rate latency measurement, messages/s. */
export const LATENCY_RATE = 10_000;
/** Payload of a relayed message, bytes (a telemetry JSON message is about this size). */
const PAYLOAD_BYTES = 96;

export interface OverloadResult {
  /** The broker's own sustainable QoS 1 rate, messages/s. */
  readonly sustainedRate: number;
  readonly offeredRate: number;
  /** Delivered over the whole window, messages/s. */
  readonly deliveredRate: number;
  /** deliveredRate / sustainedRate. */
  readonly deliveredFraction: number;
  /** Lowest delivery rate over one second after the first, messages/s. */
  readonly worstSecondRate: number;
  readonly rssStartMb: number;
  readonly rssPeakMb: number;
  /** Highest resident memory in the middle and in the last third of the window, MB. */
  readonly rssMiddlePeakMb: number;
  readonly rssLastPeakMb: number;
  /** Memory levelled off: the last third's peak is at most {@link BOUNDED_GROWTH} × the middle third's. */
  readonly bounded: boolean;
  readonly step: JudgedStep;
  /** Delivered messages/s per sample interval, for the report. */
  readonly deliveredTimeline: readonly { readonly t: number; readonly rate: number; readonly rssMb: number }[];
}

export interface BrokerRelayResult {
  readonly broker: BrokerKind;
  readonly label: string;
  readonly connect: ConnectResult;
  readonly qos0: QosRelayResult;
  readonly qos1: QosRelayResult;
  readonly overload: OverloadResult | undefined;
  /** Connections the broker closed during the measurements (should be 0). */
  readonly closedConnections: number;
}

export interface QosRelayResult extends SearchResult {
  /** The fixed-rate step at {@link LATENCY_RATE}. */
  readonly atLatencyRate: JudgedStep | undefined;
}

export interface RelayResult {
  readonly publishers: number;
  readonly payloadBytes: number;
  readonly brokers: readonly BrokerRelayResult[];
  /** Brokers not measured, with why. */
  readonly skipped: readonly { readonly broker: BrokerKind; readonly reason: string }[];
}

/**
 * Memory counts as bounded when its peak in the last third of the overload window is at most this
 * many times the middle third's: a queue growing without limit keeps climbing (1.5 times as high
 * at the end as two thirds in, for a steady leak), a bounded one has levelled off by then (the
 * buffers fill in the first seconds). GC makes RSS swing by tens of MB, so a slope over a few
 * seconds would say little.
 */
export const BOUNDED_GROWTH = 1.15;

interface Timing {
  readonly stepMs: number;
  readonly latencyMs: number;
  readonly overloadMs: number;
  readonly drainMs: number;
}

function timing(quick: boolean): Timing {
  return quick
    ? { stepMs: 1_500, latencyMs: 2_000, overloadMs: 6_000, drainMs: 3_000 }
    : { stepMs: 2_500, latencyMs: 5_000, overloadMs: 15_000, drainMs: 5_000 };
}

/**
 * The rate search. The QoS 1 search starts from half the QoS 0 result (`hint`): QoS 1 costs more
 * per message, so it will not be much higher, and starting near it saves steps.
 */
function searchPlan(quick: boolean, hint: number | undefined): SearchPlan {
  const startRate = Math.max(quick ? 4_000 : 5_000, hint === undefined ? 0 : roundRate(hint / 2));
  return { startRate, factor: 2, maxRate: 160_000, minRate: 250, resolution: 0.15, maxSteps: quick ? 6 : 8 };
}

async function startBroker(context: BenchContext, kind: BrokerKind): Promise<{ child: ManagedChild; info: BrokerTargetInfo }> {
  const devices = String(context.options.publishers);
  if (kind === 'mosquitto') {
    return context.children.startNode<BrokerTargetInfo>({
      name: 'relay-mosquitto',
      script: 'bench/targets/mosquitto-target.ts',
      args: [context.options.mosquitto, devices, context.children.tempDir('mekong-bench-mosquitto-')],
      cpu: TARGET_CPU,
    });
  }
  return context.children.startNode<BrokerTargetInfo>({
    name: `relay-${kind}`,
    script: 'bench/targets/broker-target.ts',
    args: [kind === 'ours' ? 'ioc' : 'aedes', devices, context.children.tempDir('mekong-bench-broker-')],
    cpu: TARGET_CPU,
  });
}

/** The broker under test; replaced by {@link RelayTarget.restart} when a collapsed broker cannot work off its backlog. */
class RelayTarget {
  private constructor(
    private readonly context: BenchContext,
    readonly kind: BrokerKind,
    private child: ManagedChild,
    readonly connect: ConnectResult,
  ) {}

  static async start(context: BenchContext, kind: BrokerKind): Promise<RelayTarget> {
    const { child, info } = await startBroker(context, kind);
    try {
      return new RelayTarget(context, kind, child, await connectPublishers(context, kind, info));
    } catch (error) {
      await child.stop();
      throw error;
    }
  }

  /** Stops the broker, starts a fresh one with the same devices, and reconnects the load. */
  async restart(): Promise<void> {
    await this.context.loadgen.call('relay.disconnect', null, 60_000);
    await this.child.stop();
    const { child, info } = await startBroker(this.context, this.kind);
    this.child = child;
    await connectPublishers(this.context, this.kind, info);
    // A short unjudged step so the next measured one does not meet a cold JIT.
    await this.context.loadgen.call('relay.step', { rate: 2_000, durationMs: 1_500, drainMs: 2_000, qos: 0, sampleMs: 250 }, 60_000);
  }

  /** Runs `measure` profiled (with --profile) unless the broker is not a Node process. */
  profiled<T>(label: string, measure: () => Promise<T>): Promise<T> {
    return this.kind === 'mosquitto' ? measure() : profiled(this.context, this.child, label, measure);
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

/** Connects the load generator's publishers and subscriber to a broker; throws when any publisher is refused. */
async function connectPublishers(context: BenchContext, kind: BrokerKind, info: BrokerTargetInfo): Promise<ConnectResult> {
  const connect = await context.loadgen.call<ConnectResult>(
    'relay.connect',
    { broker: info, publishers: context.options.publishers, payloadBytes: PAYLOAD_BYTES },
    180_000,
  );
  progress(
    `relay ${kind}: ${connect.connected} publishers connected in ${(connect.ms / 1000).toFixed(1)} s${connect.failed ? `, ${connect.failed} failed: ${connect.errors.join('; ')}` : ''}`,
  );
  if (connect.failed > 0) throw new Error(`${connect.failed} publishers could not connect to ${kind}: ${connect.errors.join('; ')}`);
  return connect;
}

async function measureQos(context: BenchContext, target: RelayTarget, qos: 0 | 1, t: Timing, hint?: number): Promise<QosRelayResult> {
  const kind = target.kind;
  const label = `relay ${kind} QoS ${qos}`;
  const step: Omit<StepArgs, 'rate'> = { durationMs: t.stepMs, drainMs: t.drainMs, qos, sampleMs: 250 };
  const search = await searchMaxRate({
    label,
    loadgen: context.loadgen,
    method: 'relay.step',
    plan: searchPlan(context.options.quick, hint),
    restart: () => target.restart(),
    criteria: RELAY_CRITERIA,
    step,
    // The first search warms the broker up (JIT); the second finds it warm.
    ...(qos === 0 ? { warmup: { rate: 2_000, durationMs: t.stepMs } } : {}),
  });
  const latencyStep = await target.profiled(`qos${qos}-${LATENCY_RATE}`, () =>
    context.loadgen.call<StepResult>(
      'relay.step',
      { ...step, durationMs: t.latencyMs, rate: LATENCY_RATE },
      t.latencyMs + t.drainMs + 60_000,
    ),
  );
  const atLatencyRate = judged(latencyStep, RELAY_CRITERIA);
  progress(describeStep(`${label} latency`, atLatencyRate));
  return { ...search, atLatencyRate };
}

async function measureOverload(context: BenchContext, target: RelayTarget, sustainedRate: number, t: Timing): Promise<OverloadResult> {
  const offeredRate = 2 * sustainedRate;
  const result = await target.profiled('overload', () =>
    context.loadgen.call<StepResult>(
      'relay.step',
      // The broker is stopped right after: no need to wait for its backlog.
      { rate: offeredRate, durationMs: t.overloadMs, drainMs: 1_000, qos: 1, sampleMs: 250 },
      t.overloadMs + 60_000,
    ),
  );
  return summariseOverload(result, sustainedRate);
}

/** Delivery rate and memory growth of an overload step from its timeline. */
export function summariseOverload(result: StepResult, sustainedRate: number): OverloadResult {
  const inWindow = result.samples.filter((sample) => sample.t <= result.windowSec + 0.02);
  const timeline = inWindow.slice(1).map((sample, i) => {
    const previous = inWindow[i] ?? sample;
    const dt = sample.t - previous.t;
    return { t: sample.t, rate: dt > 0 ? (sample.delivered - previous.delivered) / dt : 0, rssMb: sample.targetRssKb / 1024 };
  });
  let worstSecondRate = Number.POSITIVE_INFINITY;
  for (const sample of inWindow) {
    if (sample.t < 1) continue;
    const secondAgo = [...inWindow].reverse().find((earlier) => earlier.t <= sample.t - 1 + 1e-3);
    if (!secondAgo) continue;
    worstSecondRate = Math.min(worstSecondRate, (sample.delivered - secondAgo.delivered) / (sample.t - secondAgo.t));
  }
  const rss = inWindow.map((sample) => sample.targetRssKb / 1024);
  const third = result.windowSec / 3;
  const peakBetween = (from: number, to: number) =>
    Math.max(...inWindow.filter((sample) => sample.t >= from && sample.t < to).map((sample) => sample.targetRssKb / 1024));
  const middlePeak = peakBetween(third, 2 * third);
  const lastPeak = peakBetween(2 * third, Number.POSITIVE_INFINITY);
  const deliveredRate = result.deliveredInWindow / result.windowSec;
  return {
    sustainedRate,
    offeredRate: result.rate,
    deliveredRate,
    deliveredFraction: deliveredRate / sustainedRate,
    worstSecondRate: Number.isFinite(worstSecondRate) ? worstSecondRate : deliveredRate,
    rssStartMb: rss[0] ?? Number.NaN,
    rssPeakMb: Math.max(...rss),
    rssMiddlePeakMb: middlePeak,
    rssLastPeakMb: lastPeak,
    bounded: lastPeak <= BOUNDED_GROWTH * middlePeak,
    step: { ...withoutSamples(result), sustained: false, reasons: ['overload'] },
    deliveredTimeline: timeline,
  };
}

async function measureBroker(context: BenchContext, kind: BrokerKind, t: Timing): Promise<BrokerRelayResult> {
  progress(`relay: starting ${BROKER_LABELS[kind]}`);
  const target = await RelayTarget.start(context, kind);
  try {
    const connect = target.connect;
    const qos0 = await measureQos(context, target, 0, t);
    const qos1 = await measureQos(context, target, 1, t, qos0.maxSustained);
    let overload: OverloadResult | undefined;
    if (qos1.maxSustained !== undefined) {
      overload = await measureOverload(context, target, qos1.maxSustained, t);
      progress(
        `relay ${kind} overload ${overload.offeredRate.toLocaleString('en-US')}/s offered: delivered ${Math.round(overload.deliveredRate).toLocaleString('en-US')}/s (${(100 * overload.deliveredFraction).toFixed(0)} % of sustainable), worst second ${Math.round(overload.worstSecondRate).toLocaleString('en-US')}/s, RSS ${overload.rssStartMb.toFixed(0)} → ${overload.rssPeakMb.toFixed(0)} MB`,
      );
    }
    const status = await context.loadgen.call<{ closedConnections: number }>('relay.status');
    await context.loadgen.call('relay.disconnect', null, 60_000);
    return { broker: kind, label: BROKER_LABELS[kind], connect, qos0, qos1, overload, closedConnections: status.closedConnections };
  } finally {
    await target.stop();
  }
}

export async function runRelayStage(context: BenchContext): Promise<RelayResult> {
  const t = timing(context.options.quick);
  const kinds: BrokerKind[] = (['ours', 'aedes'] as const).filter((kind) => context.options.brokers.has(kind));
  const skipped: { broker: BrokerKind; reason: string }[] = [];
  if (context.options.brokers.has('mosquitto')) {
    if (fs.existsSync(context.options.mosquitto)) kinds.push('mosquitto');
    else skipped.push({ broker: 'mosquitto', reason: `${context.options.mosquitto} not found (Debian package mosquitto)` });
  }
  const brokers: BrokerRelayResult[] = [];
  for (const kind of kinds) brokers.push(await measureBroker(context, kind, t));
  return { publishers: context.options.publishers, payloadBytes: PAYLOAD_BYTES, brokers, skipped };
}
