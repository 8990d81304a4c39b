/**
 * Keeps one identity from using another identity's MQTT client id.
 *
 * MQTT 3.1.1 §3.1.4 [MQTT-3.1.4-2]: when a client connects with the client id of a connected
 * client, the server disconnects the existing one; §3.1.2.4: with CleanSession = 0 the server
 * resumes the session stored under that id (its subscriptions and queued QoS 1/2 messages), and
 * with CleanSession = 1 it discards it. Without this guard a device that learned ingest's client id
 * could knock ingest off the broker in a loop, wipe its persistent session, or resume it and be
 * sent the telemetry queued for ingest.
 *
 * Rules: a device may not use a client id held by a connected client of another identity, nor one
 * that a service or another identity's persistent session has used since the broker started.
 * Services are trusted and may take over any id (the displaced device is then refused on reconnect).
 */
import type { Client } from 'aedes';
import type { ClientIdentity } from './client-identity.js';

/** Reserved client ids remembered; the least recently registered is forgotten beyond it. */
const DEFAULT_RESERVED_CAPACITY = 100_000;

export class ClientIdGuard {
  /** Client id → the registered client and its identity key. */
  private readonly connected = new Map<string, { readonly client: Client; readonly key: string }>();
  /** Client id → identity key of the service or persistent session that used it. */
  private readonly reserved = new Map<string, string>();

  constructor(private readonly reservedCapacity = DEFAULT_RESERVED_CAPACITY) {}

  /** May `identity` connect with `clientId`? */
  allows(clientId: string, identity: ClientIdentity): boolean {
    if (identity.kind === 'service') return true;
    const holder = this.connected.get(clientId)?.key ?? this.reserved.get(clientId);
    return holder === undefined || holder === identity.key;
  }

  /** Call when Aedes has registered an authenticated client (its `client` event). */
  registered(client: Client, identity: ClientIdentity): void {
    this.connected.set(client.id, { client, key: identity.key });
    if (identity.kind === 'service' || !client.clean) {
      this.reserved.delete(client.id);
      this.reserved.set(client.id, identity.key);
      if (this.reserved.size > this.reservedCapacity) {
        const oldest = this.reserved.keys().next();
        if (!oldest.done) this.reserved.delete(oldest.value);
      }
    }
  }

  /** Call when Aedes has unregistered a client (its `clientDisconnect` event). */
  unregistered(client: Client): void {
    if (this.connected.get(client.id)?.client === client) this.connected.delete(client.id);
  }

  clear(): void {
    this.connected.clear();
    this.reserved.clear();
  }
}
