/** Shared by the subscription and notification routes: the notifier's store, and who may act for whom. */
import { apiErrorBodySchema } from '../../../common/errors.js';
import type { Subscription } from '../../../common/notifications.js';
import { AppError, notFound } from '../../../platform/errors.js';
import type { NotificationStore } from '../../../platform/store/types.js';
import { hasRole } from '../auth/require-auth.js';
import type { AuthInfo } from '../auth/session.js';
import type { WebContext } from '../context.js';
import type { ResponseSpec } from './route-spec.js';

/** `503 unavailable`: no notifier answers (split mode with ingest down). */
export const notifierUnavailable: Readonly<Record<number, ResponseSpec>> = {
  503: { description: '`unavailable`: the notifier (ingest) cannot be reached', schema: apiErrorBodySchema },
};

/** The notifier's store, or `503 unavailable`. */
export function notificationsOf(ctx: WebContext): NotificationStore {
  if (!ctx.notifications) throw new AppError('unavailable', 'notifications are not available in this deployment');
  return ctx.notifications;
}

/** The caller of a session route (always set there). */
export function callerOf(auth: AuthInfo | undefined): AuthInfo {
  if (!auth) throw new AppError('unauthenticated', 'Log in first');
  return auth;
}

export const isAdmin = (auth: AuthInfo): boolean => hasRole(auth.user.role, 'admin');

/** The subscription when the caller owns it or is an admin; `404` otherwise, so ids of others are not revealed. */
export async function ownedSubscription(store: NotificationStore, id: string, auth: AuthInfo): Promise<Subscription> {
  const subscription = await store.getSubscription(id);
  if (!subscription || (subscription.username !== auth.user.username && !isAdmin(auth))) throw notFound(`Subscription ${id}`);
  return subscription;
}

/** Webhooks send data to an address the caller chooses: operators and admins only. */
export function requireWebhookRole(channels: readonly { readonly type: string }[], auth: AuthInfo): void {
  if (channels.some((channel) => channel.type === 'webhook') && !hasRole(auth.user.role, 'operator')) {
    throw new AppError('forbidden', 'Webhook channels need the operator role');
  }
}
