/**
 * Prometheus metrics of ingest's durable spool. Get-or-create, like ../ingest-metrics.ts, so a
 * restarted ingest on the same registry reuses them; the gauges read the newest spool at scrape time.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface SpoolState {
  /** Bytes accepted but not yet confirmed by the store. */
  readonly bytes: number;
  /** Size limit, bytes. */
  readonly maxBytes: number;
  /** True while ingest has stopped taking messages because the spool is full. */
  readonly full: boolean;
}

export interface SpoolMetrics {
  /** Times the spool filled up and ingest stopped taking messages. */
  readonly fullTotal: Counter<string>;
  /** Readings found in the spool at start (accepted before a stop or crash, not yet stored). */
  readonly recoveredReadings: Counter<string>;
  /** Failed appends (disk full, I/O errors); the message was not acknowledged and is redelivered. */
  readonly appendFailures: Counter<string>;
}

function getOrCreate<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

function stateGauge(registry: Registry, name: string, help: string): Gauge<string> {
  return getOrCreate(registry, name, () => new Gauge({ name, help, registers: [registry] }));
}

/** Registers (or finds) the spool metrics; the gauges report `state()` of the newest caller. */
export function registerSpoolMetrics(registry: Registry, state: () => SpoolState): SpoolMetrics {
  const gauges = {
    bytes: stateGauge(registry, 'ioc_ingest_spool_bytes', 'Bytes of accepted readings in the durable spool not yet confirmed by the store'),
    maxBytes: stateGauge(
      registry,
      'ioc_ingest_spool_max_bytes',
      'Size at which the spool is full and ingest stops taking messages (SPOOL_MAX_MB)',
    ),
    full: stateGauge(
      registry,
      'ioc_ingest_spool_full',
      '1 while the spool is full and ingest is not taking messages (the broker queues them)',
    ),
  };
  const collectors: Record<keyof typeof gauges, (current: SpoolState) => number> = {
    bytes: (current) => current.bytes,
    maxBytes: (current) => current.maxBytes,
    full: (current) => (current.full ? 1 : 0),
  };
  for (const key of Object.keys(gauges) as (keyof typeof gauges)[]) {
    const gauge = gauges[key];
    (gauge as Gauge<string> & { collect?: () => void }).collect = () => gauge.set(collectors[key](state()));
  }
  const counter = (name: string, help: string) => getOrCreate(registry, name, () => new Counter({ name, help, registers: [registry] }));
  return {
    fullTotal: counter(
      'ioc_ingest_spool_full_total',
      'Times the spool filled up and ingest stopped taking messages until the store caught up',
    ),
    recoveredReadings: counter(
      'ioc_ingest_spool_recovered_readings_total',
      'Readings found in the spool at start: accepted before a stop or crash, not yet confirmed by the store, written again',
    ),
    appendFailures: counter(
      'ioc_ingest_spool_append_failures_total',
      'Failed spool appends (disk full, I/O error); the message was not acknowledged and the broker redelivers it',
    ),
  };
}
