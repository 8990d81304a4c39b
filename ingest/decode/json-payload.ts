/**
 * Turns MQTT payload bytes into JSON, refusing anything that is not UTF-8 JSON with a specific
 * `malformed_json` detail. Never throws: devices send garbage, ingest keeps running.
 */
import type { DecodeRejection } from './decode-types.js';
import { escapeControlChars } from './detail-format.js';

export type JsonParseResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly rejection: DecodeRejection };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Parses a payload as UTF-8 JSON (a leading byte-order mark is ignored). */
export function parseJsonPayload(payload: Uint8Array): JsonParseResult {
  if (payload.byteLength === 0) {
    return { ok: false, rejection: { reason: 'malformed_json', detail: 'empty payload' } };
  }
  let text: string;
  try {
    text = strictUtf8.decode(payload);
  } catch {
    return { ok: false, rejection: { reason: 'malformed_json', detail: 'payload is not valid UTF-8 text' } };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const short = message.length > 160 ? `${message.slice(0, 160)}…` : message;
    return { ok: false, rejection: { reason: 'malformed_json', detail: `invalid JSON: ${escapeControlChars(short)}` } };
  }
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `an array`, `a string`, `null`… for "expected an object" details. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
