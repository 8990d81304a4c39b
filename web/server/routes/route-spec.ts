/**
 * One route table drives both the express router and the OpenAPI document, so the documentation
 * cannot drift from what is served. A route declares its method, path, access level, the zod
 * schemas of its inputs and of every answer; {@link defineRoute} turns that into an express handler
 * that validates the inputs before the route's code runs.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { apiErrorBodySchema } from '../../../common/errors.js';
import { authOf } from '../auth/require-auth.js';
import type { AuthInfo } from '../auth/session.js';
import { parseInput } from '../validation.js';

/** Who may call a route: anyone, any logged-in user, operators and admins, or admins only (roles in common/api.ts ROLES). */
export type Access = 'public' | 'session' | 'operator' | 'admin';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/** One documented answer of a route. */
export interface ResponseSpec {
  readonly description: string;
  /** Schema of a JSON body (`application/json`, or `contentType` when set). */
  readonly schema?: z.ZodType;
  /** Media type when not `application/json`, e.g. `text/plain` for Prometheus. */
  readonly contentType?: string;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route's code receives: validated inputs, the caller, and the raw request and response. */
export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The caller; always set on `session` and `admin` routes. */
  readonly auth: AuthInfo | undefined;
  readonly req: Request;
  readonly res: Response;
}

/** A route as written in routes/*.ts. */
export interface RouteDefinition<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  readonly method: HttpMethod;
  /** Express path pattern, e.g. `/api/sites/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Every answer by HTTP status, errors included. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Runs before validation (e.g. the login rate limiter). */
  readonly before?: readonly RequestHandler[];
  /** Writes the answer (`res.status(…).json(…)`, see {@link sendJson}). */
  handle(input: RouteInput<Parsed<P>, Parsed<Q>, Parsed<B>>): Promise<void> | void;
}

/** A route with its types erased: metadata for the document plus the express handler. */
export interface ApiRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description: string | undefined;
  readonly tag: string;
  readonly access: Access;
  readonly params: z.ZodType | undefined;
  readonly query: z.ZodType | undefined;
  readonly body: z.ZodType | undefined;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly before: readonly RequestHandler[];
  readonly handler: RequestHandler;
}

function parseOptional<S extends z.ZodType | undefined>(schema: S, value: unknown, part: 'body' | 'query' | 'path'): Parsed<S> {
  return (schema === undefined ? undefined : parseInput(schema, value, part)) as Parsed<S>;
}

/** Every state-changing route may answer this (the cross-site request check in auth/origin-check.ts). */
const CROSS_SITE_REFUSAL: Readonly<Record<number, ResponseSpec>> = {
  403: {
    description: '`forbidden`: the role is not allowed, or a cross-site request was refused (`Origin`/`Referer` of another site)',
    schema: apiErrorBodySchema,
  },
};

/**
 * Turns a definition into an {@link ApiRoute} whose handler validates params, query and body first.
 * Non-GET routes document the cross-site refusal (403) whether or not they declare one.
 */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(definition: RouteDefinition<P, Q, B>): ApiRoute {
  const handler: RequestHandler = async (req, res) => {
    const params = parseOptional(definition.params as P, req.params, 'path');
    const query = parseOptional(definition.query as Q, req.query, 'query');
    const body = parseOptional(definition.body as B, req.body, 'body');
    await definition.handle({ params, query, body, auth: authOf(res), req, res });
  };
  return {
    method: definition.method,
    path: definition.path,
    operationId: definition.operationId,
    summary: definition.summary,
    description: definition.description,
    tag: definition.tag,
    access: definition.access,
    params: definition.params,
    query: definition.query,
    body: definition.body,
    responses: definition.method === 'get' ? definition.responses : { ...CROSS_SITE_REFUSAL, ...definition.responses },
    before: definition.before ?? [],
    handler,
  };
}

/** Sends `body` as JSON with `status`; the schema parameter makes the compiler check the body's shape. */
export function sendJson<S extends z.ZodType>(res: Response, status: number, _schema: S, body: z.input<S>): void {
  res.status(status).json(body);
}
