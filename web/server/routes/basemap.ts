/**
 * The bundled offline base layer (coastline and provinces as GeoJSON from seeds/), so the map is
 * usable on networks cut off from any tile server. Public and cacheable: it is not sensitive and
 * the login page may show it.
 */
import path from 'node:path';
import type { Response } from 'express';
import { z } from 'zod';
import { apiErrorBodySchema } from '../../../common/errors.js';
import { AppError } from '../../../platform/errors.js';
import type { WebContext } from '../context.js';
import { type ApiRoute, defineRoute } from './route-spec.js';

/** Path of the base layer under SEEDS_DIR. */
export const BASEMAP_FILE = path.join('basemap', 'mekong-delta.geojson');

/** The document is a GeoJSON FeatureCollection (RFC 7946); only its outline is described here. */
const featureCollectionSchema = z.looseObject({ type: z.literal('FeatureCollection'), features: z.array(z.looseObject({})) });

function sendFile(res: Response, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    res.sendFile(file, { cacheControl: false, dotfiles: 'deny' }, (error) => (error ? reject(error) : resolve()));
  });
}

function isMissingFile(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const status = (error as { status?: unknown } | undefined)?.status;
  return code === 'ENOENT' || code === 'ENOTDIR' || status === 404;
}

export function basemapRoutes(ctx: WebContext): ApiRoute[] {
  const file = path.join(ctx.config.seedsDir, BASEMAP_FILE);
  return [
    defineRoute({
      method: 'get',
      path: '/api/basemap',
      operationId: 'getBasemap',
      summary: 'Offline base layer: Mekong Delta coastline and province outlines (GeoJSON)',
      tag: 'map',
      access: 'public',
      responses: {
        200: { description: 'GeoJSON FeatureCollection', schema: featureCollectionSchema, contentType: 'application/geo+json' },
        404: { description: '`not_found`: no base layer installed', schema: apiErrorBodySchema },
      },
      handle: async ({ res }) => {
        res.set('Cache-Control', 'public, max-age=3600').type('application/geo+json');
        try {
          await sendFile(res, file);
        } catch (error) {
          if (res.headersSent || res.destroyed) return;
          res.removeHeader('Content-Type');
          if (isMissingFile(error)) throw new AppError('not_found', `No offline base layer at ${path.join('<SEEDS_DIR>', BASEMAP_FILE)}`);
          throw error;
        }
      },
    }),
  ];
}
