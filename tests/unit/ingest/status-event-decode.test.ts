import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../../ingest/decode/event.js';
import { decodeStatus } from '../../../ingest/decode/status.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const ctx = { siteId: 'KG-CAM-01', receivedAt: NOW, oldestAcceptedTs: NOW - 90 * 86_400_000 };
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('decodeStatus', () => {
  it('accepts a status with battery and rssi, at the device time or the receive time', () => {
    expect(decodeStatus(bytes({ status: 'online', ts: NOW - 5000, battery: 12.4, rssi: -70, firmware: '1.2.0' }), ctx)).toEqual({
      status: { siteId: 'KG-CAM-01', status: 'online', ts: NOW - 5000, battery: 12.4, rssi: -70 },
      deviceTs: true,
      rejections: [],
    });
    expect(decodeStatus(bytes({ status: 'offline' }), ctx)).toMatchObject({ status: { status: 'offline', ts: NOW }, deviceTs: false });
  });

  it('accepts an old ts (a retained status can be old)', () => {
    expect(decodeStatus(bytes({ status: 'maintenance', ts: NOW - 400 * 86_400_000 }), ctx).status?.status).toBe('maintenance');
  });

  it('refuses unknown statuses, bad fields, bad JSON and future timestamps with details', () => {
    expect(decodeStatus(bytes({ status: 'sleeping' }), ctx).rejections).toEqual([
      { reason: 'invalid_payload', detail: expect.stringMatching(/^status: status: /) },
    ]);
    expect(decodeStatus(bytes({ status: 'online', battery: -3 }), ctx).rejections[0]?.detail).toContain('battery');
    expect(decodeStatus(Buffer.from('online'), ctx).rejections[0]?.reason).toBe('malformed_json');
    expect(decodeStatus(bytes({ status: 'online', ts: NOW + 3_600_000 }), ctx)).toEqual({
      rejections: [{ reason: 'timestamp_in_future', detail: expect.stringContaining('3600 s ahead of the platform clock') }],
    });
  });
});

describe('decodeEvent', () => {
  it('accepts an event, defaulting severity to info and ts to the receive time', () => {
    expect(decodeEvent(bytes({ type: 'vehicle_count', data: { count: 14, zone: 'gate' } }), ctx)).toEqual({
      event: {
        siteId: 'KG-CAM-01',
        ts: NOW,
        type: 'vehicle_count',
        severity: 'info',
        message: undefined,
        data: { count: 14, zone: 'gate' },
      },
      rejections: [],
    });
  });

  it('refuses bad types, too old or future timestamps', () => {
    expect(decodeEvent(bytes({ type: 'Bad Type!' }), ctx).rejections[0]).toMatchObject({
      reason: 'invalid_payload',
      detail: expect.stringContaining('type'),
    });
    expect(decodeEvent(bytes({ type: 'reboot', ts: NOW - 100 * 86_400_000 }), ctx).rejections[0]?.reason).toBe('timestamp_too_old');
    expect(decodeEvent(bytes({ type: 'reboot', ts: NOW + 600_000 }), ctx).rejections[0]?.reason).toBe('timestamp_in_future');
    expect(decodeEvent(Buffer.from([0xc3, 0x28]), ctx).rejections).toEqual([
      { reason: 'malformed_json', detail: 'payload is not valid UTF-8 text' },
    ]);
  });
});
