/**
 * The OpenAPI 3.1 document of the REST API, generated from the route table and the zod schemas of
 * common/api.ts and common/errors.ts with zod's `z.toJSONSchema()`. Nothing is written by hand, so
 * the document describes exactly what the router serves and validates.
 */
import { z } from 'zod';
import { presetListResponseSchema, presetSchema, ruleListResponseSchema, ruleRecordSchema } from '../../common/alert-rules.js';
import { alertListResponseSchema, alertSchema } from '../../common/alerts.js';
import {
  appConfigSchema,
  deviceTokenResponseSchema,
  healthSchema,
  historyBucketSchema,
  historySeriesSchema,
  latestValueSchema,
  rejectionListResponseSchema,
  rejectionSchema,
  siteEventListResponseSchema,
  siteEventSchema,
  siteListResponseSchema,
  siteSummarySchema,
  userInfoSchema,
} from '../../common/api.js';
import { apiErrorBodySchema } from '../../common/errors.js';
import { SESSION_COOKIE } from '../../common/socket-events.js';
import { wqiResultSchema } from '../../common/wqi.js';
import type { ApiRoute } from './routes/route-spec.js';

type JsonObject = Record<string, unknown>;

/** Contract schemas that get a name under `components.schemas` (and are referenced by it). */
const NAMED_SCHEMAS: ReadonlyArray<readonly [string, z.ZodType]> = [
  ['ApiError', apiErrorBodySchema],
  ['UserInfo', userInfoSchema],
  ['Health', healthSchema],
  ['AppConfig', appConfigSchema],
  ['LatestValue', latestValueSchema],
  ['SiteSummary', siteSummarySchema],
  ['SiteListResponse', siteListResponseSchema],
  ['HistoryBucket', historyBucketSchema],
  ['HistorySeries', historySeriesSchema],
  ['SiteEvent', siteEventSchema],
  ['SiteEventListResponse', siteEventListResponseSchema],
  ['Rejection', rejectionSchema],
  ['RejectionListResponse', rejectionListResponseSchema],
  ['DeviceTokenResponse', deviceTokenResponseSchema],
  ['WqiResult', wqiResultSchema],
  ['Alert', alertSchema],
  ['AlertListResponse', alertListResponseSchema],
  ['AlertRule', ruleRecordSchema],
  ['AlertRuleListResponse', ruleListResponseSchema],
  ['AlertRulePreset', presetSchema],
  ['AlertRulePresetListResponse', presetListResponseSchema],
];

const SCHEMA_REF_PREFIX = '#/components/schemas/';

/** Express `/api/sites/:id` → OpenAPI `/api/sites/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function withoutDialect(schema: JsonObject): JsonObject {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/** JSON Schema of a request part (what the client may send), inlined. */
function inputSchema(schema: z.ZodType): JsonObject {
  return withoutDialect(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject);
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonObject[] {
  if (schema === undefined) return [];
  if (!(schema instanceof z.ZodObject)) throw new Error(`${location} parameters must be a z.object`);
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const json = inputSchema(field);
    const { description, ...fieldSchema } = json;
    return {
      name,
      in: location,
      required: location === 'path' || !field.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: fieldSchema,
    };
  });
}

export interface OpenApiInfo {
  readonly version: string;
}

/** Builds the document for `routes`; throws if a route cites a schema zod cannot express. */
export function buildOpenApiDocument(routes: readonly ApiRoute[], info: OpenApiInfo): JsonObject {
  const names = new Map<z.ZodType, string>(NAMED_SCHEMAS.map(([name, schema]) => [schema, name]));
  for (const route of routes) {
    for (const [status, response] of Object.entries(route.responses)) {
      if (response.schema && !names.has(response.schema)) {
        names.set(response.schema, `${route.operationId.charAt(0).toUpperCase()}${route.operationId.slice(1)}Response${status}`);
      }
    }
  }
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { io: 'output', unrepresentable: 'any', uri: (id) => `${SCHEMA_REF_PREFIX}${id}` });
  const schemas = Object.fromEntries(Object.entries(generated.schemas).map(([id, schema]) => [id, withoutDialect(schema as JsonObject)]));

  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, response]) => {
        const mediaType = response.contentType ?? 'application/json';
        const name = response.schema ? names.get(response.schema) : undefined;
        const content =
          name !== undefined
            ? { [mediaType]: { schema: { $ref: `${SCHEMA_REF_PREFIX}${name}` } } }
            : response.contentType !== undefined
              ? { [mediaType]: { schema: mediaType.includes('json') ? { type: 'object' } : { type: 'string' } } }
              : undefined;
        return [status, { description: response.description, ...(content ? { content } : {}) }];
      }),
    );
    const operation: JsonObject = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      security: route.access === 'public' ? [] : [{ sessionCookie: [] }],
      ...(route.access === 'admin' || route.access === 'operator' ? { 'x-required-role': route.access } : {}),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: inputSchema(route.body) } } } } : {}),
      responses,
    };
    const pathKey = openApiPath(route.path);
    paths[pathKey] = { ...paths[pathKey], [route.method]: operation };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Mekong IOC API',
      version: info.version,
      description:
        'REST API of the Mekong IOC web server. Times are epoch milliseconds (UTC); values are in the metric catalog’s units. ' +
        'Errors are `{"error": {"code", "message", "details"?}}`. Live updates arrive over socket.io (`reading`, `site-status`).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'Set by `POST /api/auth/login` (httpOnly, SameSite=Strict).',
        },
      },
    },
  };
}
