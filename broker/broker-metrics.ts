/**
 * The broker's Prometheus metrics. Created with the broker and registered on the given registry
 * while the broker runs (start → register, stop → remove), so a stopped broker can be started
 * again on the same registry. The per-message counter is a plain number read at scrape time, so
 * the hot path allocates nothing for metrics.
 */
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

/** Why a CONNECT was refused (label `reason` of `ioc_broker_auth_failures_total`). */
export const AUTH_FAILURE_REASONS = [
  /** No username or no password. */
  'missing_credentials',
  /** The username is neither a site id nor an internal service. */
  'invalid_username',
  /** No credential was ever issued for this site id. */
  'unknown_site',
  'wrong_token',
  'wrong_service_token',
  /** The credential source could not be read (e.g. ingest's data API is down); CONNACK 3. */
  'credentials_unavailable',
  /** The client id is held by another identity's connection or session; CONNACK 2. */
  'client_id_in_use',
  /** An admin has disabled the site; CONNACK 5 until it is enabled again. */
  'site_disabled',
  /** The token was rotated away and its grace period is over; CONNACK 5. */
  'token_expired',
  /** The broker already holds MQTT_MAX_CONNECTIONS device connections; CONNACK 3. */
  'too_many_connections',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** Why a PUBLISH was dropped (label `reason` of `ioc_broker_publish_denied_total`). */
export const PUBLISH_DENIED_REASONS = [
  /** The ACL does not let this client publish on this topic. */
  'topic_not_allowed',
  /** A Last Will whose topic the ACL does not allow; it is never published. */
  'will_not_allowed',
  /** Payload larger than the configured maximum (MAX_PAYLOAD_BYTES). */
  'payload_too_large',
  /** Beyond the device's publish rate and burst (DEVICE_PUBLISH_RATE, DEVICE_PUBLISH_BURST). */
  'rate_limited',
] as const;
export type PublishDeniedReason = (typeof PUBLISH_DENIED_REASONS)[number];

/** Why the broker closed an established connection (label `reason` of `ioc_broker_disconnects_total`). */
export const DISCONNECT_REASONS = [
  /** An admin disabled the device's site. */
  'site_disabled',
  /** An admin removed the device's site. */
  'site_removed',
  /** The token the device connected with was rotated away and its grace period ended (or was 0). */
  'token_expired',
  /** A packet larger than any accepted message could be, closed before it was buffered. */
  'packet_too_large',
] as const;
export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

export type ClientKind = 'device' | 'service';

export class BrokerMetrics {
  private received = 0;
  private readonly connected: Record<ClientKind, number> = { device: 0, service: 0 };
  private readonly metrics: ReadonlyMap<string, Metric>;
  private readonly authFailures: Counter<'reason'>;
  private readonly publishDenied: Counter<'reason'>;
  private readonly subscribeDenied: Counter;
  private readonly disconnects: Counter<'reason'>;
  private readGate: { readonly packetsInFlight: number; readonly pauses: number } | undefined;

  constructor() {
    const self = this;
    const messagesReceived = new Counter({
      name: 'ioc_broker_messages_received_total',
      help: 'PUBLISH packets received from clients, including those dropped by the ACL or the size limit.',
      registers: [],
      collect() {
        this.reset();
        this.inc(self.received);
      },
    });
    const clientsConnected = new Gauge({
      name: 'ioc_broker_clients_connected',
      help: 'Authenticated MQTT connections, by kind (device = a site, service = an internal platform service).',
      labelNames: ['kind'] as const,
      registers: [],
      collect() {
        this.set({ kind: 'device' }, self.connected.device);
        this.set({ kind: 'service' }, self.connected.service);
      },
    });
    const packetsInFlight = new Gauge({
      name: 'ioc_broker_packets_in_flight',
      help: 'Packets received and not yet handled, over all connections (capped by MQTT_MAX_INFLIGHT_PACKETS).',
      registers: [],
      collect() {
        this.set(self.readGate?.packetsInFlight ?? 0);
      },
    });
    const readPauses = new Counter({
      name: 'ioc_broker_read_pauses_total',
      help: 'Times the broker stopped reading from publishers because MQTT_MAX_INFLIGHT_PACKETS packets were in processing (overload).',
      registers: [],
      collect() {
        this.reset();
        this.inc(self.readGate?.pauses ?? 0);
      },
    });
    this.authFailures = new Counter({
      name: 'ioc_broker_auth_failures_total',
      help: 'CONNECT packets refused, by reason.',
      labelNames: ['reason'] as const,
      registers: [],
    });
    this.publishDenied = new Counter({
      name: 'ioc_broker_publish_denied_total',
      help: 'PUBLISH packets (and Last Wills) dropped by the broker, by reason.',
      labelNames: ['reason'] as const,
      registers: [],
    });
    this.subscribeDenied = new Counter({
      name: 'ioc_broker_subscribe_denied_total',
      help: 'Subscriptions refused by the ACL (SUBACK return code 0x80).',
      registers: [],
    });
    this.disconnects = new Counter({
      name: 'ioc_broker_disconnects_total',
      help: 'Connections the broker closed on its own initiative, by reason.',
      labelNames: ['reason'] as const,
      registers: [],
    });
    // Every reason starts at 0 so dashboards and alerts see the series before the first event.
    for (const reason of AUTH_FAILURE_REASONS) this.authFailures.inc({ reason }, 0);
    for (const reason of PUBLISH_DENIED_REASONS) this.publishDenied.inc({ reason }, 0);
    for (const reason of DISCONNECT_REASONS) this.disconnects.inc({ reason }, 0);
    this.metrics = new Map<string, Metric>([
      ['ioc_broker_messages_received_total', messagesReceived],
      ['ioc_broker_clients_connected', clientsConnected],
      ['ioc_broker_auth_failures_total', this.authFailures],
      ['ioc_broker_publish_denied_total', this.publishDenied],
      ['ioc_broker_subscribe_denied_total', this.subscribeDenied],
      ['ioc_broker_disconnects_total', this.disconnects],
      ['ioc_broker_packets_in_flight', packetsInFlight],
      ['ioc_broker_read_pauses_total', readPauses],
    ]);
  }

  /** Reports the read gate's packets in flight and pauses. */
  observeReadGate(gate: { readonly packetsInFlight: number; readonly pauses: number }): void {
    this.readGate = gate;
  }

  /** Adds the metrics to `registry`; throws if another broker's metrics are registered there. */
  register(registry: Registry): void {
    const taken = [...this.metrics.keys()].filter((name) => registry.getSingleMetric(name) !== undefined);
    if (taken.length > 0) throw new Error(`metrics already registered by another broker: ${taken.join(', ')}`);
    for (const metric of this.metrics.values()) registry.registerMetric(metric);
  }

  /** Removes the metrics from `registry` (values are kept for a later {@link register}). */
  unregister(registry: Registry): void {
    for (const [name, metric] of this.metrics) {
      if (registry.getSingleMetric(name) === metric) registry.removeSingleMetric(name);
    }
  }

  messageReceived(): void {
    this.received++;
  }

  authFailed(reason: AuthFailureReason): void {
    this.authFailures.inc({ reason });
  }

  publishDropped(reason: PublishDeniedReason): void {
    this.publishDenied.inc({ reason });
  }

  subscriptionDenied(): void {
    this.subscribeDenied.inc();
  }

  disconnected(reason: DisconnectReason): void {
    this.disconnects.inc({ reason });
  }

  clientConnected(kind: ClientKind): void {
    this.connected[kind]++;
  }

  clientDisconnected(kind: ClientKind): void {
    this.connected[kind] = Math.max(0, this.connected[kind] - 1);
  }

  /** Authenticated connections of `kind` right now. */
  connectedCount(kind: ClientKind): number {
    return this.connected[kind];
  }
}
