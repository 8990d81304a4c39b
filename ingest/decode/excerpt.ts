/**
 * The `payloadExcerpt` of a dead-letter entry: the start of the offending payload, safe to show in
 * a log, a JSON API and a browser. Text stays text (control characters escaped); bytes that are
 * not UTF-8 are shown as hex so binary garbage is still diagnosable.
 */
import { escapeControlChars } from './detail-format.js';

/** Longest excerpt kept, characters (the REST contract's limit). */
export const MAX_EXCERPT_CHARS = 512;

const HEX_PREFIX = 'hex:';

/** The first {@link MAX_EXCERPT_CHARS} characters of a payload, decoded safely. */
export function payloadExcerpt(payload: Uint8Array, maxChars = MAX_EXCERPT_CHARS): string {
  // Four bytes per character at most, so this slice always covers maxChars characters.
  const head = payload.subarray(0, maxChars * 4);
  let text: string;
  try {
    // `stream: true` tolerates a character cut in half at the end of the slice.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: head.byteLength < payload.byteLength });
  } catch {
    const bytes = Math.floor((maxChars - HEX_PREFIX.length) / 2);
    return `${HEX_PREFIX}${Buffer.from(payload.subarray(0, bytes)).toString('hex')}`;
  }
  let excerpt = '';
  for (const char of text) {
    const piece = escapeControlChars(char);
    // Length in UTF-16 code units, as JavaScript and the REST schema count it; pairs are never split.
    if (excerpt.length + piece.length > maxChars) break;
    excerpt += piece;
  }
  return excerpt;
}
