/**
 * Prometheus metrics of the alert engine, get-or-create on the process registry (a restarted engine
 * in tests, or all-in-one mode, reuses them instead of failing on a duplicate name).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { ALERT_CHANGES, ALERT_SEVERITIES } from '../common/alerts.js';

export interface AlertingMetrics {
  /** Alert changes by kind (raised, severity_changed, …). */
  readonly changes: Counter<'change'>;
  /** Failures by stage: `evaluate` (a bug caught), `store` (a flush that failed and will be retried), `listener`. */
  readonly errors: Counter<'stage'>;
  /** Alert changes handed to MQTT, by outcome: `published`, `failed`, `dropped` (broker away, queue full). */
  readonly published: Counter<'outcome'>;
  /** Open alerts by severity (set at scrape time). */
  readonly active: Gauge<'severity'>;
}

function getOrCreate<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/** Registers (or finds) the metrics; `activeBySeverity` is read at scrape time by the most recently registered engine. */
export function registerAlertingMetrics(registry: Registry, activeBySeverity: () => ReadonlyMap<string, number>): AlertingMetrics {
  const changes = getOrCreate(registry, 'ioc_alerting_changes_total', () => {
    const counter = new Counter({
      name: 'ioc_alerting_changes_total',
      help: 'Alert changes published, by kind',
      labelNames: ['change'],
      registers: [registry],
    });
    for (const change of ALERT_CHANGES) counter.inc({ change }, 0);
    return counter;
  });
  const errors = getOrCreate(
    registry,
    'ioc_alerting_errors_total',
    () =>
      new Counter({
        name: 'ioc_alerting_errors_total',
        help: 'Alert engine failures, by stage',
        labelNames: ['stage'],
        registers: [registry],
      }),
  );
  const published = getOrCreate(
    registry,
    'ioc_alerting_mqtt_published_total',
    () =>
      new Counter({
        name: 'ioc_alerting_mqtt_published_total',
        help: 'Alert changes handed to MQTT (alerts/{siteId}), by outcome',
        labelNames: ['outcome'],
        registers: [registry],
      }),
  );
  const active = getOrCreate(
    registry,
    'ioc_alerting_active_alerts',
    () =>
      new Gauge({ name: 'ioc_alerting_active_alerts', help: 'Open alerts, by severity', labelNames: ['severity'], registers: [registry] }),
  );
  active.reset();
  // Re-bound on every registration so the newest engine reports (the gauge outlives an engine restarted in-process).
  (active as Gauge<'severity'> & { collect?: () => void }).collect = () => {
    const counts = activeBySeverity();
    for (const severity of ALERT_SEVERITIES) active.set({ severity }, counts.get(severity) ?? 0);
  };
  return { changes, errors, published, active };
}
