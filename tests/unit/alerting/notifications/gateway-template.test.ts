import { describe, expect, it } from 'vitest';
import { fillGatewayTemplate } from '../../../../alerting/notifications/channels/gateway-channel.js';
import { loadConfig } from '../../../../platform/config/config.js';

const values = {
  to: '+84901234567',
  text: 'Oxy "thấp"\nở Hậu Giang & <b>',
  subject: 's',
  siteId: 'HG-WQ-01',
  severity: 'critical',
  link: 'http://x/?site=HG-WQ-01',
};

describe('gateway body template', () => {
  it('escapes values inside JSON strings so the text cannot change the structure', () => {
    const body = fillGatewayTemplate('{"chat_id":"{{to}}","text":"{{ text }}","x":"{{unknown}}"}', values, 'json');
    expect(JSON.parse(body)).toEqual({ chat_id: '+84901234567', text: values.text, x: '{{unknown}}' });
  });

  it('URL-encodes values for form bodies', () => {
    const body = fillGatewayTemplate('to={{to}}&msg={{text}}', values, 'form');
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({ to: '+84901234567', msg: values.text });
  });

  it('is checked at startup: unknown placeholders and non-JSON templates are configuration errors', () => {
    expect(() => loadConfig({ NOTIFY_GATEWAY_BODY: '{"t":"{{txt}}"}' })).toThrow(/NOTIFY_GATEWAY_BODY: unknown placeholder \{\{txt\}\}/);
    expect(() => loadConfig({ NOTIFY_GATEWAY_BODY: '{"t":{{text}}' })).toThrow(/NOTIFY_GATEWAY_BODY: not JSON/);
    expect(() => loadConfig({ NOTIFY_GATEWAY_BODY: 'to={{to}}&text={{text}}', NOTIFY_GATEWAY_CONTENT_TYPE: 'form' })).not.toThrow();
  });
});
