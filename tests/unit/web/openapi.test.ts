/** The OpenAPI generator on a small route table (the full document is checked against the real server in integration). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readingsQuerySchema, userInfoSchema } from '../../../common/api.js';
import { apiErrorBodySchema } from '../../../common/errors.js';
import { buildOpenApiDocument, openApiPath } from '../../../web/server/openapi.js';
import { defineRoute } from '../../../web/server/routes/route-spec.js';

const routes = [
  defineRoute({
    method: 'get',
    path: '/api/sites/:id/readings',
    operationId: 'getSiteReadings',
    summary: 'readings',
    tag: 'sites',
    access: 'session',
    params: z.object({ id: z.string() }),
    query: readingsQuerySchema,
    responses: { 200: { description: 'ok', schema: z.object({ n: z.number() }) }, 401: { description: 'no', schema: apiErrorBodySchema } },
    handle: () => undefined,
  }),
  defineRoute({
    method: 'post',
    path: '/api/things',
    operationId: 'makeThing',
    summary: 'make',
    tag: 'things',
    access: 'admin',
    body: z.object({ name: z.string() }),
    responses: { 201: { description: 'made', schema: userInfoSchema } },
    handle: () => undefined,
  }),
  defineRoute({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'metrics',
    tag: 'system',
    access: 'public',
    responses: { 200: { description: 'text', contentType: 'text/plain' } },
    handle: () => undefined,
  }),
];

/** Walks a JSON document by keys; undefined when a step is missing. */
function at(value: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined),
    value,
  );
}

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument(routes, { version: '1.2.3' });
  const readings = at(doc, 'paths', '/api/sites/{id}/readings', 'get');
  const things = at(doc, 'paths', '/api/things', 'post');
  const metrics = at(doc, 'paths', '/metrics', 'get');

  it('converts express paths and lists every route', () => {
    expect(openApiPath('/api/sites/:id/readings')).toBe('/api/sites/{id}/readings');
    expect(doc).toMatchObject({ openapi: '3.1.0', info: { version: '1.2.3' } });
    expect(Object.keys(at(doc, 'paths') as object).sort()).toEqual(['/api/sites/{id}/readings', '/api/things', '/metrics']);
  });

  it('describes path and query parameters with requiredness from the schema', () => {
    const parameters = at(readings, 'parameters') as Array<{ in: string; name: string; required: boolean; schema: unknown }>;
    expect(parameters.map((p) => [p.in, p.name, p.required])).toEqual([
      ['path', 'id', true],
      ['query', 'metric', true],
      ['query', 'from', false],
      ['query', 'to', false],
      ['query', 'maxPoints', false],
    ]);
    expect(at(parameters[1], 'schema', 'enum')).toContain('salinity');
  });

  it('references named contract schemas and names the others after their operation', () => {
    expect(at(readings, 'responses', '401', 'content', 'application/json', 'schema')).toEqual({ $ref: '#/components/schemas/ApiError' });
    expect(at(readings, 'responses', '200', 'content', 'application/json', 'schema')).toEqual({
      $ref: '#/components/schemas/GetSiteReadingsResponse200',
    });
    expect(at(doc, 'components', 'schemas', 'GetSiteReadingsResponse200')).toMatchObject({ type: 'object', required: ['n'] });
    expect(at(doc, 'components', 'schemas', 'UserInfo', 'properties', 'role', 'enum')).toEqual(['viewer', 'operator', 'admin']);
    expect(at(doc, 'components', 'schemas', 'UserInfo')).not.toHaveProperty('$schema');
  });

  it('marks access: public routes have no security, others need the session cookie', () => {
    expect(at(metrics, 'security')).toEqual([]);
    expect(at(metrics, 'responses', '200', 'content', 'text/plain', 'schema')).toEqual({ type: 'string' });
    expect(at(things, 'security')).toEqual([{ sessionCookie: [] }]);
    expect(at(things, 'x-required-role')).toBe('admin');
    expect(at(things, 'requestBody', 'content', 'application/json', 'schema')).toMatchObject({ required: ['name'] });
    expect(at(doc, 'components', 'securitySchemes', 'sessionCookie')).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'ioc_session' });
  });
});
