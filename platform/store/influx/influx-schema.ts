/**
 * How readings map onto InfluxDB's data model — and why.
 *
 *   readings,kind=water-quality,province=An\ Giang,site=KG-WQ-01 do=5.21,ph=7.8,temperature=29.4 1760000000000
 *
 * - One measurement, `readings`, for every site. A reading (one site, one timestamp) is one point
 *   with one float field per metric (catalog ids: `do`, `ph`, `salinity`, …, in catalog units).
 * - Tags: `site` (the stable id), `kind` and `province` (its current name) of the site, so
 *   dashboards can filter and group without a join. Both depend on the site alone, so there is one
 *   series per site: cardinality grows with the number of registered sites and nothing else. Never
 *   tag with values that vary per reading (timestamps, values, message ids).
 * - Millisecond precision, as everywhere in the platform.
 * - Idempotent: InfluxDB keeps one value per series, field and timestamp, so a reading written
 *   twice (a replay from the spool after a crash) is stored once. (VictoriaMetrics needs
 *   `-dedup.minScrapeInterval=1ms` for the same behaviour.)
 * - Why not one measurement per site kind: a site whose kind changes would have its history
 *   split across measurements, and a reading whose site is unknown at write time (deleted since it
 *   was accepted) would have nowhere to go. One measurement keeps every site's history in one place;
 *   the `kind` tag filters just as well. Reads select by the `site` tag only, so a site whose
 *   province or kind changes (a new series) keeps one continuous history.
 */
import { Point } from '@influxdata/influxdb-client';
import type { Reading } from '../../../common/payloads.js';

/** The measurement holding every reading. */
export const READINGS_MEASUREMENT = 'readings';

export const SITE_TAG = 'site';
export const KIND_TAG = 'kind';
export const PROVINCE_TAG = 'province';

/** Descriptive tags of a site; undefined for a site no longer registered (then only `site` is tagged). */
export interface SiteTags {
  readonly kind: string;
  /** Current province name, e.g. `An Giang`. */
  readonly province: string;
}

/** The point of one reading, or undefined when it carries no values. */
export function readingPoint(reading: Reading, tags: SiteTags | undefined): Point | undefined {
  const metrics = Object.keys(reading.values);
  if (metrics.length === 0) return undefined;
  const point = new Point(READINGS_MEASUREMENT).tag(SITE_TAG, reading.siteId).timestamp(reading.ts);
  const kind = tags && tagValue(tags.kind);
  const province = tags && tagValue(tags.province);
  if (kind) point.tag(KIND_TAG, kind);
  if (province) point.tag(PROVINCE_TAG, province);
  for (const metric of metrics) point.floatField(metric, reading.values[metric]);
  return point;
}

/** Line protocol cannot end a tag value with a backslash (it would escape the separator); empty values are not allowed. */
function tagValue(value: string): string {
  return value.replace(/\\+$/, '').trim();
}
