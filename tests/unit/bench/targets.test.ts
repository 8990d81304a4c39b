import { describe, expect, it } from 'vitest';
import type { StepResult } from '../../../bench/load/protocol.js';
import { checkTargets, e2eRatio, relayRatio, type StageResults } from '../../../bench/report/targets.js';
import type { E2eVariantResult } from '../../../bench/stages/e2e.js';
import { deviceCap } from '../../../bench/stages/memory.js';
import { metricTotal } from '../../../bench/stages/platform-api.js';
import {
  backlogGrowthPerSec,
  generatorSaturated,
  type JudgedStep,
  looksDisturbed,
  type SearchResult,
} from '../../../bench/stages/rate-steps.js';
import { type BrokerRelayResult, summariseOverload } from '../../../bench/stages/relay.js';

function step(overrides: Partial<JudgedStep> = {}): JudgedStep {
  return {
    rate: 10_000,
    qos: 1,
    windowSec: 3,
    offered: 30_000,
    sent: 30_000,
    skipped: 0,
    unsent: 0,
    acked: 30_000,
    deliveredInWindow: 30_000,
    delivered: 30_000,
    backlogAtEnd: 0,
    lost: 0,
    duplicates: 0,
    late: 0,
    drainMs: 1,
    latency: { count: 30_000, min: 0.1, mean: 1, p50: 0.8, p90: 2, p99: 4, max: 9 },
    targetCpuPercent: 50,
    loadgenCpuPercent: 30,
    loadgenLongestTickMs: 1,
    loadgenLoopDelayP99Ms: 2,
    targetRssKb: 100_000,
    sustained: true,
    reasons: [],
    ...overrides,
  };
}

function search(maxSustained: number | undefined): SearchResult {
  return { steps: [], maxSustained, atMax: undefined, loadgenLimited: false, warmupSent: 0 };
}

function broker(kind: BrokerRelayResult['broker'], qos0: number, qos1: number, extra: Partial<BrokerRelayResult> = {}): BrokerRelayResult {
  return {
    broker: kind,
    label: kind,
    connect: { connected: 1000, failed: 0, retried: 0, ms: 1, errors: [] },
    qos0: { ...search(qos0), atLatencyRate: step({ qos: 0 }) },
    qos1: { ...search(qos1), atLatencyRate: step() },
    overload: undefined,
    closedConnections: 0,
    ...extra,
  };
}

function e2eVariant(maxSustained: number, latencyStep = step({ rate: 2_000 })): E2eVariantResult {
  return {
    store: 'embedded',
    devices: 1000,
    connect: { connected: 1000, failed: 0, retried: 0, ms: 1, errors: [] },
    search: search(maxSustained),
    atLatencyRate: latencyStep,
    published: 1,
    stored: 1,
    rejected: 0,
    dropped: 0,
  };
}

describe('targets', () => {
  it('reports n/a for every target of a stage that did not run', () => {
    const checks = checkTargets({});
    expect(checks.map((check) => check.verdict)).toEqual(checks.map(() => 'n/a'));
    expect(checks).toHaveLength(11);
  });

  it('compares our broker with plain Aedes per QoS', () => {
    const relay = {
      publishers: 1000,
      payloadBytes: 96,
      skipped: [],
      brokers: [broker('ours', 18_000, 9_000), broker('aedes', 20_000, 12_000)],
    };
    expect(relayRatio(relay, 0)).toBeCloseTo(0.9);
    expect(relayRatio(relay, 1)).toBeCloseTo(0.75);
    const verdicts = Object.fromEntries(checkTargets({ relay }).map((check) => [check.id, check.verdict]));
    expect(verdicts['relay-ratio-qos0']).toBe('PASS');
    expect(verdicts['relay-ratio-qos1']).toBe('MISS');
    expect(verdicts['relay-p99-qos1']).toBe('PASS');
  });

  it('misses the latency target when the fixed rate was not sustained, whatever its p99', () => {
    const ours = broker('ours', 1, 1, { qos1: { ...search(1), atLatencyRate: step({ sustained: false, reasons: ['x'] }) } });
    const relay = { publishers: 1, payloadBytes: 96, skipped: [], brokers: [ours] };
    expect(checkTargets({ relay }).find((check) => check.id === 'relay-p99-qos1')?.verdict).toBe('MISS');
  });

  it('checks the end-to-end rate against plain Aedes QoS 1 of the same run and the latency at 2,000/s', () => {
    const results: StageResults = {
      relay: { publishers: 1000, payloadBytes: 96, skipped: [], brokers: [broker('aedes', 30_000, 12_000)] },
      e2e: { variants: [e2eVariant(9_000)], skipped: [] },
    };
    expect(e2eRatio(results)).toBeCloseTo(0.75);
    const checks = checkTargets(results);
    expect(checks.find((check) => check.id === 'e2e-ratio')?.verdict).toBe('PASS');
    expect(checks.find((check) => check.id === 'e2e-p99')?.verdict).toBe('PASS');
    const lossy = checkTargets({ e2e: { variants: [e2eVariant(1, step({ lost: 2 }))], skipped: [] } });
    expect(lossy.find((check) => check.id === 'e2e-p99')?.verdict).toBe('MISS');
  });

  it('passes the map only when no view had a long task over 50 ms, and says n/a when the stage was skipped', () => {
    const view = (longestTaskMs: number) => ({
      view: 'v',
      longTasks: longestTaskMs > 50 ? 1 : 0,
      longestTaskMs,
      framesPerSec: 60,
      redraws: 10,
      longestRedrawMs: 5,
      messagesPerSec: 1000,
      heapMb: 20,
      onScreen: { singles: 1, clusters: 2 },
    });
    const browser = (longest: number[]) => ({
      options: {
        sites: 20_000,
        rate: 1_000,
        warmupSec: 5,
        measureSec: 15,
        path: 'direct' as const,
        profile: false,
        trace: false,
        chromium: 'c',
      },
      loadMs: 1000,
      views: longest.map(view),
      passed: longest.every((ms) => ms <= 50),
      pageErrors: [],
      screenshot: 's.png',
    });
    const check = (results: StageResults) => checkTargets(results).find((c) => c.id === 'browser-long-tasks');
    expect(check({ browser: browser([0, 50]) })?.verdict).toBe('PASS');
    expect(check({ browser: browser([0, 53]) })).toMatchObject({ verdict: 'MISS', figure: 'longest 53 ms, 1 long task' });
    expect(check({ browser: { skipped: 'no Chromium' } })?.verdict).toBe('n/a');
  });
});

function overloadStep(deliveredPerSample: number[], rssKbPerSample: number[]): StepResult {
  let delivered = 0;
  const samples = deliveredPerSample.map((count, i) => {
    delivered += count;
    return { t: (i + 1) * 0.5, sent: (i + 1) * 10_000, delivered, targetRssKb: rssKbPerSample[i] ?? 0 };
  });
  const { sustained: _s, reasons: _r, ...base } = step({ rate: 20_000 });
  return { ...base, windowSec: deliveredPerSample.length * 0.5, deliveredInWindow: delivered, samples };
}

describe('overload summary', () => {
  it('finds the delivered rate, the worst second and whether memory levels off', () => {
    const flat = summariseOverload(
      overloadStep(
        [5_000, 5_000, 5_000, 5_000, 1_000, 1_000],
        [100, 280, 300, 290, 310, 300].map((mb) => mb * 1024),
      ),
      10_000,
    );
    expect(flat.deliveredRate).toBeCloseTo(22_000 / 3);
    expect(flat.deliveredFraction).toBeCloseTo(22_000 / 3 / 10_000);
    expect(flat.worstSecondRate).toBeCloseTo(2_000);
    expect(flat.rssPeakMb).toBe(310);
    expect(flat.rssMiddlePeakMb).toBe(300);
    expect(flat.rssLastPeakMb).toBe(310);
    expect(flat.bounded).toBe(true);
    const growing = summariseOverload(
      overloadStep(
        [5_000, 5_000, 5_000, 5_000, 5_000, 5_000],
        [100, 200, 300, 400, 500, 600].map((mb) => mb * 1024),
      ),
      10_000,
    );
    expect(growing.bounded).toBe(false);
  });

  it('measures backlog growth over the second half of the window', () => {
    const result = overloadStep([5_000, 5_000, 5_000, 5_000], [0, 0, 0, 0]);
    expect(backlogGrowthPerSec(result)).toBeCloseTo(10_000);
  });
});

describe('step diagnosis', () => {
  it('repeats only a failed step in which neither the target nor the generator was busy', () => {
    expect(looksDisturbed(step({ sustained: false, targetCpuPercent: 30, loadgenCpuPercent: 25 }))).toBe(true);
    expect(looksDisturbed(step({ sustained: false, targetCpuPercent: 99, loadgenCpuPercent: 25 }))).toBe(false);
    expect(looksDisturbed(step({ sustained: true, targetCpuPercent: 30, loadgenCpuPercent: 25 }))).toBe(false);
  });

  it('calls the generator saturated when it fell behind its schedule or ran out of CPU', () => {
    expect(generatorSaturated(step())).toBe(false);
    expect(generatorSaturated(step({ unsent: 1_000 }))).toBe(true);
    expect(generatorSaturated(step({ loadgenCpuPercent: 95 }))).toBe(true);
  });
});

describe('memory stage helpers', () => {
  it('caps idle connections by the open-file limit and says why', () => {
    expect(deviceCap(2_000, 20_000)).toEqual({ devices: 2_000, cappedBecause: undefined });
    const capped = deviceCap(20_000, 20_000);
    expect(capped.devices).toBe(19_400);
    expect(capped.cappedBecause).toContain('20000');
  });

  it('sums the series of a Prometheus metric', () => {
    const text = [
      '# HELP ioc_ingest_rejected_total x',
      'ioc_ingest_rejected_total{reason="a"} 2',
      'ioc_ingest_rejected_total{reason="b"} 3',
      'ioc_ingest_rejected_total_extra 100',
      'ioc_ingest_readings_stored_total 7',
    ].join('\n');
    expect(metricTotal(text, 'ioc_ingest_rejected_total')).toBe(5);
    expect(metricTotal(text, 'ioc_ingest_readings_stored_total')).toBe(7);
    expect(metricTotal(text, 'absent')).toBe(0);
  });
});
