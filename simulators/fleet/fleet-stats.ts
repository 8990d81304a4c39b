/**
 * Counters of a simulated fleet, shared by the demo fleet, scenarios, replay and load mode: what
 * was handed to MQTT, acknowledged, lost, and how the connections fare. Cheap to update from
 * thousands of devices; {@link FleetStats.snapshot} gives a consistent copy for progress lines,
 * summaries and tests.
 */
import { LatencyHistogram } from './latency-histogram.js';

/** A copy of the counters at one moment. All counts are totals since start. */
export interface FleetStatsSnapshot {
  /** Devices simulated. */
  readonly devices: number;
  /** Devices connected now. */
  readonly connected: number;
  /** Messages handed to the MQTT client (telemetry, status, events). */
  readonly sent: number;
  /** Messages the broker acknowledged (QoS 1 PUBACK; QoS 0 counts when written). */
  readonly acked: number;
  /** Telemetry messages acknowledged. */
  readonly telemetryAcked: number;
  /** Publishes that failed, e.g. the connection closed before the PUBACK. */
  readonly failed: number;
  /** Messages not sent because the device was disconnected or its queue was full. */
  readonly dropped: number;
  /** Failed connection attempts and connections lost unexpectedly. */
  readonly connectFailures: number;
  /** Successful connections, including reconnections. */
  readonly connects: number;
  /** Same as `acked` (the demo fleet's historical name). */
  readonly published: number;
  /** `failed + connectFailures` (the demo fleet's historical name). */
  readonly errors: number;
  /** Publish → PUBACK latency, ms. */
  readonly ackLatencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export class FleetStats {
  devices = 0;
  connected = 0;
  sent = 0;
  acked = 0;
  telemetryAcked = 0;
  failed = 0;
  dropped = 0;
  connectFailures = 0;
  connects = 0;
  readonly ackLatency = new LatencyHistogram();

  snapshot(): FleetStatsSnapshot {
    return {
      devices: this.devices,
      connected: this.connected,
      sent: this.sent,
      acked: this.acked,
      telemetryAcked: this.telemetryAcked,
      failed: this.failed,
      dropped: this.dropped,
      connectFailures: this.connectFailures,
      connects: this.connects,
      published: this.acked,
      errors: this.failed + this.connectFailures,
      ackLatencyMs: { p50: this.ackLatency.percentile(0.5), p99: this.ackLatency.percentile(0.99), max: this.ackLatency.max },
    };
  }

  reset(): void {
    this.sent = 0;
    this.acked = 0;
    this.telemetryAcked = 0;
    this.failed = 0;
    this.dropped = 0;
    this.connectFailures = 0;
    this.connects = 0;
    this.ackLatency.reset();
  }
}
