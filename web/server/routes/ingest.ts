/** Ingest diagnostics: the dead-letter log of refused messages with totals per reason (operators and admins). */
import { rejectionListResponseSchema, rejectionsQuerySchema } from '../../../common/api.js';
import type { WebContext } from '../context.js';
import { errorResponses } from './common-responses.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

export function ingestRoutes(ctx: WebContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/ingest/rejections',
      operationId: 'listRejections',
      summary: 'Messages ingest refused (newest first) and totals per reason — operators and admins',
      description: 'Device diagnostics with excerpts of what devices sent: for operations staff, not for viewers.',
      tag: 'ingest',
      access: 'operator',
      query: rejectionsQuerySchema,
      responses: {
        200: { description: 'Dead-letter entries and totals', schema: rejectionListResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
      },
      handle: async ({ query, res }) => {
        const [rejections, totals] = await Promise.all([
          ctx.stores.registry.listRejections(query.limit),
          ctx.stores.registry.rejectionTotals(),
        ]);
        sendJson(res, 200, rejectionListResponseSchema, { rejections, totals });
      },
    }),
  ];
}
