/**
 * One HTTP POST for the webhook and gateway channels, with the outcome rules they share: 2xx is
 * delivered; 408, 425, 429 and 5xx are retried (honouring `Retry-After`); other 4xx are refused for
 * good; redirects are not followed (a notification is never sent somewhere its owner did not name).
 * The response body is discarded unread, so nothing a receiver answers is stored or shown.
 */
import { type DeliveryOutcome, describeError } from './channel.js';

/** Longest a receiver may take to answer, ms. */
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

const RETRYABLE_STATUSES = new Set([408, 425, 429]);

/** `Retry-After` (seconds or an HTTP date) as ms from `nowMs`, or undefined. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** POSTs `body` and classifies the answer; never throws. */
export async function postForDelivery(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<DeliveryOutcome> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (error) {
    return { status: 'retry', error: describeError(error) };
  }
  await response.body?.cancel().catch(() => undefined);
  const status = response.status;
  if (status >= 200 && status < 300) return { status: 'sent' };
  const error = `HTTP ${status}`;
  if (status >= 300 && status < 400) return { status: 'rejected', error: `${error} (redirects are not followed)` };
  if (status >= 500 || RETRYABLE_STATUSES.has(status)) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    return retryAfterMs === undefined ? { status: 'retry', error } : { status: 'retry', error, retryAfterMs };
  }
  return { status: 'rejected', error };
}
