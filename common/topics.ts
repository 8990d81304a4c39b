/**
 * MQTT topic contract. Every topic the platform publishes or subscribes to is built and parsed
 * here; nobody writes a topic string by hand. Site ids are validated so a crafted id can never
 * inject wildcard (`+`, `#`) or extra levels (`/`) into a topic (MQTT 3.1.1 §4.7).
 */
import { siteIdSchema } from './sites.js';

/** Channels a device owns under `sites/{siteId}/…`. */
export const DEVICE_CHANNELS = ['telemetry', 'status', 'events', 'commands'] as const;
export type DeviceChannel = (typeof DEVICE_CHANNELS)[number];

/** Channels a device may publish on; `commands` flows the other way. */
export const DEVICE_PUBLISH_CHANNELS: readonly DeviceChannel[] = ['telemetry', 'status', 'events'];

/** Channels the platform publishes after ingest has validated a message (`platform/{channel}/{siteId}`). */
export const PLATFORM_CHANNELS = ['readings', 'site-status'] as const;
export type PlatformChannel = (typeof PLATFORM_CHANNELS)[number];

const SITES = 'sites';
const PLATFORM = 'platform';
const ALERTS = 'alerts';

function checkedSiteId(siteId: string): string {
  return siteIdSchema.parse(siteId);
}

/** Topic builders. Each throws if the site id is not a valid {@link siteIdSchema}. */
export const topics = {
  /** Device → platform readings, QoS 1. */
  telemetry: (siteId: string) => `${SITES}/${checkedSiteId(siteId)}/telemetry`,
  /** Device → platform status, retained; the device's Last Will publishes `offline` here. */
  status: (siteId: string) => `${SITES}/${checkedSiteId(siteId)}/status`,
  /** Device → platform camera analytics and device events. */
  events: (siteId: string) => `${SITES}/${checkedSiteId(siteId)}/events`,
  /** Platform → device commands; the only topic a device may subscribe to. */
  commands: (siteId: string) => `${SITES}/${checkedSiteId(siteId)}/commands`,
  /** Accepted, normalised readings fanned out by ingest to live consumers (web). */
  platformReadings: (siteId: string) => `${PLATFORM}/readings/${checkedSiteId(siteId)}`,
  /** Accepted device status changes fanned out by ingest. */
  platformSiteStatus: (siteId: string) => `${PLATFORM}/site-status/${checkedSiteId(siteId)}`,
  /** Alert changes (common/alerts.ts AlertChange) for web and downstream systems, QoS 1. */
  alerts: (siteId: string) => `${ALERTS}/${checkedSiteId(siteId)}`,
} as const;

/** Subscription filters (with wildcards) used by platform services. */
export const topicFilters = {
  /** Everything devices publish: ingest subscribes here. */
  allDeviceTelemetry: `${SITES}/+/telemetry`,
  allDeviceStatus: `${SITES}/+/status`,
  allDeviceEvents: `${SITES}/+/events`,
  /** Commands to every device: the demo simulators subscribe here on behalf of the sites they play. */
  allDeviceCommands: `${SITES}/+/commands`,
  /** Everything ingest republishes: web subscribes here. */
  allPlatformReadings: `${PLATFORM}/readings/+`,
  allPlatformSiteStatus: `${PLATFORM}/site-status/+`,
  /** Every alert change. */
  allAlerts: `${ALERTS}/+`,
} as const;

export type ParsedTopic =
  | { readonly scope: 'device'; readonly siteId: string; readonly channel: DeviceChannel }
  | { readonly scope: 'platform'; readonly siteId: string; readonly channel: PlatformChannel };

/** The site of a concrete alert topic (`alerts/{siteId}`), or undefined for any other topic. */
export function parseAlertTopic(topic: string): string | undefined {
  const levels = topic.split('/');
  if (levels.length !== 2 || levels[0] !== ALERTS) return undefined;
  const siteId = levels[1];
  return siteId !== undefined && siteIdSchema.safeParse(siteId).success ? siteId : undefined;
}

/**
 * Parses a concrete (wildcard-free) topic into its site and channel, or returns undefined when
 * the topic is not part of the contract. Used by ingest to route messages and by the broker ACL.
 */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const levels = topic.split('/');
  if (levels.length !== 3) return undefined;
  const [first, second, third] = levels as [string, string, string];
  if (first === SITES) {
    if (!siteIdSchema.safeParse(second).success) return undefined;
    const channel = DEVICE_CHANNELS.find((c) => c === third);
    return channel ? { scope: 'device', siteId: second, channel } : undefined;
  }
  if (first === PLATFORM) {
    if (!siteIdSchema.safeParse(third).success) return undefined;
    const channel = PLATFORM_CHANNELS.find((c) => c === second);
    return channel ? { scope: 'platform', siteId: third, channel } : undefined;
  }
  return undefined;
}
