import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../../../alerting/notifications/webhook-signature.js';

const secret = 'a-webhook-secret-of-at-least-32-characters';
const body = JSON.stringify({ id: 'd1', event: 'alert.raised', site: 'Hậu Giang' });
const t = 1_763_795_100;

describe('webhook signature', () => {
  it('is HMAC-SHA256 of "<t>.<body>" in hex, with the timestamp', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies within the tolerance', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhookSignature({ secret, header, body, nowMs: (t + 299) * 1000 })).toEqual({ valid: true, timestampSec: t });
  });

  it('refuses a replay outside the tolerance, a changed body, another key and malformed headers', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhookSignature({ secret, header, body, nowMs: (t + 301) * 1000 })).toEqual({
      valid: false,
      reason: 'timestamp outside tolerance',
    });
    expect(verifyWebhookSignature({ secret, header, body: body.replace('raised', 'cleared'), nowMs: t * 1000 }).valid).toBe(false);
    expect(verifyWebhookSignature({ secret: `${secret}x`, header, body, nowMs: t * 1000 }).valid).toBe(false);
    expect(verifyWebhookSignature({ secret, header: undefined, body, nowMs: t * 1000 }).valid).toBe(false);
    expect(verifyWebhookSignature({ secret, header: `t=${t},v1=zz`, body, nowMs: t * 1000 }).valid).toBe(false);
    expect(verifyWebhookSignature({ secret, header: 'v1=abc', body, nowMs: t * 1000 }).valid).toBe(false);
  });

  it('binds the timestamp: moving it invalidates the signature', () => {
    const header = signWebhook(secret, body, t).replace(`t=${t}`, `t=${t + 60}`);
    expect(verifyWebhookSignature({ secret, header, body, nowMs: (t + 60) * 1000 })).toEqual({
      valid: false,
      reason: 'signature mismatch',
    });
  });
});
