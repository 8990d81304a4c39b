/**
 * The broker's access-control list: which identity may publish on and subscribe to which topics.
 * Pure rules over the topic contract in common/topics.ts; the Aedes handlers (authorize-publish.ts,
 * authorize-subscribe.ts) apply them, count denials and decide what a denial does on the wire.
 *
 * - A device (username = its site id) publishes only `sites/{own id}/telemetry|status|events` and
 *   subscribes only to `sites/{own id}/commands`.
 * - Each internal service has the rights listed in {@link SERVICE_ACL}.
 */
import { type DeviceChannel, type PlatformChannel, parseAlertTopic, parseTopic, topicFilters } from '../common/topics.js';
import type { ServiceName } from '../platform/security/service-credentials.js';
import type { ClientIdentity } from './client-identity.js';

/** A family of topics: one channel for every site, e.g. every site's telemetry. */
export type TopicClass =
  | { readonly scope: 'device'; readonly channel: DeviceChannel }
  | { readonly scope: 'platform'; readonly channel: PlatformChannel }
  /** Alert changes, `alerts/{siteId}` (common/alerts.ts AlertChange). */
  | { readonly scope: 'alerts' };

const device = (channel: DeviceChannel): TopicClass => ({ scope: 'device', channel });
const platform = (channel: PlatformChannel): TopicClass => ({ scope: 'platform', channel });
const alerts: TopicClass = { scope: 'alerts' };

export interface ServiceRights {
  readonly publish: readonly TopicClass[];
  readonly subscribe: readonly TopicClass[];
}

/**
 * What each internal service may do. Extension point: when a new platform channel is added to
 * common/topics.ts (e.g. alerts raised by ingest), list it under the service that publishes it and
 * the one that subscribes to it, and give it a wildcard filter in {@link wildcardFilter}.
 */
export const SERVICE_ACL: Readonly<Record<ServiceName, ServiceRights>> = {
  /** Reads what devices publish, republishes validated data for live consumers, publishes alert changes. */
  ingest: {
    publish: [platform('readings'), platform('site-status'), alerts],
    subscribe: [device('telemetry'), device('status'), device('events')],
  },
  /** Streams validated data and alert changes to browsers; sends commands to devices on an operator's behalf. */
  web: {
    publish: [device('commands')],
    subscribe: [platform('readings'), platform('site-status'), alerts],
  },
  /** Plays the devices of every demo site, so it has every device's rights for every site. */
  simulator: {
    publish: [device('telemetry'), device('status'), device('events')],
    subscribe: [device('commands')],
  },
};

/** The all-sites subscription filter of a topic class, from {@link topicFilters} (e.g. every site's telemetry). */
export function wildcardFilter(topicClass: TopicClass): string {
  if (topicClass.scope === 'alerts') return topicFilters.allAlerts;
  if (topicClass.scope === 'platform') {
    return topicClass.channel === 'readings' ? topicFilters.allPlatformReadings : topicFilters.allPlatformSiteStatus;
  }
  switch (topicClass.channel) {
    case 'telemetry':
      return topicFilters.allDeviceTelemetry;
    case 'status':
      return topicFilters.allDeviceStatus;
    case 'events':
      return topicFilters.allDeviceEvents;
    case 'commands':
      return topicFilters.allDeviceCommands;
  }
}

/** Is the concrete topic in one of the classes? */
function inClasses(topic: string, classes: readonly TopicClass[]): boolean {
  const parsed = parseTopic(topic);
  if (parsed) return classes.some((c) => c.scope === parsed.scope && c.channel === parsed.channel);
  return parseAlertTopic(topic) !== undefined && classes.some((c) => c.scope === 'alerts');
}

/** Distinct topics remembered per service before the memo starts over; bounds memory against junk topics. */
const PUBLISH_MEMO_CAPACITY = 10_000;

/**
 * Evaluates the ACL. Stateless apart from a bounded memo of service publish decisions: ingest and
 * the simulators publish on the same few thousand topics over and over, and a Map lookup is much
 * cheaper than parsing and validating the topic for every message.
 */
export class Acl {
  private readonly subscribeFilters: Readonly<Record<ServiceName, ReadonlySet<string>>>;
  private readonly publishMemo: Readonly<Record<ServiceName, Map<string, boolean>>>;

  constructor() {
    const filtersOf = (rights: ServiceRights) => new Set(rights.subscribe.map(wildcardFilter));
    this.subscribeFilters = {
      ingest: filtersOf(SERVICE_ACL.ingest),
      web: filtersOf(SERVICE_ACL.web),
      simulator: filtersOf(SERVICE_ACL.simulator),
    };
    this.publishMemo = { ingest: new Map(), web: new Map(), simulator: new Map() };
  }

  /** May `identity` publish on the concrete topic `topic`? */
  canPublish(identity: ClientIdentity, topic: string): boolean {
    if (identity.kind === 'device') return identity.publishTopics.has(topic);
    const memo = this.publishMemo[identity.service];
    const known = memo.get(topic);
    if (known !== undefined) return known;
    const allowed = inClasses(topic, SERVICE_ACL[identity.service].publish);
    if (memo.size >= PUBLISH_MEMO_CAPACITY) memo.clear();
    memo.set(topic, allowed);
    return allowed;
  }

  /**
   * May `identity` subscribe with `filter`? Services may use their all-sites wildcard filter or any
   * concrete topic of the same class (one site); nothing broader: a multi-level wildcard is refused.
   */
  canSubscribe(identity: ClientIdentity, filter: string): boolean {
    if (identity.kind === 'device') return filter === identity.commandsTopic;
    if (this.subscribeFilters[identity.service].has(filter)) return true;
    return inClasses(filter, SERVICE_ACL[identity.service].subscribe);
  }
}
