/**
 * Turns a planned notification into concrete recipients: every enabled subscription of the right
 * escalation level whose scope covers the site and whose minimum severity is met, each of its
 * channels — except external ones during quiet hours (critical ignores them). One address gets one
 * message even when several subscriptions match it (the oldest subscription's language wins).
 */
import type { ChannelTarget, NotificationChannelType, Subscription } from '../../common/notifications.js';
import type { Site } from '../../common/sites.js';
import type { PlannedNotification } from './escalation.js';
import { scopeCovers, severityAtLeast, silencedByQuietHours } from './subscription-matching.js';

/** One message to send: to this channel target, for this subscription. */
export interface Recipient {
  readonly subscription: Subscription;
  readonly channel: NotificationChannelType;
  /** The address: user name (in-app), URL, e-mail address or gateway recipient. */
  readonly target: string;
}

/** The address a channel target delivers to. */
export function targetAddress(target: ChannelTarget, username: string): string {
  switch (target.type) {
    case 'in-app':
      return username;
    case 'webhook':
      return target.url;
    case 'email':
      return target.to.toLowerCase();
    case 'gateway':
      return target.to;
  }
}

/**
 * Recipients of `planned` for an alert at `siteId` (`site` undefined when no longer registered),
 * at `now` (epoch ms). `subscriptions` are taken in order; disabled ones are skipped.
 */
export function selectRecipients(
  planned: PlannedNotification,
  siteId: string,
  site: Site | undefined,
  subscriptions: readonly Subscription[],
  now: number,
): Recipient[] {
  const recipients: Recipient[] = [];
  const seen = new Set<string>();
  for (const subscription of subscriptions) {
    if (!subscription.enabled) continue;
    if (!planned.levels.includes(subscription.escalationLevel)) continue;
    if (!scopeCovers(subscription.scope, siteId, site)) continue;
    if (!severityAtLeast(planned.matchSeverity, subscription.minSeverity)) continue;
    const quiet = silencedByQuietHours(subscription.quietHours, planned.matchSeverity, now);
    for (const channel of subscription.channels) {
      if (quiet && channel.type !== 'in-app') continue;
      const target = targetAddress(channel, subscription.username);
      const key = `${channel.type}\u0000${target}`;
      if (seen.has(key)) continue;
      seen.add(key);
      recipients.push({ subscription, channel: channel.type, target });
    }
  }
  return recipients;
}
