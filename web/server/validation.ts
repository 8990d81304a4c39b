/**
 * Request validation: every body, query and path parameter is parsed with a zod schema from the
 * contract; a failure becomes `400 validation_failed` with one `{path, message}` per problem, so
 * clients can point at the offending field.
 */
import type { z } from 'zod';
import { AppError, type ErrorDetail } from '../../platform/errors.js';

/** Where the input came from; prefixes nothing, but names the part in the error message. */
export type InputPart = 'body' | 'query' | 'path';

/** zod issues as `{path, message}` details; the root is reported as `(root)`. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

/** Parses `value` with `schema` or throws `AppError('validation_failed')` listing every problem. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AppError('validation_failed', `Invalid request ${part}`, issuesToDetails(result.error.issues));
  }
  return result.data;
}
