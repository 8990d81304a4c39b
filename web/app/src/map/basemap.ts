/**
 * The offline base layer served at `GET /api/basemap` (seeds/basemap/mekong-delta.geojson, see
 * docs/basemap.md): land by country, provinces (pre-2025 units with their 2025 province), borders
 * and labels, each feature tagged with `properties.layer`. Features this app does not know are
 * skipped, so the file can grow without breaking older apps.
 */
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { z } from 'zod';
import { getJson } from '../api/http.js';

const geometrySchema = z.looseObject({ type: z.string(), coordinates: z.array(z.unknown()) });

export const LABEL_KINDS = ['country', 'sea', 'province', 'former-province', 'capital', 'city', 'town'] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];

const propertiesSchema = z.discriminatedUnion('layer', [
  z.object({ layer: z.literal('land'), country: z.string() }),
  z.object({ layer: z.literal('province'), iso: z.string(), name: z.string(), current: z.string() }),
  z.object({ layer: z.literal('border'), kind: z.enum(['country', 'province', 'former-province']) }),
  z.object({ layer: z.literal('label'), kind: z.enum(LABEL_KINDS), name: z.string() }),
]);
export type BasemapProperties = z.infer<typeof propertiesSchema>;

export interface BasemapLabel {
  readonly kind: LabelKind;
  readonly name: string;
  /** [lat, lon], degrees. */
  readonly position: readonly [number, number];
}

export interface Basemap {
  /** Land and province polygons, drawn first. */
  readonly areas: FeatureCollection<Geometry, BasemapProperties>;
  /** Country and province borders, drawn over the areas. */
  readonly borders: FeatureCollection<Geometry, BasemapProperties>;
  readonly labels: readonly BasemapLabel[];
  /** [[south, west], [north, east]] the data covers, degrees; undefined when the file has no `bbox`. */
  readonly bounds: readonly [readonly [number, number], readonly [number, number]] | undefined;
}

const documentSchema = z.looseObject({
  type: z.literal('FeatureCollection'),
  /** RFC 7946 §5: [west, south, east, north]. */
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  features: z.array(z.unknown()),
});
const featureSchema = z.looseObject({ type: z.literal('Feature'), properties: z.unknown(), geometry: geometrySchema });

/** Splits a base-layer document into drawable parts; unknown or malformed features are skipped. */
export function parseBasemap(document: z.infer<typeof documentSchema>): Basemap {
  const areas: Feature<Geometry, BasemapProperties>[] = [];
  const borders: Feature<Geometry, BasemapProperties>[] = [];
  const labels: BasemapLabel[] = [];
  for (const raw of document.features) {
    const feature = featureSchema.safeParse(raw);
    if (!feature.success) continue;
    const properties = propertiesSchema.safeParse(feature.data.properties);
    if (!properties.success) continue;
    // The geometry's coordinates are checked by Leaflet when drawn; here only its outline is known.
    const geometry = feature.data.geometry as unknown as Geometry;
    const p = properties.data;
    if (p.layer === 'label') {
      const [lon, lat] = geometry.type === 'Point' ? geometry.coordinates : [];
      if (typeof lat === 'number' && typeof lon === 'number') labels.push({ kind: p.kind, name: p.name, position: [lat, lon] });
    } else {
      (p.layer === 'border' ? borders : areas).push({ type: 'Feature', properties: p, geometry });
    }
  }
  // Land before provinces so provinces tint the land they cover.
  areas.sort((a, b) => Number(a.properties.layer === 'province') - Number(b.properties.layer === 'province'));
  const bbox = document.bbox;
  return {
    areas: { type: 'FeatureCollection', features: areas },
    borders: { type: 'FeatureCollection', features: borders },
    labels,
    bounds: bbox && [
      [bbox[1], bbox[0]],
      [bbox[3], bbox[2]],
    ],
  };
}

/** Fetches and parses the base layer. */
export async function fetchBasemap(signal?: AbortSignal): Promise<Basemap> {
  return parseBasemap(await getJson('/api/basemap', documentSchema, signal));
}
