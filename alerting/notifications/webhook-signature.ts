/**
 * Webhook signatures: `X-IOC-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the HMAC key is
 * NOTIFY_WEBHOOK_SECRET and the signed text is `<t>.<raw body>`. Binding the timestamp into the MAC
 * lets a receiver refuse replays: it recomputes the MAC over the bytes it received, compares in
 * constant time, and rejects timestamps outside its tolerance (5 minutes by default). Every attempt
 * is signed afresh, so retries carry a current timestamp; `X-IOC-Delivery` stays the same across
 * attempts for de-duplication.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the signature. */
export const SIGNATURE_HEADER = 'X-IOC-Signature';
/** Header carrying the delivery id (the same on every attempt of one message). */
export const DELIVERY_HEADER = 'X-IOC-Delivery';
/** Header carrying the event name, e.g. `alert.raised`. */
export const EVENT_HEADER = 'X-IOC-Event';
/** Default tolerance of {@link verifyWebhookSignature}, seconds. */
export const DEFAULT_SIGNATURE_TOLERANCE_SEC = 300;

function mac(secret: string, timestampSec: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex');
}

/** The `X-IOC-Signature` value for `body` (the exact bytes sent, as UTF-8 text) at `timestampSec` (unix seconds). */
export function signWebhook(secret: string, body: string, timestampSec: number): string {
  return `t=${timestampSec},v1=${mac(secret, timestampSec, body)}`;
}

export type SignatureCheck = { readonly valid: true; readonly timestampSec: number } | { readonly valid: false; readonly reason: string };

/**
 * Checks a received webhook: the header is well formed, its timestamp is within `toleranceSec` of
 * `nowMs` (epoch ms), and one of its `v1` MACs matches. For receivers (and our tests).
 */
export function verifyWebhookSignature(options: {
  readonly secret: string;
  readonly header: string | undefined | null;
  readonly body: string;
  readonly nowMs: number;
  readonly toleranceSec?: number;
}): SignatureCheck {
  const { header } = options;
  if (!header) return { valid: false, reason: 'missing signature header' };
  const pairs = header.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]);
  const timestampText = pairs.find(([key]) => key === 't')?.[1];
  const signatures = pairs.filter(([key]) => key === 'v1').map(([, value]) => value ?? '');
  if (timestampText === undefined || !/^\d{1,12}$/.test(timestampText) || signatures.length === 0) {
    return { valid: false, reason: 'malformed signature header' };
  }
  const timestampSec = Number(timestampText);
  const tolerance = options.toleranceSec ?? DEFAULT_SIGNATURE_TOLERANCE_SEC;
  if (Math.abs(options.nowMs / 1000 - timestampSec) > tolerance) return { valid: false, reason: 'timestamp outside tolerance' };
  const expected = Buffer.from(mac(options.secret, timestampSec, options.body), 'hex');
  const matches = signatures.some((signature) => {
    if (!/^[0-9a-f]{64}$/.test(signature)) return false;
    return timingSafeEqual(Buffer.from(signature, 'hex'), expected);
  });
  return matches ? { valid: true, timestampSec } : { valid: false, reason: 'signature mismatch' };
}
