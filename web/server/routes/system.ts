/** Public operational routes: health, the browser app's settings, and Prometheus metrics. */
import { appConfigSchema, healthSchema } from '../../../common/api.js';
import type { WebContext } from '../context.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

export function systemRoutes(ctx: WebContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/health',
      operationId: 'getHealth',
      summary: 'Service health',
      description:
        'Always 200 while the server runs. `status` is `degraded` when the store does not answer or the MQTT live feed is disconnected.',
      tag: 'system',
      access: 'public',
      responses: { 200: { description: 'Health of the web server and its dependencies', schema: healthSchema } },
      handle: async ({ res }) => sendJson(res, 200, healthSchema, await ctx.health()),
    }),
    defineRoute({
      method: 'get',
      path: '/api/app-config',
      operationId: 'getAppConfig',
      summary: 'Public settings the browser app needs before login',
      tag: 'system',
      access: 'public',
      responses: { 200: { description: 'Version and map tile settings', schema: appConfigSchema } },
      handle: ({ res }) =>
        sendJson(res, 200, appConfigSchema, {
          version: ctx.version,
          mapTileUrl: ctx.config.MAP_TILE_URL ?? null,
          mapTileAttribution: ctx.config.MAP_TILE_ATTRIBUTION ?? null,
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'getMetrics',
      summary: 'Prometheus metrics of this process',
      description:
        'Prometheus text exposition format. Unauthenticated, for the operations scraper: expose this port only on the internal network or filter `/metrics` at the proxy.',
      tag: 'system',
      access: 'public',
      responses: { 200: { description: 'Metrics in Prometheus text format', contentType: 'text/plain' } },
      handle: async ({ res }) => {
        const body = await ctx.registry.metrics();
        res.status(200).type(ctx.registry.contentType).send(body);
      },
    }),
  ];
}
