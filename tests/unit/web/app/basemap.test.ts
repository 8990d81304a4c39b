/** The bundled offline base layer (seeds/basemap) as the browser app reads it. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSiteSeeds } from '../../../../platform/seeds.js';
import { parseBasemap } from '../../../../web/app/src/map/basemap.js';

const file = path.resolve('seeds/basemap/mekong-delta.geojson');

describe('offline base layer', () => {
  const text = fs.readFileSync(file, 'utf8');
  const basemap = parseBasemap(JSON.parse(text));

  it('stays small enough to ship and serve', () => {
    expect(Buffer.byteLength(text)).toBeLessThan(500 * 1024);
  });

  it('has land, the 2025 provinces with their former units, borders and labels', () => {
    const layers = basemap.areas.features.map((f) => f.properties);
    expect(layers.filter((p) => p.layer === 'land').map((p) => (p.layer === 'land' ? p.country : ''))).toEqual(
      expect.arrayContaining(['VN', 'KH']),
    );
    const formerToCurrent = new Map(layers.flatMap((p) => (p.layer === 'province' ? [[p.name, p.current] as const] : [])));
    expect(formerToCurrent.get('Kiên Giang')).toBe('An Giang');
    expect(formerToCurrent.get('An Giang')).toBe('An Giang');
    expect(formerToCurrent.get('Hậu Giang')).toBe('Cần Thơ');
    expect(formerToCurrent.get('Sóc Trăng')).toBe('Cần Thơ');
    const borderKinds = basemap.borders.features.map((f) => (f.properties.layer === 'border' ? f.properties.kind : ''));
    expect(borderKinds.sort()).toEqual(['country', 'former-province', 'province']);
    const labels = basemap.labels.map((l) => `${l.kind}:${l.name}`);
    expect(labels).toEqual(expect.arrayContaining(['province:An Giang', 'province:Cần Thơ', 'city:Rạch Giá', 'town:Dương Đông']));
  });

  it('covers every seeded site, Phú Quốc included', async () => {
    const sites = await loadSiteSeeds(path.resolve('seeds'));
    const bounds = basemap.bounds;
    if (!bounds) throw new Error('the base layer has no bbox');
    const [[south, west], [north, east]] = bounds;
    for (const site of sites) {
      expect(site.lat, site.id).toBeGreaterThan(south);
      expect(site.lat, site.id).toBeLessThan(north);
      expect(site.lon, site.id).toBeGreaterThan(west);
      expect(site.lon, site.id).toBeLessThan(east);
    }
  });

  it('skips features it does not know instead of failing', () => {
    const parsed = parseBasemap({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { layer: 'rivers' }, geometry: { type: 'LineString', coordinates: [] } },
        {
          type: 'Feature',
          properties: { layer: 'label', kind: 'town', name: 'Hà Tiên' },
          geometry: { type: 'Point', coordinates: [104.49, 10.38] },
        },
        'not a feature',
      ],
    });
    expect(parsed.areas.features).toHaveLength(0);
    expect(parsed.labels).toEqual([{ kind: 'town', name: 'Hà Tiên', position: [10.38, 104.49] }]);
    expect(parsed.bounds).toBeUndefined();
  });
});
