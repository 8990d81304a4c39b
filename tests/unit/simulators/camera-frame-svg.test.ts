import { describe, expect, it } from 'vitest';
import { type CameraFrame, MAX_DRAWN_VEHICLES, renderCameraFrameSvg } from '../../../simulators/snapshot/camera-frame-svg.js';

const NOON_LOCAL = Date.UTC(2026, 3, 1, 5, 0);
const NIGHT_LOCAL = Date.UTC(2026, 3, 1, 16, 0);

const frame = (overrides: Partial<CameraFrame> = {}): CameraFrame => ({
  siteId: 'KG-CAM-01',
  siteName: 'Rạch Giá centre',
  analytics: 'vehicles',
  tMs: NOON_LOCAL,
  observation: { analytics: { metric: 'vehicle_count', value: 7 }, ts: NOON_LOCAL - 2_000 },
  ...overrides,
});

const count = (svg: string, className: string) => svg.split(`class="${className}"`).length - 1;

describe('camera frame SVG', () => {
  it('shows as many vehicles as the last vehicle_count event, with name and local timestamp', () => {
    for (const value of [0, 1, 7, 24, MAX_DRAWN_VEHICLES]) {
      const svg = renderCameraFrameSvg(frame({ observation: { analytics: { metric: 'vehicle_count', value }, ts: NOON_LOCAL } }));
      expect(count(svg, 'vehicle')).toBe(value);
      expect(svg).toContain(`data-value="${value}"`);
    }
    const svg = renderCameraFrameSvg(frame());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Rạch Giá centre');
    expect(svg).toContain('2026-04-01 12:00:00 UTC+7');
    expect(svg).toContain(`data-observed-at="${NOON_LOCAL - 2_000}"`);
    expect(svg).toContain('7 vehicles in view');
    expect(svg).not.toMatch(/<script|href=|url\((?!#)/);
  });

  it('is deterministic for one observation and changes with the next one and over time', () => {
    expect(renderCameraFrameSvg(frame())).toBe(renderCameraFrameSvg(frame()));
    const next = renderCameraFrameSvg(frame({ observation: { analytics: { metric: 'vehicle_count', value: 7 }, ts: NOON_LOCAL + 8_000 } }));
    expect(next).not.toBe(renderCameraFrameSvg(frame()));
    expect(renderCameraFrameSvg(frame({ tMs: NIGHT_LOCAL }))).not.toBe(renderCameraFrameSvg(frame()));
  });

  it('escapes the site name', () => {
    const svg = renderCameraFrameSvg(frame({ siteName: '<script>alert("x")</script> & co' }));
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
  });

  it('draws a crowd in proportion to the crowd level, and a placeholder before any analytics', () => {
    const crowd = renderCameraFrameSvg(
      frame({ analytics: 'crowd', observation: { analytics: { metric: 'crowd_level', value: 50 }, ts: NOON_LOCAL } }),
    );
    expect(count(crowd, 'person')).toBe(20);
    expect(crowd).toContain('crowd level 50 %');
    const empty = renderCameraFrameSvg(frame({ observation: undefined }));
    expect(count(empty, 'vehicle')).toBe(0);
    expect(empty).toContain('no analytics yet');
    expect(empty).not.toContain('data-value');
  });

  it('shows a recent intrusion with its zone (escaped), and no longer once it is 15 minutes old', () => {
    const intrusion = { zone: 'fire <zone> B', objects: 2, ts: NIGHT_LOCAL - 60_000 };
    const shown = renderCameraFrameSvg(frame({ tMs: NIGHT_LOCAL, intrusion }));
    expect(count(shown, 'intrusion')).toBe(1);
    expect(shown).toContain('INTRUSION · fire &lt;zone&gt; B');
    expect(shown.split('stroke="#ff1744"').length - 1).toBe(2);
    expect(count(renderCameraFrameSvg(frame({ tMs: NIGHT_LOCAL + 15 * 60_000, intrusion })), 'intrusion')).toBe(0);
    expect(count(renderCameraFrameSvg(frame({ tMs: NIGHT_LOCAL })), 'intrusion')).toBe(0);
  });
});
