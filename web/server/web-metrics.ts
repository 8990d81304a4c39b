/**
 * The web server's Prometheus metrics. Created get-or-register on the process registry, so several
 * web servers in one process (tests, all-in-one restarts) share the series instead of colliding.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface WebMetrics {
  /** Authenticated socket.io connections. */
  readonly socketClients: Gauge<string>;
  /** HTTP requests by express route pattern and status code. */
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  /** HTTP request duration, seconds, by route pattern. */
  readonly httpDuration: Histogram<'route' | 'method'>;
  /** Live messages received from the platform's MQTT fan-out, by kind and outcome. */
  readonly liveMessages: Counter<'kind' | 'outcome'>;
  /** 1 while the web server's MQTT connection is up. */
  readonly mqttConnected: Gauge<string>;
}

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function webMetrics(registry: Registry): WebMetrics {
  const registers = [registry];
  return {
    socketClients: getOrCreate(
      registry,
      'ioc_web_socket_clients',
      () => new Gauge({ name: 'ioc_web_socket_clients', help: 'Authenticated socket.io clients connected', registers }),
    ),
    httpRequests: getOrCreate(
      registry,
      'ioc_web_http_requests_total',
      () =>
        new Counter({
          name: 'ioc_web_http_requests_total',
          help: 'HTTP requests by route pattern, method and status',
          labelNames: ['route', 'method', 'status'] as const,
          registers,
        }),
    ),
    httpDuration: getOrCreate(
      registry,
      'ioc_web_http_request_duration_seconds',
      () =>
        new Histogram({
          name: 'ioc_web_http_request_duration_seconds',
          help: 'HTTP request duration by route pattern, seconds',
          labelNames: ['route', 'method'] as const,
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers,
        }),
    ),
    liveMessages: getOrCreate(
      registry,
      'ioc_web_live_messages_total',
      () =>
        new Counter({
          name: 'ioc_web_live_messages_total',
          help: 'Platform MQTT messages received by the web server, by kind and outcome',
          labelNames: ['kind', 'outcome'] as const,
          registers,
        }),
    ),
    mqttConnected: getOrCreate(
      registry,
      'ioc_web_mqtt_connected',
      () => new Gauge({ name: 'ioc_web_mqtt_connected', help: '1 while the web server is connected to the broker', registers }),
    ),
  };
}
