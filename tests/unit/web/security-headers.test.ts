import { describe, expect, it } from 'vitest';
import { imageSources, tileUrlSource } from '../../../web/server/security-headers.js';

describe('CSP image sources', () => {
  it('turns tile URL templates into CSP origins', () => {
    expect(tileUrlSource('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe('https://*.tile.openstreetmap.org');
    expect(tileUrlSource('http://tiles.local:8090/osm/{z}/{x}/{y}.png')).toBe('http://tiles.local:8090');
    expect(tileUrlSource('/tiles/{z}/{x}/{y}.png')).toBeUndefined();
    expect(tileUrlSource('https://tile{s}.example.org/{z}/{x}/{y}.png')).toBeUndefined();
    expect(tileUrlSource("https://evil.org; script-src 'unsafe-inline'/{z}")).toBeUndefined();
  });

  it('allows self, data:, blob:, the tile host and each snapshot origin once', () => {
    expect(
      imageSources({
        mapTileUrl: 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png',
        snapshotUrls: ['http://127.0.0.1:8083/snapshots/A.svg', 'http://127.0.0.1:8083/snapshots/B.svg', 'not a url', 'ftp://x.org/a'],
        https: false,
      }),
    ).toEqual(["'self'", 'data:', 'blob:', 'https://*.tile.openstreetmap.org', 'http://127.0.0.1:8083']);
    expect(imageSources({ mapTileUrl: undefined, snapshotUrls: [], https: false })).toEqual(["'self'", 'data:', 'blob:']);
  });
});
