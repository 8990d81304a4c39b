/**
 * ThingsBoard-style telemetry (domain notes §7): `{"ts": <ms>, "values": {"do": 5.2, ...}}`, the
 * flat `{"do": 5.2}` (optionally with `ts`), and arrays of either for backfill after a gap. Values
 * are in catalog units. A missing `ts` means the receive time; a bad `ts` drops its entry; a bad
 * value drops only that value.
 */
import type { DecodeContext, DecodeRejection } from './decode-types.js';
import { isJsonObject, jsonKind } from './json-payload.js';
import type { ReadingsBuilder } from './readings-builder.js';
import { checkTimestamp, readEpochMs } from './timestamps.js';
import { checkNumber, checkRange, resolveMetric } from './validate-value.js';

/** Where decoded values and rejections of one message go. */
export interface DecodeSink {
  readonly context: DecodeContext;
  readonly builder: ReadingsBuilder;
  readonly rejections: DecodeRejection[];
}

/** True when an object is a ThingsBoard-style entry rather than a SenML record. */
export function looksLikeTimedValues(value: unknown): boolean {
  return isJsonObject(value) && (Object.hasOwn(value, 'values') || Object.hasOwn(value, 'ts'));
}

/** Decodes one entry; `prefix` locates it in details (`entry 3: `, or empty for a single object). */
export function decodeTimedEntry(entry: unknown, sink: DecodeSink, prefix = ''): void {
  const { context, builder, rejections } = sink;
  if (!isJsonObject(entry)) {
    rejections.push({
      reason: 'invalid_payload',
      detail: `${prefix}expected an object like {"ts": <ms>, "values": {...}}, got ${jsonKind(entry)}`,
    });
    return;
  }
  let values: Record<string, unknown>;
  if (Object.hasOwn(entry, 'values')) {
    if (!isJsonObject(entry.values)) {
      rejections.push({
        reason: 'invalid_payload',
        detail: `${prefix}"values" must be an object of metric → number, got ${jsonKind(entry.values)}`,
      });
      return;
    }
    values = entry.values;
  } else {
    const { ts: _ts, ...flat } = entry;
    values = flat;
  }

  let ts = context.receivedAt;
  if (entry.ts !== undefined) {
    const read = readEpochMs(entry.ts);
    if (!read.ok) {
      rejections.push({ reason: 'invalid_payload', detail: `${prefix}${read.detail}` });
      return;
    }
    ts = read.ms;
    const refused = checkTimestamp(ts, context, prefix);
    if (refused) {
      rejections.push(refused);
      return;
    }
  }

  const keys = Object.keys(values);
  if (keys.length === 0) {
    rejections.push({ reason: 'invalid_payload', detail: `${prefix}no values` });
    return;
  }
  for (const key of keys) {
    const lookup = resolveMetric(key, prefix);
    if (!lookup.ok) {
      rejections.push(lookup.rejection);
      continue;
    }
    const number = checkNumber(lookup.metric, values[key], prefix);
    if (!number.ok) {
      rejections.push(number.rejection);
      continue;
    }
    const outOfRange = checkRange(lookup.metric, number.value, prefix);
    if (outOfRange) {
      rejections.push(outOfRange);
      continue;
    }
    builder.add(ts, lookup.metric, number.value);
  }
}
