/**
 * The message stored with each outbox delivery, rendered when the notification is planned so a
 * retry after a restart sends exactly what was planned. Each channel keeps what it needs: the
 * e-mail also its HTML, the webhook its JSON body.
 */
import { z } from 'zod';
import { ALERT_SEVERITIES } from '../../common/alerts.js';
import { NOTIFICATION_KINDS, NOTIFICATION_LANGUAGES } from '../../common/notifications.js';

export const outboxMessageSchema = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  language: z.enum(NOTIFICATION_LANGUAGES),
  severity: z.enum(ALERT_SEVERITIES),
  alertId: z.string(),
  siteId: z.string(),
  title: z.string(),
  subject: z.string(),
  text: z.string(),
  /** One line for SMS/chat. */
  short: z.string(),
  link: z.string(),
  /** E-mail only. */
  html: z.string().optional(),
  /** Webhook only: the JSON body without its delivery id. */
  payload: z.record(z.string(), z.unknown()).optional(),
});
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;
