/**
 * Formatting helpers for rejection details. Details end up in the dead-letter log, in logs and in
 * the browser, so anything taken from a device is truncated and has control characters escaped.
 */

const MAX_QUOTED_CHARS = 64;

// Control characters (C0, DEL, C1) and the JS line separators, which would break log lines.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Escapes control characters as `\uXXXX` so a detail always stays on one printable line. */
export function escapeControlChars(text: string): string {
  return text.replace(UNSAFE_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `'text'`, truncated to `max` characters (code points) with `…`, control characters escaped. */
export function quote(text: string, max = MAX_QUOTED_CHARS): string {
  const chars = Array.from(text.length > max * 2 ? text.slice(0, max * 2) : text);
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
  return `'${escapeControlChars(cut)}'`;
}

/** ISO-8601 of an epoch-ms timestamp, or the raw number when it is outside the Date range. */
export function formatTs(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

/** `15` or `-1 ‰`: a number with its unit when it has one. */
export function formatQuantity(value: number, unit: string | undefined): string {
  return unit ? `${value} ${unit}` : String(value);
}

/** What a non-number JSON value is, for `wrong_type` details: `a string ("5")`, `null`, `an object`. */
export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (typeof value === 'string') {
    const shown = value.length > 32 ? `${value.slice(0, 32)}…` : value;
    return `a string (${escapeControlChars(JSON.stringify(shown))})`;
  }
  if (typeof value === 'boolean') return `a boolean (${value})`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `${value} (not finite)`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The first few schema issues as `path: message; …` (zod issues or anything shaped like them). */
export function formatIssues(issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[], max = 3): string {
  const shown = issues
    .slice(0, max)
    .map((issue) => `${issue.path.map(String).join('.') || '(payload)'}: ${escapeControlChars(issue.message)}`)
    .join('; ');
  return issues.length > max ? `${shown}; and ${issues.length - max} more` : shown;
}
