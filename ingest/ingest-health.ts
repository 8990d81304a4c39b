/**
 * Health of a process that runs ingest (ingest alone, or all-in-one): the store, the telemetry
 * server reached over the network (InfluxDB, with STORE=influx), ingest's MQTT session and its spool.
 * `degraded` when any part is not `ok`: readings may be late, none is lost.
 */
import type { Health } from '../common/api.js';
import type { DataStores } from '../platform/store/types.js';
import { PLATFORM_VERSION } from '../platform/version.js';
import type { IngestService } from './ingest-service.js';

type ComponentHealth = Health['components'][string];

export function ingestHealth(
  ingest: Pick<IngestService, 'connected' | 'spool'>,
  stores: Pick<DataStores, 'telemetry' | 'telemetryHealth'>,
): Health {
  const { bytes, maxBytes, full } = ingest.spool;
  const spool: ComponentHealth = full
    ? { status: 'degraded', detail: `spool full (${bytes} of ${maxBytes} bytes): not taking messages until the store catches up` }
    : bytes > 0
      ? { status: 'ok', detail: `${bytes} bytes waiting for the store` }
      : { status: 'ok' };
  const telemetry = stores.telemetryHealth?.();
  const components: Record<string, ComponentHealth> = {
    store: { status: 'ok' },
    ...(telemetry ? { telemetry } : {}),
    mqtt: ingest.connected ? { status: 'ok' } : { status: 'down', detail: 'ingest is not connected to the broker' },
    spool,
  };
  return {
    status: Object.values(components).every((component) => component.status === 'ok') ? 'ok' : 'degraded',
    version: PLATFORM_VERSION,
    uptimeSec: Math.round(process.uptime()),
    components,
  };
}
