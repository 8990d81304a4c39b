/**
 * Decoding of `sites/{siteId}/telemetry` payloads into readings in catalog units. Pure: bytes and
 * context in, readings and rejections out; never throws.
 *
 * Accepted forms (see common/payloads.ts and docs):
 * - `{"ts": <ms>, "values": {"do": 5.2, ...}}`; without `ts` the receive time is used;
 * - the flat `{"do": 5.2}`, optionally with `"ts"` (ThingsBoard style);
 * - an array of either, for backfill after a gap (stored at the original timestamps);
 * - a SenML JSON pack (RFC 8428 array of records; see ./senml.ts).
 *
 * Rejection granularity: a bad value drops that value, a bad timestamp drops its entry (or SenML
 * record), a payload that cannot be read at all is dropped whole. The good readings of a message
 * are always kept.
 */
import type { Reading } from '../../common/payloads.js';
import type { DecodeContext, DecodeRejection } from './decode-types.js';
import { isJsonObject, jsonKind, parseJsonPayload } from './json-payload.js';
import { ReadingsBuilder } from './readings-builder.js';
import { decodeSenmlPack, SENML_LABELS } from './senml.js';
import { type DecodeSink, decodeTimedEntry, looksLikeTimedValues } from './timed-values.js';

/** Default cap on entries (array elements or SenML records) per message. */
export const DEFAULT_MAX_ENTRIES = 10_000;

export interface TelemetryDecodeContext extends DecodeContext {
  /** Entries beyond this many are refused with `too_many_entries`; default {@link DEFAULT_MAX_ENTRIES}. */
  readonly maxEntries?: number;
}

export interface TelemetryDecodeResult {
  /** Accepted readings, values in catalog units, oldest first. */
  readonly readings: Reading[];
  readonly rejections: DecodeRejection[];
}

/** Decodes one telemetry payload of `context.siteId`. */
export function decodeTelemetry(payload: Uint8Array, context: TelemetryDecodeContext): TelemetryDecodeResult {
  const parsed = parseJsonPayload(payload);
  if (!parsed.ok) return { readings: [], rejections: [parsed.rejection] };
  const sink: DecodeSink = { context, builder: new ReadingsBuilder(context.siteId), rejections: [] };
  decodeJson(parsed.value, sink, context.maxEntries ?? DEFAULT_MAX_ENTRIES);
  const readings = sink.builder.build();
  // Never drop a message silently (found by tests/unit/security/decoder-fuzz.test.ts: a SenML pack
  // of records with neither a value nor a base field, e.g. [{"u":""}]).
  if (readings.length === 0 && sink.rejections.length === 0) {
    sink.rejections.push({ reason: 'invalid_payload', detail: 'the message carries no readings (no values to store)' });
  }
  return { readings, rejections: sink.rejections };
}

function decodeJson(json: unknown, sink: DecodeSink, maxEntries: number): void {
  if (Array.isArray(json)) {
    decodeArray(json, sink, maxEntries);
    return;
  }
  if (!isJsonObject(json)) {
    sink.rejections.push({ reason: 'invalid_payload', detail: `expected a JSON object or array, got ${jsonKind(json)}` });
    return;
  }
  if (!looksLikeTimedValues(json) && Object.hasOwn(json, 'v') && (Object.hasOwn(json, 'n') || Object.hasOwn(json, 'bn'))) {
    sink.rejections.push({
      reason: 'invalid_payload',
      detail: 'this looks like a single SenML record; a SenML pack must be a JSON array ([{...}])',
    });
    return;
  }
  decodeTimedEntry(json, sink);
}

function decodeArray(entries: readonly unknown[], sink: DecodeSink, maxEntries: number): void {
  if (entries.length === 0) {
    sink.rejections.push({ reason: 'invalid_payload', detail: 'empty array: expected readings ({"ts", "values"}) or SenML records' });
    return;
  }
  let accepted = entries;
  if (entries.length > maxEntries) {
    sink.rejections.push({
      reason: 'too_many_entries',
      detail: `${entries.length} entries in one message, at most ${maxEntries} accepted: entries ${maxEntries}–${entries.length - 1} dropped`,
    });
    accepted = entries.slice(0, maxEntries);
  }
  const first = accepted[0];
  const isSenml = isJsonObject(first) && !looksLikeTimedValues(first) && SENML_LABELS.some((label) => Object.hasOwn(first, label));
  if (isSenml) {
    decodeSenmlPack(accepted, sink);
    return;
  }
  for (const [index, entry] of accepted.entries()) decodeTimedEntry(entry, sink, `entry ${index}: `);
}
