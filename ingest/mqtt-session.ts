/**
 * Ingest's MQTT session: connects as the internal ingest service with a persistent session
 * (`clean: false`, fixed client id), so QoS 1 device messages queue at the broker while ingest
 * restarts, and subscribes to every device channel at QoS 1. Start-up fails clearly: a refused
 * CONNACK or SUBACK fails at once, an unreachable broker after `connectTimeoutMs`.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { topicFilters } from '../common/topics.js';
import { AppError } from '../platform/errors.js';
import { SERVICE_USERS } from '../platform/security/service-credentials.js';

/** The device channels ingest consumes, at QoS 1. */
export const INGEST_SUBSCRIPTIONS: readonly string[] = [
  topicFilters.allDeviceTelemetry,
  topicFilters.allDeviceStatus,
  topicFilters.allDeviceEvents,
];

export interface MqttSessionOptions {
  readonly url: string;
  readonly serviceToken: string;
  /** Persistent-session id; one ingest per broker. */
  readonly clientId: string;
  /** How long start-up may wait for a reachable broker, ms. */
  readonly connectTimeoutMs: number;
}

/** Client options of ingest's connection. */
export function ingestClientOptions(options: MqttSessionOptions): IClientOptions {
  return {
    clientId: options.clientId,
    username: SERVICE_USERS.ingest,
    password: options.serviceToken,
    protocolVersion: 4,
    clean: false,
    keepalive: 30,
    reconnectPeriod: 1000,
    connectTimeout: Math.min(options.connectTimeoutMs, 10_000),
    resubscribe: true,
    // Live fan-out while disconnected is stale by the time it could be sent: drop, don't queue.
    queueQoSZero: false,
  };
}

/** A connection-refused CONNACK: mqtt.js reports it as an error with a numeric reason code. */
function isRefusal(error: unknown): error is Error & { code: number } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'number';
}

/**
 * Connects and waits for the CONNACK. Network errors are retried (the broker may still be
 * starting) until the timeout; a refusal (bad credentials, not authorised) fails at once.
 * `prepare` runs before the connection opens, to attach message handlers in time for messages
 * queued in the persistent session.
 */
export function openMqttSession(options: MqttSessionOptions, prepare: (client: MqttClient) => void): Promise<MqttClient> {
  const client = connect(options.url, ingestClientOptions(options));
  prepare(client);
  return new Promise<MqttClient>((resolve, reject) => {
    let lastError: unknown;
    const fail = (error: AppError) => {
      cleanup();
      client.end(true);
      reject(error);
    };
    const onConnect = () => {
      cleanup();
      resolve(client);
    };
    const onError = (error: unknown) => {
      lastError = error;
      if (isRefusal(error)) {
        fail(new AppError('unavailable', `MQTT broker at ${options.url} refused ingest (${SERVICE_USERS.ingest}): ${error.message}`));
      }
    };
    const timer = setTimeout(() => {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      fail(
        new AppError(
          'unavailable',
          `ingest could not reach the MQTT broker at ${options.url} within ${options.connectTimeoutMs} ms${reason}`,
        ),
      );
    }, options.connectTimeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
    };
    client.on('connect', onConnect);
    client.on('error', onError);
  });
}

/** Subscribes to the device channels at QoS 1; fails if the broker refuses any of them. */
export async function subscribeDeviceChannels(client: MqttClient): Promise<void> {
  try {
    const granted = await client.subscribeAsync([...INGEST_SUBSCRIPTIONS], { qos: 1 });
    const refused = granted.filter((grant) => grant.qos === 128 || (grant.qos & 0x80) !== 0);
    if (refused.length > 0) throw new Error(`refused: ${refused.map((g) => g.topic).join(', ')}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('forbidden', `MQTT broker refused ingest's subscription to ${INGEST_SUBSCRIPTIONS.join(', ')}: ${message}`);
  }
}
