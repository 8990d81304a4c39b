/**
 * Prometheus metrics of ingest, registered on the process registry. Get-or-create, so a second
 * IngestService on the same registry (a restart in tests, all-in-one mode) reuses them instead of
 * failing on a duplicate name.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { REJECTION_REASONS } from '../common/rejections.js';

/** Channels counted in `ioc_ingest_messages_received_total`; `unknown` for topics outside the contract. */
export const INGEST_CHANNELS = ['telemetry', 'status', 'events', 'unknown'] as const;
export type IngestChannel = (typeof INGEST_CHANNELS)[number];

/** What the write queues hold, the `kind` label. */
export const WRITE_KINDS = ['readings', 'events', 'statuses', 'rejections'] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];

export interface IngestMetrics {
  readonly messagesReceived: Counter<'channel'>;
  /** Readings (one site, one timestamp, one or more metric values) confirmed stored. */
  readonly readingsStored: Counter<string>;
  /** Rejected pieces of messages (values, entries, records or whole messages) per reason. */
  readonly rejected: Counter<'reason'>;
  /** Readings per store write. */
  readonly batchSize: Histogram<string>;
  readonly writeFailures: Counter<'kind'>;
  /** Items given up on (backlog overflow or unwritten at shutdown). */
  readonly dropped: Counter<'kind'>;
  /** Items waiting for the store, per kind (set by the service's collect callback). */
  readonly backlog: Gauge<'kind'>;
}

function getOrCreate<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/** Registers (or finds) ingest's metrics; `backlog` reads its values from `backlogOf` at scrape time. */
export function registerIngestMetrics(registry: Registry, backlogOf: (kind: WriteKind) => number): IngestMetrics {
  const messagesReceived = getOrCreate(registry, 'ioc_ingest_messages_received_total', () => {
    const counter = new Counter({
      name: 'ioc_ingest_messages_received_total',
      help: 'MQTT messages received from devices, by channel',
      labelNames: ['channel'],
      registers: [registry],
    });
    for (const channel of INGEST_CHANNELS) counter.inc({ channel }, 0);
    return counter;
  });
  const readingsStored = getOrCreate(
    registry,
    'ioc_ingest_readings_stored_total',
    () =>
      new Counter({
        name: 'ioc_ingest_readings_stored_total',
        help: 'Readings (site, timestamp, values) written to the store',
        registers: [registry],
      }),
  );
  const rejected = getOrCreate(registry, 'ioc_ingest_rejected_total', () => {
    const counter = new Counter({
      name: 'ioc_ingest_rejected_total',
      help: 'Rejected values, entries or messages, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of REJECTION_REASONS) counter.inc({ reason }, 0);
    return counter;
  });
  const batchSize = getOrCreate(
    registry,
    'ioc_ingest_batch_size',
    () =>
      new Histogram({
        name: 'ioc_ingest_batch_size',
        help: 'Readings per store write',
        buckets: [1, 5, 10, 50, 100, 500, 1000, 2500, 5000, 10_000],
        registers: [registry],
      }),
  );
  const writeFailures = getOrCreate(registry, 'ioc_ingest_write_failures_total', () => {
    const counter = new Counter({
      name: 'ioc_ingest_write_failures_total',
      help: 'Failed store writes (each is retried), by kind',
      labelNames: ['kind'],
      registers: [registry],
    });
    for (const kind of WRITE_KINDS) counter.inc({ kind }, 0);
    return counter;
  });
  const dropped = getOrCreate(registry, 'ioc_ingest_dropped_total', () => {
    const counter = new Counter({
      name: 'ioc_ingest_dropped_total',
      help: 'Accepted items lost because the store stayed unavailable (backlog overflow or shutdown), by kind',
      labelNames: ['kind'],
      registers: [registry],
    });
    for (const kind of WRITE_KINDS) counter.inc({ kind }, 0);
    return counter;
  });
  const backlog = getOrCreate(
    registry,
    'ioc_ingest_backlog',
    () =>
      new Gauge({
        name: 'ioc_ingest_backlog',
        help: 'Items waiting to be written to the store, by kind',
        labelNames: ['kind'],
        registers: [registry],
      }),
  );
  // The newest service decides what the gauge reports (a restarted service replaces the old one).
  (backlog as Gauge<'kind'> & { collect?: () => void }).collect = () => {
    for (const kind of WRITE_KINDS) backlog.set({ kind }, backlogOf(kind));
  };
  return { messagesReceived, readingsStored, rejected, batchSize, writeFailures, dropped, backlog };
}
