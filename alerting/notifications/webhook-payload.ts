/**
 * The JSON body of a webhook (documented in docs/notifications.md): the event, the full alert as in
 * the REST API, the site, the map link and the rendered message in the subscriber's language.
 * `id` (the delivery id, the same on every attempt) is added when it is sent.
 */
import type { Alert } from '../../common/alerts.js';
import type { NotificationKind, NotificationLanguage } from '../../common/notifications.js';
import type { Site } from '../../common/sites.js';
import type { RenderedMessage } from './render-message.js';

export function webhookPayload(options: {
  readonly kind: NotificationKind;
  readonly alert: Alert;
  readonly site: Site | undefined;
  readonly language: NotificationLanguage;
  readonly rendered: RenderedMessage;
  /** Epoch ms the notification was planned. */
  readonly createdAt: number;
}): Record<string, unknown> {
  const { kind, alert, site, language, rendered } = options;
  return {
    event: `alert.${kind}`,
    kind,
    createdAt: options.createdAt,
    alert,
    site: site ? { id: site.id, name: site.name, kind: site.kind, province: site.province, lat: site.lat, lon: site.lon } : null,
    link: rendered.link,
    message: { language, title: rendered.title, text: rendered.text },
  };
}
