/**
 * Prometheus metrics. Each process has one registry (all-in-one mode shares it between broker,
 * ingest and web); components register their own metrics on it under `ioc_<component>_…`.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry with Node's default process metrics, prefixed `ioc_`. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'ioc_' });
  return registry;
}

export type { Registry } from 'prom-client';
