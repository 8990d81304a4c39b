/**
 * The synthetic sites the benchmark registers: ids `BENCH-00001`…, water-quality stations
 * scattered over the Mekong Delta, reporting every minute.
 */
import type { Site } from '../../common/sites.js';

/** Site id of the `index`-th benchmark device (1-based). */
export function benchSiteId(index: number): string {
  return `BENCH-${String(index).padStart(5, '0')}`;
}

/** A registrable site for the `index`-th benchmark device; positions are deterministic. */
export function benchSite(index: number): Site {
  // A low-discrepancy spread over the delta (roughly 9.2–10.9 °N, 104.5–106.8 °E).
  const u = (index * 0.618_033_988_75) % 1;
  const v = (index * 0.754_877_666_25) % 1;
  return {
    id: benchSiteId(index),
    name: `Benchmark station ${index}`,
    kind: 'water-quality',
    lat: Math.round((9.2 + 1.7 * u) * 1e5) / 1e5,
    lon: Math.round((104.5 + 2.3 * v) * 1e5) / 1e5,
    province: { former: 'Cần Thơ', current: 'Cần Thơ' },
    reportingIntervalSec: 60,
  };
}

/** What a load-generator connection needs to log in and publish. */
export interface DeviceEndpoint {
  readonly clientId: string;
  /** Absent for brokers without authentication. */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** Where it publishes (its site's telemetry topic). */
  readonly topic: string;
}

/** The consumer's login and subscription. */
export interface SubscriberEndpoint {
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly filter: string;
}

/** A broker under test, as its target process reports it. */
export interface BrokerTargetInfo {
  readonly host: string;
  readonly port: number;
  /** Process whose CPU and memory are measured (Mosquitto's own pid for Mosquitto). */
  readonly pid: number;
  readonly devices: readonly DeviceEndpoint[];
  readonly subscriber: SubscriberEndpoint;
}
