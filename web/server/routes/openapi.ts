/** `GET /api/openapi.json`: the generated OpenAPI document, built once from the full route table. */
import { buildOpenApiDocument } from '../openapi.js';
import { type ApiRoute, defineRoute } from './route-spec.js';

/** The document route; `allRoutes` is called on first request, so it may include this route itself. */
export function openApiRoutes(allRoutes: () => readonly ApiRoute[], version: string): ApiRoute[] {
  let document: Record<string, unknown> | undefined;
  return [
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This OpenAPI 3.1 document',
      description: 'Generated from the route table and the zod contract schemas, so it cannot drift from the server.',
      tag: 'system',
      access: 'public',
      responses: { 200: { description: 'OpenAPI 3.1 document', contentType: 'application/json' } },
      handle: ({ res }) => {
        document ??= buildOpenApiDocument(allRoutes(), { version });
        res.status(200).set('Cache-Control', 'no-cache').json(document);
      },
    }),
  ];
}
