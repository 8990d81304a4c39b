/**
 * Request validation: every body, query and path parameter is parsed with a zod schema from the
 * contract; a failure becomes `400 validation_failed` with one `{path, message}` per problem, so
 * clients can point at the offending field.
 */
import type { z } from 'zod';
import { AppError, type ErrorDetail } from '../../platform/errors.js';

/** Where the input came from; prefixes nothing, but names the part in the error message. */
export type InputPart = 'body' | 'query' | 'path';

/**
 * zod issues as `{path, message}` details; the root is reported as `(root)`. A union that matched
 * no option (e.g. `POST /api/sites`: one site, or `{sites: [...]}`) reports the problems of the
 * option that came closest — the fewest issues — instead of a bare "Invalid input".
 */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues
    .flatMap((issue) => flatten(issue, []))
    .map(({ path, message }) => ({
      path: path.length > 0 ? path.map(String).join('.') : '(root)',
      message,
    }));
}

function flatten(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const closest = issue.errors.reduce((best, option) => (option.length < best.length ? option : best));
    if (closest.length > 0) return closest.flatMap((inner) => flatten(inner, path));
  }
  return [{ path, message: issue.message }];
}

/** Parses `value` with `schema` or throws `AppError('validation_failed')` listing every problem. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AppError('validation_failed', `Invalid request ${part}`, issuesToDetails(result.error.issues));
  }
  return result.data;
}
