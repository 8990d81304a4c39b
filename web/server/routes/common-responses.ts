/** Error answers shared by many routes, for the route table (and so the OpenAPI document). */
import { apiErrorBodySchema } from '../../../common/errors.js';
import type { ResponseSpec } from './route-spec.js';

const error = (description: string): ResponseSpec => ({ description, schema: apiErrorBodySchema });

export const errorResponses = {
  validation: { 400: error('`validation_failed`: a parameter or the body is invalid; `details` lists each problem') },
  unauthenticated: { 401: error('`unauthenticated`: no valid session cookie') },
  forbidden: { 403: error('`forbidden`: the role is not allowed') },
  notFound: { 404: error('`not_found`') },
  conflict: { 409: error('`conflict`: the request clashes with the current state (e.g. an id already registered)') },
  rateLimited: { 429: error('`rate_limited`: too many attempts') },
} as const;
