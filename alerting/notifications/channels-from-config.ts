/** Builds the external notification channels and the escalation timing from the platform configuration. */
import type { Config } from '../../platform/config/config.js';
import { PLATFORM_VERSION } from '../../platform/version.js';
import type { NotificationChannel } from './channels/channel.js';
import { EmailChannel } from './channels/email-channel.js';
import { GatewayChannel } from './channels/gateway-channel.js';
import { WebhookChannel } from './channels/webhook-channel.js';
import type { EscalationSettings } from './escalation.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

type NotificationConfig = Pick<
  Config,
  | 'SMTP_URL'
  | 'SMTP_FROM'
  | 'NOTIFY_WEBHOOK_SECRET'
  | 'NOTIFY_GATEWAY_URL'
  | 'NOTIFY_GATEWAY_BODY'
  | 'NOTIFY_GATEWAY_CONTENT_TYPE'
  | 'NOTIFY_GATEWAY_AUTHORIZATION'
  | 'NOTIFY_REMINDER_MINUTES'
  | 'NOTIFY_ESCALATE_AFTER_MINUTES'
  | 'NOTIFY_MAX_ATTEMPTS'
>;

/** Webhook, e-mail and gateway channels; an unconfigured one reports so and refuses deliveries. */
export function channelsFromConfig(config: NotificationConfig, clock: () => number): NotificationChannel[] {
  const userAgent = `MekongIOC/${PLATFORM_VERSION}`;
  return [
    new WebhookChannel({ secret: config.NOTIFY_WEBHOOK_SECRET, clock, userAgent }),
    new EmailChannel({ smtpUrl: config.SMTP_URL, from: config.SMTP_FROM }),
    new GatewayChannel({
      url: config.NOTIFY_GATEWAY_URL,
      bodyTemplate: config.NOTIFY_GATEWAY_BODY,
      contentType: config.NOTIFY_GATEWAY_CONTENT_TYPE,
      authorization: config.NOTIFY_GATEWAY_AUTHORIZATION,
      userAgent,
    }),
  ];
}

/** NOTIFY_REMINDER_MINUTES and NOTIFY_ESCALATE_AFTER_MINUTES in ms. */
export function escalationFromConfig(config: NotificationConfig): EscalationSettings {
  return { reminderIntervalMs: config.NOTIFY_REMINDER_MINUTES * 60_000, escalateAfterMs: config.NOTIFY_ESCALATE_AFTER_MINUTES * 60_000 };
}

/** The default retry schedule with NOTIFY_MAX_ATTEMPTS. */
export function retryPolicyFromConfig(config: NotificationConfig): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, maxAttempts: config.NOTIFY_MAX_ATTEMPTS };
}
