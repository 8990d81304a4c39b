/**
 * One measurement step: publish at a fixed rate for a window (an open-loop schedule, so a slow
 * target cannot slow the offered load down — only TCP back-pressure can, and that is counted),
 * sample the timeline, then wait for stragglers and count what never arrived.
 */

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CpuMeter, rssKb } from '../proc/process-stats.js';
import { LatencyHistogram } from '../stats/histogram.js';
import type { StepArgs, StepResult, StepSample } from './protocol.js';

/** Counts deliveries of the current step; messages carry the id of the step that sent them. */
export class StepTracker {
  stepId = 0;
  delivered = 0;
  late = 0;
  duplicates = 0;
  acked = 0;
  /** performance.now() of the last arrival of any step's message. */
  lastArrival = 0;
  readonly latency = new LatencyHistogram();

  /** Starts a new step and returns its id (16 bits, wrapping). */
  begin(): number {
    this.stepId = (this.stepId + 1) & 0xffff;
    this.delivered = 0;
    this.late = 0;
    this.duplicates = 0;
    this.acked = 0;
    this.latency.reset();
    return this.stepId;
  }

  /** A message of step `stepId` sent at `sentAtMs` arrived at `nowMs` (performance.now() clock). */
  deliver(stepId: number, sentAtMs: number, nowMs: number): void {
    this.lastArrival = nowMs;
    if (stepId !== this.stepId) {
      this.late++;
      return;
    }
    this.delivered++;
    this.latency.record(nowMs - sentAtMs);
  }
}

/** What a step drives: something that publishes one message at a time and a tracker its consumer feeds. */
export interface Workload {
  readonly tracker: StepTracker;
  /** Processes under test (CPU and memory are summed over them). */
  readonly targetPids: readonly number[];
  /** Publishes the next message of step `stepId`; false when skipped because the connection is backed up. */
  publish(stepId: number, qos: 0 | 1): boolean;
}

/** Longest burst of publishing before the generator yields to its consumer, in ms of traffic. */
const MAX_BURST_MS = 5;
/** How long past the window the generator may catch up with its schedule, as a fraction of the window. */
const CATCH_UP_GRACE_FRACTION = 0.1;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sum of the targets' resident memory, KiB (0 for a process that is gone). */
function targetRss(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (rssKb(pid) ?? 0), 0);
}

export async function runStep(args: StepArgs, workload: Workload): Promise<StepResult> {
  const { tracker } = workload;
  const stepId = tracker.begin();
  const meters = workload.targetPids.map((pid) => new CpuMeter(pid));
  for (const meter of meters) meter.start();
  const cpuBefore = process.cpuUsage();
  const samples: StepSample[] = [];
  let attempted = 0;
  let unsent = 0;
  let sent = 0;
  let skipped = 0;
  let longestTickMs = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const startedAt = performance.now();
  const sample = () =>
    samples.push({
      t: (performance.now() - startedAt) / 1000,
      sent,
      delivered: tracker.delivered,
      targetRssKb: targetRss(workload.targetPids),
    });
  const sampler = setInterval(sample, args.sampleMs);

  try {
    const maxBurst = Math.max(1, Math.ceil((args.rate * MAX_BURST_MS) / 1000));
    await new Promise<void>((resolve) => {
      const tick = () => {
        const tickStart = performance.now();
        const elapsed = tickStart - startedAt;
        const due = Math.floor((args.rate * Math.min(elapsed, args.durationMs)) / 1000);
        for (let burst = 0; attempted < due && burst < maxBurst; burst++) {
          attempted++;
          if (workload.publish(stepId, args.qos)) sent++;
          else skipped++;
        }
        longestTickMs = Math.max(longestTickMs, performance.now() - tickStart);
        // At the end of the window, a generator a few ms behind (a GC pause, a burst of arrivals)
        // catches up; one still behind after the grace is saturated, and the rest stays unsent.
        const overtime = elapsed - args.durationMs;
        if (overtime >= 0 && (attempted >= due || overtime >= CATCH_UP_GRACE_FRACTION * args.durationMs)) {
          unsent = due - attempted;
          resolve();
        } else if (attempted < due) {
          setImmediate(tick); // behind schedule: let the consumer read, then carry on at once
        } else {
          setTimeout(tick, 1);
        }
      };
      tick();
    });
    const offered = attempted + unsent;

    const windowSec = (performance.now() - startedAt) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const loadgenCpuPercent = (100 * (cpu.user + cpu.system)) / 1e6 / windowSec;
    const targetCpuPercent = meters.reduce((sum, meter) => sum + meter.percent(), 0);
    const deliveredInWindow = tracker.delivered;
    loopDelay.disable();
    const targetRssKb = targetRss(workload.targetPids);
    sample();

    const drainStart = performance.now();
    let lastProgress = drainStart;
    let lastDelivered = tracker.delivered;
    while (tracker.delivered < sent && performance.now() - drainStart < args.drainMs) {
      await sleep(10);
      if (tracker.delivered !== lastDelivered) {
        lastDelivered = tracker.delivered;
        lastProgress = performance.now();
      } else if (args.qos === 0 && performance.now() - lastProgress > 1_000) {
        break; // QoS 0 may be dropped on the way: stop waiting once nothing moves.
      }
    }
    const drainMs = performance.now() - drainStart;
    sample();

    return {
      rate: args.rate,
      qos: args.qos,
      windowSec,
      offered,
      sent,
      skipped,
      unsent,
      acked: tracker.acked,
      deliveredInWindow,
      delivered: tracker.delivered,
      backlogAtEnd: sent - deliveredInWindow,
      lost: Math.max(0, sent - tracker.delivered),
      duplicates: tracker.duplicates,
      late: tracker.late,
      drainMs,
      latency: tracker.latency.summary(),
      targetCpuPercent,
      loadgenCpuPercent,
      loadgenLongestTickMs: longestTickMs,
      loadgenLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      targetRssKb,
      samples,
    };
  } finally {
    clearInterval(sampler);
    loopDelay.disable();
  }
}

/**
 * Waits until no message (of any step) has arrived for `quietMs`, so a step that overloaded the
 * target does not leave its backlog to the next one. Resolves with how long it waited and whether
 * the target went quiet within `timeoutMs`.
 */
export async function settle(tracker: StepTracker, quietMs: number, timeoutMs: number): Promise<{ waitedMs: number; settled: boolean }> {
  const startedAt = performance.now();
  while (performance.now() - startedAt < timeoutMs) {
    if (performance.now() - tracker.lastArrival >= quietMs) return { waitedMs: performance.now() - startedAt, settled: true };
    await sleep(50);
  }
  return { waitedMs: performance.now() - startedAt, settled: false };
}
