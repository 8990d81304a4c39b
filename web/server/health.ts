/**
 * `GET /api/health`: whether the store answers and the MQTT live feed is connected. Always served
 * (200) while the process runs; `degraded` tells load balancers and operators that data may be
 * stale, without taking the map offline.
 */
import type { Health } from '../../common/api.js';
import type { DataStores } from '../../platform/store/types.js';

export interface HealthCheckOptions {
  readonly stores: DataStores;
  /** True while the live feed's MQTT connection is up. */
  readonly mqttConnected: () => boolean;
  readonly version: string;
  /** Epoch ms when the server started. */
  readonly startedAt: number;
  readonly clock: () => number;
  /** How long the store may take to answer, ms (default 2,000). */
  readonly storeTimeoutMs?: number;
}

type ComponentHealth = Health['components'][string];

async function storeHealth(stores: DataStores, timeoutMs: number): Promise<ComponentHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([stores.registry.countUsers(), timeout]);
    return { status: 'ok' };
  } catch (error) {
    return { status: 'down', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Probes the dependencies and builds the health document. Never throws. */
export async function checkHealth(options: HealthCheckOptions): Promise<Health> {
  const store = await storeHealth(options.stores, options.storeTimeoutMs ?? 2_000);
  const mqtt: ComponentHealth = options.mqttConnected()
    ? { status: 'ok' }
    : { status: 'down', detail: 'not connected to the MQTT broker (reconnecting); live updates paused' };
  // With STORE=influx in one process, the InfluxDB connection (readings wait in ingest's spool while it is down).
  const telemetry = options.stores.telemetryHealth?.();
  const components = { store, mqtt, ...(telemetry ? { telemetry } : {}) };
  return {
    status: Object.values(components).every((c) => c.status === 'ok') ? 'ok' : 'degraded',
    version: options.version,
    uptimeSec: Math.max(0, Math.round((options.clock() - options.startedAt) / 1000)),
    components,
  };
}
