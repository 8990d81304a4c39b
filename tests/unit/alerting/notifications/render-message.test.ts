import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatValue,
  renderMessage,
  SHORT_MESSAGE_MAX_CHARS,
  siteLink,
} from '../../../../alerting/notifications/render-message.js';
import { MINUTE, makeAlert, SITES, T0 } from './alert-fixtures.js';

const base = { publicUrl: 'https://ioc.example.vn', now: T0, escalateAfterMs: 30 * MINUTE } as const;

describe('renderMessage', () => {
  it('writes Vietnamese with the site, metric, value and unit, threshold, severity, local time and map link', () => {
    const message = renderMessage({ ...base, alert: makeAlert(), site: SITES.rachGia, kind: 'raised', language: 'vi' });
    expect(message.subject).toBe('[NGHIÊM TRỌNG] Cảnh báo mới: Oxy hòa tan (DO) 2,10 mg/L — Rạch Giá estuary (KG-WQ-01)');
    expect(message.text).toContain('Trạm: Rạch Giá estuary (KG-WQ-01)');
    expect(message.text).toContain('Tỉnh/thành: An Giang (trước đây Kiên Giang)');
    expect(message.text).toContain('Giá trị: 2,10 mg/L');
    expect(message.text).toContain('Ngưỡng: 3,50 mg/L');
    expect(message.text).toContain('Mức độ: NGHIÊM TRỌNG');
    expect(message.text).toContain('Quy tắc: Oxy hòa tan thấp');
    expect(message.text).toContain('Thời gian: 14:05 22/11/2025 (GMT+7)');
    expect(message.text).toContain('Xem trên bản đồ: https://ioc.example.vn/?site=KG-WQ-01');
    expect(message.link).toBe('https://ioc.example.vn/?site=KG-WQ-01');
    expect(message.short).toBe(
      '[NGHIÊM TRỌNG] Cảnh báo mới: Oxy hòa tan (DO) 2,10 mg/L (ngưỡng 3,50 mg/L) tại Rạch Giá estuary (KG-WQ-01), 14:05 22/11 https://ioc.example.vn/?site=KG-WQ-01',
    );
  });

  it('writes English with English number format and time', () => {
    const message = renderMessage({ ...base, alert: makeAlert(), site: SITES.rachGia, kind: 'raised', language: 'en' });
    expect(message.subject).toBe('[CRITICAL] New alert: Dissolved oxygen 2.10 mg/L — Rạch Giá estuary (KG-WQ-01)');
    expect(message.text).toContain('Province: An Giang (formerly Kiên Giang)');
    expect(message.text).toContain('Threshold: 3.50 mg/L');
    expect(message.text).toContain('Time: 2025-11-22 14:05 (UTC+7)');
  });

  it('takes unit and precision from the catalog: salinity in ‰, pH without a unit', () => {
    expect(formatValue(4.256, 'salinity', '', 'vi')).toBe('4,26 ‰');
    expect(formatValue(9.1, 'ph', '', 'en')).toBe('9.10');
    expect(formatValue(12, null, 'x', 'en')).toBe('12 x');
  });

  it('names the condition when no metric is watched, and the escalation delay', () => {
    const offline = makeAlert({
      siteId: 'HG-WQ-01',
      condition: 'offline',
      metric: null,
      unit: '',
      threshold: null,
      peakValue: null,
      lastValue: null,
    });
    const message = renderMessage({
      ...base,
      now: T0 + 30 * MINUTE,
      alert: offline,
      site: SITES.viThanh,
      kind: 'escalation',
      language: 'en',
    });
    expect(message.subject).toBe(
      '[CRITICAL] Escalated: critical alert unacknowledged for 30 min: Device offline — Vị Thanh, Xà No canal (HG-WQ-01)',
    );
    expect(message.text).not.toContain('Value:');
    expect(message.text).toContain('Raised: 2025-11-22 14:05 (UTC+7)');
  });

  it('shows who acknowledged and the last comment', () => {
    const acked = makeAlert({
      state: 'ACTIVE_ACK',
      ackedBy: 'operator1',
      ackedAt: T0 + 10 * MINUTE,
      comments: [{ by: 'operator1', at: T0 + 10 * MINUTE, text: 'Aerators on' }],
    });
    const message = renderMessage({ ...base, alert: acked, site: SITES.rachGia, kind: 'acknowledged', language: 'vi' });
    expect(message.text).toContain('Xác nhận bởi: operator1');
    expect(message.text).toContain('Ghi chú: Aerators on — operator1');
    expect(message.text).toContain('Thời gian: 14:15 22/11/2025 (GMT+7)');
  });

  it('escapes untrusted site names and comments in HTML and keeps them on one line', () => {
    const site = { ...SITES.rachGia, name: '<img src=x onerror=alert(1)>\r\nBcc: x@evil' };
    const alert = makeAlert({ state: 'CLEARED_UNACK', clearedAt: T0, comments: [{ by: 'a"b', at: T0, text: '<script>steal()</script>' }] });
    const message = renderMessage({ ...base, alert, site, kind: 'cleared', language: 'en' });
    expect(message.html).not.toContain('<img');
    expect(message.html).not.toContain('<script>');
    expect(message.html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(message.html).toContain('&#60;script&#62;steal()&#60;/script&#62; — a&#34;b');
    expect(message.subject).not.toMatch(/[\r\n]/);
    expect(message.subject).toContain('<img src=x onerror=alert(1)> Bcc: x@evil');
  });

  it('keeps a long one-line message within the limit and its link whole', () => {
    const site = { ...SITES.rachGia, name: 'Trạm '.repeat(60) };
    const message = renderMessage({ ...base, alert: makeAlert(), site, kind: 'raised', language: 'vi' });
    expect(message.short.length).toBeLessThanOrEqual(SHORT_MESSAGE_MAX_CHARS);
    expect(message.short.endsWith('… https://ioc.example.vn/?site=KG-WQ-01')).toBe(true);
  });

  it('links and escapes helpers', () => {
    expect(siteLink('http://localhost:8080/', 'HG-WQ-01')).toBe('http://localhost:8080/?site=HG-WQ-01');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
