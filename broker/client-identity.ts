/**
 * Who an MQTT connection is, as established by the authenticate handler and read by the ACL
 * handlers. Kept in a WeakMap keyed by the Aedes client so nothing is added to Aedes' own objects
 * and an identity disappears with its connection.
 */
import type { Client } from 'aedes';
import { DEVICE_PUBLISH_CHANNELS, topics } from '../common/topics.js';
import { SERVICE_USERS, type ServiceName } from '../platform/security/service-credentials.js';

/** A field device, authenticated as its site (username = site id, password = device token). */
export interface DeviceIdentity {
  readonly kind: 'device';
  readonly siteId: string;
  /** The exact topics it may publish on, precomputed so the per-message check is one Set lookup. */
  readonly publishTopics: ReadonlySet<string>;
  /** The one topic it may subscribe to. */
  readonly commandsTopic: string;
  /** Stable key naming this identity (the site id); used to guard client ids. */
  readonly key: string;
}

/** An internal platform service (ingest, web, simulators), authenticated with the service token. */
export interface ServiceIdentity {
  readonly kind: 'service';
  readonly service: ServiceName;
  /** Stable key naming this identity (the service's MQTT username). */
  readonly key: string;
}

export type ClientIdentity = DeviceIdentity | ServiceIdentity;

/** Builds a device identity; throws if `siteId` is not a valid site id (topic builders validate it). */
export function deviceIdentity(siteId: string): DeviceIdentity {
  return {
    kind: 'device',
    siteId,
    publishTopics: new Set(DEVICE_PUBLISH_CHANNELS.map((channel) => topics[channel](siteId))),
    commandsTopic: topics.commands(siteId),
    key: siteId,
  };
}

export function serviceIdentity(service: ServiceName): ServiceIdentity {
  return { kind: 'service', service, key: SERVICE_USERS[service] };
}

/** Identities of authenticated connections. */
export class ClientIdentities {
  private readonly byClient = new WeakMap<Client, ClientIdentity>();

  attach(client: Client, identity: ClientIdentity): void {
    this.byClient.set(client, identity);
  }

  /** The identity of an authenticated client; undefined before authentication or for Aedes-internal publishes. */
  of(client: Client | null): ClientIdentity | undefined {
    return client ? this.byClient.get(client) : undefined;
  }
}

/** Log fields naming a client, for warnings about it. */
export function describeClient(client: Client | null, identity: ClientIdentity | undefined): Record<string, string | undefined> {
  return {
    clientId: client?.id,
    identity: identity?.key,
  };
}
