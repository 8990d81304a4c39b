/** Arguments and results exchanged between the benchmark and its load-generator process. */
import type { LatencySummary } from '../stats/histogram.js';
import type { BrokerTargetInfo } from './bench-sites.js';

export interface StepArgs {
  /** Offered rate, messages (readings) per second. */
  readonly rate: number;
  /** Sending window, ms. */
  readonly durationMs: number;
  /** Longest wait for stragglers after the window, ms. */
  readonly drainMs: number;
  /** QoS of the publishes (the end-to-end path always uses 1). */
  readonly qos: 0 | 1;
  /** Interval of the timeline samples, ms. */
  readonly sampleMs: number;
}

/** One point of a step's timeline; counts are cumulative since the step started. */
export interface StepSample {
  /** Seconds since the step started. */
  readonly t: number;
  readonly sent: number;
  readonly delivered: number;
  /** Resident memory of the target process(es), KiB. */
  readonly targetRssKb: number;
}

export interface StepResult {
  readonly rate: number;
  readonly qos: 0 | 1;
  readonly windowSec: number;
  readonly offered: number;
  readonly sent: number;
  /** Scheduled but not written because the publisher's socket was backed up (TCP back-pressure). */
  readonly skipped: number;
  /** Scheduled but never attempted because the load generator itself fell behind (it is saturated). */
  readonly unsent: number;
  /** QoS 1 PUBACKs received by the publishers. */
  readonly acked: number;
  readonly deliveredInWindow: number;
  readonly delivered: number;
  readonly backlogAtEnd: number;
  /** Sent and not delivered after draining. */
  readonly lost: number;
  /** Delivered more than once (end-to-end only). */
  readonly duplicates: number;
  /** Messages of earlier steps that arrived during this one. */
  readonly late: number;
  /** Time from the end of the window until everything was delivered (or the drain gave up), ms. */
  readonly drainMs: number;
  /** Publish → delivery, ms, of every message of the step. */
  readonly latency: LatencySummary;
  /** CPU of the target over the window, % of one core (sum over its processes). */
  readonly targetCpuPercent: number;
  /** CPU of the load generator over the window, % of one core. */
  readonly loadgenCpuPercent: number;
  /** Longest single burst of publishing, ms (the generator falling behind its schedule). */
  readonly loadgenLongestTickMs: number;
  /** p99 event-loop delay of the load generator over the window, ms (its consumer reading late). */
  readonly loadgenLoopDelayP99Ms: number;
  /** Resident memory of the target at the end of the window, KiB. */
  readonly targetRssKb: number;
  readonly samples: readonly StepSample[];
}

export interface RelayConnectArgs {
  readonly broker: BrokerTargetInfo;
  /** Publishers to connect (at most the devices the target provides). */
  readonly publishers: number;
  /** Payload bytes per message (≥ 14: send time, step and sequence are written in front). */
  readonly payloadBytes: number;
}

export interface ConnectResult {
  readonly connected: number;
  /** Devices still not connected after every retry. */
  readonly failed: number;
  /** Devices that connected only on a retry (refused or timed out at first). */
  readonly retried: number;
  readonly ms: number;
  /** First few distinct errors. */
  readonly errors: readonly string[];
}

export interface E2eDevice {
  readonly siteId: string;
  readonly token: string;
}

export interface E2eConnectArgs {
  readonly mqtt: { readonly host: string; readonly port: number };
  readonly devices: readonly E2eDevice[];
  /** Web server base URL, e.g. http://127.0.0.1:8080. */
  readonly webUrl: string;
  /** Session cookie header of a logged-in user. */
  readonly cookie: string;
  /** Processes whose CPU and memory are measured (the platform). */
  readonly targetPids: readonly number[];
}

export interface IdleConnectArgs {
  readonly mqtt: { readonly host: string; readonly port: number };
  readonly devices: readonly E2eDevice[];
  /** Connections opened at once. */
  readonly concurrency: number;
  readonly keepaliveSec: number;
}
