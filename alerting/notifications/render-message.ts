/**
 * Renders one notification in the subscriber's language: a headline, an e-mail (plain text and
 * HTML), a one-line text for SMS/chat gateways and the in-app feed entry, all carrying the site's
 * name, the metric, the value with its catalog unit, the threshold, the severity, the local time
 * (Asia/Ho_Chi_Minh) and a link to the site on the map. Site names and comments come from users and
 * devices: they are escaped in HTML and stripped of control characters everywhere.
 */
import type { Alert } from '../../common/alerts.js';
import { isMetricId, METRICS } from '../../common/metrics.js';
import type { NotificationKind, NotificationLanguage } from '../../common/notifications.js';
import type { Site } from '../../common/sites.js';
import { formatLocalTime, formatShortLocalTime } from './local-time.js';
import { LABELS } from './message-labels.js';

/** What a message is about. */
export interface MessageContext {
  readonly alert: Alert;
  /** Undefined when the site is no longer registered (the id is shown instead). */
  readonly site: Site | undefined;
  readonly kind: NotificationKind;
  readonly language: NotificationLanguage;
  /** PUBLIC_URL without a trailing slash. */
  readonly publicUrl: string;
  /** Epoch ms the message is produced (the time of reminders and escalations). */
  readonly now: number;
  /** Escalation delay, ms (named in the escalation headline). */
  readonly escalateAfterMs: number;
}

/** A message ready for every channel. */
export interface RenderedMessage {
  /** Headline with severity and site, for the feed and chat. */
  readonly title: string;
  readonly subject: string;
  /** Plain text, several lines. */
  readonly text: string;
  /** HTML e-mail body; every interpolated value is escaped. */
  readonly html: string;
  /** One line for SMS and chat gateways (at most {@link SHORT_MESSAGE_MAX_CHARS} characters). */
  readonly short: string;
  /** The site on the map. */
  readonly link: string;
}

/** Longest one-line message, characters (two SMS segments in UCS-2 are 134; chat apps take more). */
export const SHORT_MESSAGE_MAX_CHARS = 320;

const SEVERITY_COLORS = { critical: '#b71c1c', major: '#e65100', minor: '#f9a825', warning: '#1565c0' } as const;

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Control characters (newlines included) become spaces, so a name cannot break a header or a line. */
export function oneLine(text: string): string {
  return text
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The map link of a site: PUBLIC_URL + `/?site=<id>`. */
export function siteLink(publicUrl: string, siteId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/?site=${encodeURIComponent(siteId)}`;
}

/** A value in the metric's catalog unit with its catalog precision, in the language's number format (2,50 mg/L). */
export function formatValue(value: number, metric: string | null, unit: string, language: NotificationLanguage): string {
  const definition = metric !== null && isMetricId(metric) ? METRICS[metric] : undefined;
  const decimals = definition?.decimals;
  const formatted = new Intl.NumberFormat(language === 'vi' ? 'vi-VN' : 'en-US', {
    minimumFractionDigits: decimals ?? 0,
    maximumFractionDigits: decimals ?? 3,
    useGrouping: false,
  }).format(value);
  const shownUnit = definition?.unit ?? unit;
  return shownUnit === '' ? formatted : `${formatted} ${shownUnit}`;
}

function whatLabel(alert: Alert, language: NotificationLanguage): string {
  if (alert.metric !== null && isMetricId(alert.metric)) return METRICS[alert.metric].label[language];
  return LABELS[language].condition[alert.condition];
}

function eventTime(context: MessageContext): number {
  const { alert, kind, now } = context;
  switch (kind) {
    case 'raised':
      return alert.raisedAt;
    case 'severity_changed':
      return alert.updatedAt;
    case 'acknowledged':
      return alert.ackedAt ?? now;
    case 'cleared':
      return alert.clearedAt ?? now;
    case 'reminder':
    case 'escalation':
      return now;
  }
}

interface Field {
  readonly label: string;
  readonly value: string;
  /** Rendered as a link in HTML. */
  readonly href?: string;
}

/** Renders the message; see the module comment. */
export function renderMessage(context: MessageContext): RenderedMessage {
  const { alert, site, kind, language } = context;
  const words = LABELS[language];
  const siteName = oneLine(site?.name ?? alert.siteId);
  const siteLabel = site ? `${siteName} (${alert.siteId})` : alert.siteId;
  const severity = words.severity[alert.severity];
  const headline = words.headline[kind].replace('{minutes}', String(Math.round(context.escalateAfterMs / 60_000)));
  const what = whatLabel(alert, language);
  const value = alert.lastValue === null ? undefined : formatValue(alert.lastValue, alert.metric, alert.unit, language);
  const threshold = alert.threshold === null ? undefined : formatValue(alert.threshold, alert.metric, alert.unit, language);
  const peak =
    alert.peakValue !== null && alert.peakValue !== alert.lastValue
      ? formatValue(alert.peakValue, alert.metric, alert.unit, language)
      : undefined;
  const time = eventTime(context);
  const link = siteLink(context.publicUrl, alert.siteId);
  const lastComment = alert.comments.at(-1);

  const fields: Field[] = [
    { label: words.site, value: siteLabel },
    ...(site
      ? [
          {
            label: words.province,
            value:
              site.province.current === site.province.former
                ? oneLine(site.province.current)
                : `${oneLine(site.province.current)} (${words.formerly} ${oneLine(site.province.former)})`,
          },
        ]
      : []),
    { label: words.metric, value: what },
    ...(value === undefined ? [] : [{ label: words.value, value }]),
    ...(peak === undefined ? [] : [{ label: words.peak, value: peak }]),
    ...(threshold === undefined ? [] : [{ label: words.threshold, value: threshold }]),
    { label: words.severityLabel, value: severity },
    { label: words.rule, value: oneLine(alert.ruleName[language]) },
    { label: words.time, value: formatLocalTime(time, language) },
    ...(time === alert.raisedAt ? [] : [{ label: words.raisedAt, value: formatLocalTime(alert.raisedAt, language) }]),
    ...(kind === 'acknowledged' && alert.ackedBy !== null ? [{ label: words.acknowledgedBy, value: oneLine(alert.ackedBy) }] : []),
    ...(lastComment && (kind === 'acknowledged' || kind === 'cleared')
      ? [{ label: words.comment, value: `${oneLine(lastComment.text)} — ${oneLine(lastComment.by)}` }]
      : []),
    { label: words.openMap, value: link, href: link },
  ];

  const valuePart = value === undefined ? what : `${what} ${value}`;
  const title = `[${severity}] ${headline}: ${valuePart} — ${siteLabel}`;
  const subject = title;
  const text = [title, '', ...fields.map((field) => `${field.label}: ${field.value}`), '', words.footer].join('\n');
  const thresholdPart = threshold === undefined ? '' : ` (${words.threshold.toLowerCase()} ${threshold})`;
  const short = truncate(
    `[${severity}] ${headline}: ${valuePart}${thresholdPart} ${words.at} ${siteLabel}, ${formatShortLocalTime(time)} ${link}`,
    SHORT_MESSAGE_MAX_CHARS,
    link,
  );
  return { title, subject, text, html: renderHtml(title, fields, alert.severity, words.footer, language), short, link };
}

/** Keeps the link whole: shortens the part before it with an ellipsis when the line is too long. */
function truncate(line: string, max: number, link: string): string {
  if (line.length <= max) return line;
  const head = line.slice(0, line.length - link.length - 1);
  return `${head.slice(0, Math.max(0, max - link.length - 2))}… ${link}`;
}

function renderHtml(
  title: string,
  fields: readonly Field[],
  severity: Alert['severity'],
  footer: string,
  language: NotificationLanguage,
): string {
  const rows = fields
    .map((field) => {
      const value = field.href ? `<a href="${escapeHtml(field.href)}">${escapeHtml(field.value)}</a>` : escapeHtml(field.value);
      return `<tr><th style="text-align:left;padding:4px 12px 4px 0;vertical-align:top">${escapeHtml(field.label)}</th><td style="padding:4px 0">${value}</td></tr>`;
    })
    .join('');
  return [
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#212121">',
    `<div style="border-left:6px solid ${SEVERITY_COLORS[severity]};padding:8px 12px">`,
    `<h2 style="margin:0 0 8px;font-size:16px">${escapeHtml(title)}</h2>`,
    `<table style="border-collapse:collapse">${rows}</table>`,
    '</div>',
    `<p style="color:#757575;font-size:12px">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('');
}
