/**
 * Subscription, feed and outbox management as the REST API needs it ({@link NotificationStore}),
 * run by the process that sends notifications: it checks subscriptions against the sites it knows
 * and the channels it has configured before storing them. Authorisation (who may edit whose
 * subscription) is the web server's job; this layer trusts its caller.
 */
import { randomUUID } from 'node:crypto';
import {
  type ChannelStatus,
  type Delivery,
  type DeliveryListResponse,
  type FeedResponse,
  type Subscription,
  type SubscriptionInput,
  subscriptionInputSchema,
} from '../../common/notifications.js';
import { AppError, type ErrorDetail, notFound } from '../../platform/errors.js';
import type { SiteLookup } from '../../platform/sites/site-lookup.js';
import type { DeliveryQuery, NotificationStore } from '../../platform/store/types.js';
import type { NotificationRepository } from './notification-repository.js';
import { targetAddress } from './recipients.js';
import { siteInProvince } from './subscription-matching.js';

/** Most subscriptions one user may have. */
export const MAX_SUBSCRIPTIONS_PER_USER = 50;

export interface NotificationServiceOptions {
  readonly repository: NotificationRepository;
  readonly sites: SiteLookup;
  /** The channels this process can send on, and whether each is configured. */
  readonly channelStatus: () => readonly ChannelStatus[];
  /** Epoch ms. */
  readonly clock: () => number;
  /** Called after every change of subscriptions or the outbox (the notifier pumps the outbox). */
  readonly onOutboxChange?: () => void;
}

export class NotificationService implements NotificationStore {
  constructor(private readonly options: NotificationServiceOptions) {}

  listSubscriptions(username: string | null): Promise<Subscription[]> {
    return this.options.repository.listSubscriptions(username);
  }

  getSubscription(id: string): Promise<Subscription | undefined> {
    return this.options.repository.getSubscription(id);
  }

  async createSubscription(username: string, input: SubscriptionInput): Promise<Subscription> {
    const definition = await this.validate(input);
    const existing = await this.options.repository.listSubscriptions(username);
    if (existing.length >= MAX_SUBSCRIPTIONS_PER_USER) {
      throw new AppError('conflict', `a user may have at most ${MAX_SUBSCRIPTIONS_PER_USER} subscriptions`);
    }
    const now = this.options.clock();
    const subscription: Subscription = { id: randomUUID(), username, ...definition, createdAt: now, updatedAt: now };
    await this.options.repository.saveSubscription(subscription);
    return subscription;
  }

  async updateSubscription(id: string, input: SubscriptionInput): Promise<Subscription> {
    const current = await this.options.repository.getSubscription(id);
    if (!current) throw notFound(`Subscription ${id}`);
    const definition = await this.validate(input);
    const updated: Subscription = {
      id,
      username: current.username,
      ...definition,
      createdAt: current.createdAt,
      updatedAt: Math.max(this.options.clock(), current.createdAt),
    };
    await this.options.repository.saveSubscription(updated);
    return updated;
  }

  deleteSubscription(id: string): Promise<boolean> {
    return this.options.repository.deleteSubscription(id);
  }

  async listFeed(username: string, limit: number, unreadOnly: boolean): Promise<FeedResponse> {
    return this.options.repository.listFeed(username, limit, unreadOnly);
  }

  markFeedRead(username: string, ids: readonly string[] | null): Promise<number> {
    return this.options.repository.markFeedRead(username, ids, this.options.clock());
  }

  listDeliveries(query: DeliveryQuery): Promise<DeliveryListResponse> {
    return this.options.repository.listDeliveries(query);
  }

  async retryDelivery(id: string): Promise<Delivery> {
    const { repository } = this.options;
    const delivery = await repository.getDelivery(id);
    if (!delivery) throw notFound(`Delivery ${id}`);
    if (!(await repository.requeueDead(id, this.options.clock()))) {
      throw new AppError('conflict', `delivery ${id} is ${delivery.status}; only dead deliveries are retried`);
    }
    this.options.onOutboxChange?.();
    const requeued = await repository.getDelivery(id);
    if (!requeued) throw notFound(`Delivery ${id}`);
    return requeued;
  }

  async channelStatus(): Promise<ChannelStatus[]> {
    return [...this.options.channelStatus()];
  }

  /** Applies defaults and checks sites, provinces and channels; `validation_failed` lists every problem. */
  private async validate(input: SubscriptionInput): Promise<SubscriptionInput> {
    const parsed = subscriptionInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new AppError(
        'validation_failed',
        'Invalid subscription',
        parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message })),
      );
    }
    const definition = parsed.data;
    const problems: ErrorDetail[] = [];
    const { scope } = definition;
    if (scope.type === 'sites') {
      const unique = new Set(scope.siteIds);
      if (unique.size !== scope.siteIds.length) problems.push({ path: 'scope.siteIds', message: 'lists a site twice' });
      for (const [index, siteId] of scope.siteIds.entries()) {
        if (!(await this.options.sites.resolve(siteId)))
          problems.push({ path: `scope.siteIds.${index}`, message: `unknown site ${siteId}` });
      }
    } else if (scope.type === 'province') {
      const known = this.options.sites.sites;
      if (!known.some((site) => siteInProvince(site, scope.province))) {
        const names = [...new Set(known.flatMap((site) => [site.province.current, site.province.former]))].sort((a, b) =>
          a.localeCompare(b, 'vi'),
        );
        problems.push({
          path: 'scope.province',
          message: `no site in province "${scope.province}"${names.length > 0 ? `; known: ${names.join(', ')}` : ''}`,
        });
      }
    }
    const statuses = new Map(this.options.channelStatus().map((status) => [status.channel, status]));
    const addresses = new Set<string>();
    for (const [index, channel] of definition.channels.entries()) {
      const status = statuses.get(channel.type);
      if (!status?.configured) {
        problems.push({
          path: `channels.${index}`,
          message: `the ${channel.type} channel is not configured: ${status?.detail ?? 'unavailable'}`,
        });
      }
      const key = `${channel.type}\u0000${targetAddress(channel, '')}`;
      if (addresses.has(key)) problems.push({ path: `channels.${index}`, message: 'the same channel and address twice' });
      addresses.add(key);
    }
    if (problems.length > 0) throw new AppError('validation_failed', 'Invalid subscription', problems);
    return definition;
  }
}
