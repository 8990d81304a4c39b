/**
 * Time-travel routes for the IOC map: `GET /api/replay/frame` returns the whole map as it was at
 * one moment (per site, the newest value of each map metric within a lookback window), so the app's
 * timeline slider can replay values over the last 24 hours; alert states come from
 * `GET /api/alerts?from=&to=`. `GET /api/map/latest` gives the current state of the sites of an area
 * (the browser streams readings only for what it shows, so it refreshes an area it moves to). And
 * `GET /api/kpis`, the header figures the browser cannot count.
 */
import {
  areaLatestResponseSchema,
  areaQuerySchema,
  DEFAULT_REPLAY_LOOKBACK_MS,
  DEFAULT_REPLAY_METRICS,
  kpiSnapshotSchema,
  MAX_AREA_SITES,
  type ReplayFrame,
  replayFrameQuerySchema,
  replayFrameSchema,
} from '../../../common/api.js';
import { isMetricId, type MetricId } from '../../../common/metrics.js';
import { AppError } from '../../../platform/errors.js';
import type { WebContext } from '../context.js';
import { siteSummary } from '../site-summary.js';
import { errorResponses } from './common-responses.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

const DAY_MS = 24 * 3600 * 1000;

export function replayRoutes(ctx: WebContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/replay/frame',
      operationId: 'getReplayFrame',
      summary: 'The whole map at one moment: per site, the newest value of each metric within the lookback',
      description:
        'Column-oriented (`siteIds[i]`, `lastSeen[i]`, `values[metric][i]`) to stay small at tens of thousands of sites. ' +
        '`at` may not be in the future nor older than the retention (RETENTION_DAYS).',
      tag: 'replay',
      access: 'session',
      query: replayFrameQuerySchema,
      responses: {
        200: { description: 'The frame', schema: replayFrameSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
      },
      handle: async ({ query, res }) => {
        const now = ctx.clock();
        if (query.at > now + 60_000 || query.at < now - ctx.config.RETENTION_DAYS * DAY_MS) {
          throw new AppError('validation_failed', 'Invalid request query', [
            { path: 'at', message: 'must be within the retention period and not in the future' },
          ]);
        }
        const lookbackMs = query.lookbackMs ?? DEFAULT_REPLAY_LOOKBACK_MS;
        const metrics: MetricId[] = query.metrics ? query.metrics.split(',').filter(isMetricId) : [...DEFAULT_REPLAY_METRICS];
        const snapshot = await ctx.stores.telemetry.snapshotAt({ at: query.at, lookbackMs, metrics: [...new Set(metrics)] });
        sendJson(res, 200, replayFrameSchema, toFrame(query.at, lookbackMs, metrics, snapshot));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/map/latest',
      operationId: 'getAreaLatest',
      summary: 'Status and latest values of the sites inside a bounding box',
      description: `\`bbox\` = west,south,east,north in degrees. At most ${MAX_AREA_SITES} sites (then \`truncated\`).`,
      tag: 'replay',
      access: 'session',
      query: areaQuerySchema,
      responses: {
        200: { description: 'The sites of the area', schema: areaLatestResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
      },
      handle: ({ query, res }) => {
        const [west, south, east, north] = query.bbox;
        const now = ctx.clock();
        const inside = ctx.sites.sites.filter((site) => site.lon >= west && site.lon <= east && site.lat >= south && site.lat <= north);
        const sites = inside.slice(0, MAX_AREA_SITES).flatMap((site) => {
          const state = ctx.siteState.get(site.id);
          return state ? [siteSummary(site, state, now)] : [];
        });
        sendJson(res, 200, areaLatestResponseSchema, { sites, truncated: inside.length > MAX_AREA_SITES });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/kpis',
      operationId: 'getKpis',
      summary: 'Operations figures for the header: readings stored per minute',
      tag: 'replay',
      access: 'session',
      responses: { 200: { description: 'Current figures', schema: kpiSnapshotSchema }, ...errorResponses.unauthenticated },
      handle: ({ res }) => {
        const rate = ctx.readingRate;
        sendJson(res, 200, kpiSnapshotSchema, {
          at: ctx.clock(),
          readingsPerMinute: rate?.perMinute() ?? 0,
          readingsPerSecond: rate?.perSecond() ?? 0,
        });
      },
    }),
  ];
}

/** Pivots the store's per-site snapshot into the frame's columns (sites in store order). */
export function toFrame(
  at: number,
  lookbackMs: number,
  metrics: readonly MetricId[],
  snapshot: ReadonlyArray<{ readonly siteId: string; readonly values: Readonly<Record<string, { value: number; ts: number }>> }>,
): ReplayFrame {
  const siteIds: string[] = [];
  const lastSeen: number[] = [];
  const columns = new Map<string, (number | null)[]>(metrics.map((metric) => [metric, []]));
  for (const site of snapshot) {
    let newest = Number.NEGATIVE_INFINITY;
    for (const { ts } of Object.values(site.values)) newest = Math.max(newest, ts);
    if (!Number.isFinite(newest)) continue;
    siteIds.push(site.siteId);
    lastSeen.push(newest);
    for (const [metric, column] of columns) column.push(site.values[metric]?.value ?? null);
  }
  const values: Record<string, (number | null)[]> = {};
  for (const [metric, column] of columns) if (column.some((value) => value !== null)) values[metric] = column;
  return { at, from: at - lookbackMs, siteIds, lastSeen, values };
}
