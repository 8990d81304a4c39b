/**
 * PUBLISH authorization (MQTT 3.1.1 §3.3.5 Server actions) for client messages and Last Wills.
 *
 * Aedes calls this handler for every PUBLISH a client sends and for a client's Will Message
 * (§3.1.2.5) when the connection ends without DISCONNECT, so a Will obeys the same ACL as an
 * ordinary message. A refused message is dropped and counted, and the client keeps its connection
 * (the positive-acknowledgement option of [MQTT-3.3.5-2]; see ack-and-drop-aedes.ts). This runs
 * for every message: no allocation and no logging on the accepted path.
 *
 * Checks, in order: the ACL, the payload size, then (devices only, not Wills) the per-site publish
 * rate, so only messages that would otherwise be delivered spend a device's allowance.
 */
import type { AedesOptions, Client, PublishPacket } from 'aedes';
import type { Acl } from './acl.js';
import type { BrokerMetrics, PublishDeniedReason } from './broker-metrics.js';
import { type ClientIdentities, describeClient } from './client-identity.js';
import type { PublishRateLimiter } from './publish-rate-limiter.js';
import type { ThrottledWarnings } from './throttled-warnings.js';

type AuthorizePublishHandler = NonNullable<AedesOptions['authorizePublish']>;

export interface AuthorizePublishOptions {
  readonly acl: Acl;
  readonly identities: ClientIdentities;
  /** Largest accepted payload, bytes. */
  readonly maxPayloadBytes: number;
  /** Per-site publish rate of devices; absent: devices are not rate limited. Services never are. */
  readonly rateLimiter?: PublishRateLimiter;
  readonly metrics: BrokerMetrics;
  readonly warnings: ThrottledWarnings;
  /** Makes Aedes acknowledge the packet and discard it (AckAndDropAedes.drop). */
  readonly drop: (packet: PublishPacket) => void;
  /** For failures of the handler itself, which must never reach Aedes as an error. */
  readonly onError: (error: unknown, client: Client | null) => void;
}

/**
 * True when Aedes is authorizing `client`'s Will rather than a PUBLISH it sent: Aedes passes the
 * Will object it keeps on the client (lib/client.js, close()), or no client at all for a Will left
 * by a broker that has gone away (§3.1.2.5).
 */
function isWill(client: Client | null, packet: PublishPacket): boolean {
  return client === null || (client as Client & { readonly will?: unknown }).will === packet;
}

function payloadBytes(packet: PublishPacket): number {
  const payload: Buffer | string = packet.payload;
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}

/** Builds the Aedes `authorizePublish` handler. It never throws and never fails a publish with an error. */
export function createAuthorizePublish(options: AuthorizePublishOptions): AuthorizePublishHandler {
  const { acl, identities, maxPayloadBytes, rateLimiter, metrics, warnings, drop, onError } = options;

  function decide(client: Client | null, packet: PublishPacket, will: boolean): PublishDeniedReason | undefined {
    const identity = identities.of(client);
    if (identity === undefined || !acl.canPublish(identity, packet.topic)) return will ? 'will_not_allowed' : 'topic_not_allowed';
    if (payloadBytes(packet) > maxPayloadBytes) return 'payload_too_large';
    if (rateLimiter !== undefined && identity.kind === 'device' && !will && !rateLimiter.take(identity.siteId)) return 'rate_limited';
    return undefined;
  }

  return (client, packet, callback) => {
    let reason: PublishDeniedReason | undefined;
    try {
      const will = isWill(client, packet);
      if (!will) metrics.messageReceived();
      reason = decide(client, packet, will);
      if (reason !== undefined) {
        drop(packet);
        metrics.publishDropped(reason);
        warnings.warn(
          client,
          { ...describeClient(client, identities.of(client)), topic: packet.topic, reason, bytes: payloadBytes(packet) },
          'publish dropped',
        );
      }
    } catch (error) {
      // Fail closed: a message whose check failed is dropped.
      if (reason === undefined) drop(packet);
      onError(error, client);
    }
    callback(null);
  };
}
