/**
 * Prometheus metrics of the embedded store. Registered on the registry passed in, reusing a metric
 * of the same name when one is already there (a restarted store, or the CLI opening the database
 * in a process that also runs the platform), because prom-client refuses duplicate names.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** Latency buckets, seconds: sub-millisecond registry writes up to multi-second bulk loads. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface StoreMetrics {
  /** `ioc_store_write_seconds{operation}`: time a write takes in the database (queue wait excluded). */
  readonly writeSeconds: Histogram<'operation'>;
  /** `ioc_store_query_seconds{operation}`: time a read takes in the database. */
  readonly querySeconds: Histogram<'operation'>;
  /** `ioc_store_readings_written_total`: metric values stored (one per site, metric and timestamp). */
  readonly readingsWritten: Counter;
  /** `ioc_store_events_written_total`: device events stored. */
  readonly eventsWritten: Counter;
  /** `ioc_store_errors_total{operation}`: store operations that failed. */
  readonly errors: Counter<'operation'>;
}

function reuse<T>(registry: Registry, name: string, create: () => T): T {
  const existing = registry.getSingleMetric(name);
  return existing ? (existing as T) : create();
}

/** Registers (or reuses) the `ioc_store_*` metrics on `registry`. */
export function createStoreMetrics(registry: Registry): StoreMetrics {
  const registers = [registry];
  return {
    writeSeconds: reuse(
      registry,
      'ioc_store_write_seconds',
      () =>
        new Histogram({
          name: 'ioc_store_write_seconds',
          help: 'Store write latency in the database, seconds, by operation',
          labelNames: ['operation'],
          buckets: LATENCY_BUCKETS,
          registers,
        }),
    ),
    querySeconds: reuse(
      registry,
      'ioc_store_query_seconds',
      () =>
        new Histogram({
          name: 'ioc_store_query_seconds',
          help: 'Store read latency in the database, seconds, by operation',
          labelNames: ['operation'],
          buckets: LATENCY_BUCKETS,
          registers,
        }),
    ),
    readingsWritten: reuse(
      registry,
      'ioc_store_readings_written_total',
      () => new Counter({ name: 'ioc_store_readings_written_total', help: 'Metric values written to the store', registers }),
    ),
    eventsWritten: reuse(
      registry,
      'ioc_store_events_written_total',
      () => new Counter({ name: 'ioc_store_events_written_total', help: 'Device events written to the store', registers }),
    ),
    errors: reuse(
      registry,
      'ioc_store_errors_total',
      () =>
        new Counter({
          name: 'ioc_store_errors_total',
          help: 'Store operations that failed, by operation',
          labelNames: ['operation'],
          registers,
        }),
    ),
  };
}
