/**
 * SenML JSON packs (RFC 8428), resolved as §4.6 describes:
 * - base fields `bn`, `bt`, `bu`, `bv` apply to the record that carries them and every later one,
 *   until replaced (§4.5);
 * - the metric is the part of `bn + n` after the last `:` or `/` (`urn:dev:KG-WQ-01:` + `do` → `do`);
 *   the topic, which the broker ties to the device, decides the site, not the name;
 * - times are SECONDS: `bt + t`, relative to the receive time when below 2^28 (§4.5.3), else since
 *   the epoch; records with the same resolved time merge into one reading;
 * - `u` (or `bu`) is converted to the catalog unit when exact (./units.ts), else `unit_mismatch`;
 * - only numeric values (`v`) become readings; `vs`, `vb`, `vd` and sums (`s`) are `wrong_type`;
 * - a pack with an unsupported version (`bver`, RFC 9100 feature bits) or a must-understand field
 *   (name ending in `_`, §4.4) is refused whole, as the RFC requires.
 */
import { senmlRecordSchema } from '../../common/payloads.js';
import type { DecodeRejection } from './decode-types.js';
import { formatIssues, formatQuantity, quote } from './detail-format.js';
import { isJsonObject, jsonKind } from './json-payload.js';
import type { DecodeSink } from './timed-values.js';
import { checkTimestamp } from './timestamps.js';
import { toCatalogUnit } from './units.js';
import { checkNumber, checkRange, resolveMetric } from './validate-value.js';

/** Times below this many seconds are relative to now (RFC 8428 §4.5.3). */
export const SENML_RELATIVE_TIME_LIMIT_S = 2 ** 28;

/**
 * SenML versions are feature bitmaps (RFC 9100): bits 1 and 3 are the base version 10, bit 4 is
 * "secondary units" (RFC 8798), which ./units.ts understands. Any other bit is a feature we lack.
 */
const SUPPORTED_FEATURE_BITS = 0b1_1010;

const BASE_FIELDS = ['bn', 'bt', 'bu', 'bv', 'bs', 'bver'] as const;
const VALUE_FIELDS = ['v', 'vs', 'vb', 'vd', 's'] as const;

/** Labels that identify an object as a SenML record. */
export const SENML_LABELS: readonly string[] = [...BASE_FIELDS, ...VALUE_FIELDS, 'n', 'u', 't', 'ut'];

/** Pack-level problems that make the whole pack unreadable, or undefined. */
function packProblem(records: readonly unknown[]): DecodeRejection | undefined {
  for (const [index, record] of records.entries()) {
    if (!isJsonObject(record)) continue;
    const mustUnderstand = Object.keys(record).find((key) => key.endsWith('_'));
    if (mustUnderstand !== undefined) {
      return {
        reason: 'invalid_payload',
        detail: `record ${index}: must-understand field ${quote(mustUnderstand)} is not supported, so the whole SenML pack is refused (RFC 8428 §4.4)`,
      };
    }
    const version = record.bver;
    if (version !== undefined) {
      const supported =
        typeof version === 'number' && Number.isInteger(version) && version >= 0 && (version & ~SUPPORTED_FEATURE_BITS) === 0;
      if (!supported) {
        return {
          reason: 'invalid_payload',
          detail: `record ${index}: SenML version ${quote(String(version), 16)} uses features this platform does not support (supported: 10 and 26, RFC 9100)`,
        };
      }
    }
  }
  return undefined;
}

/** The metric part of a resolved SenML name: after the last `:` or `/`. */
export function metricPartOfName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf(':'), name.lastIndexOf('/')) + 1);
}

/** Decodes a SenML pack (a JSON array of records) into the sink. */
export function decodeSenmlPack(records: readonly unknown[], sink: DecodeSink): void {
  const { context, builder, rejections } = sink;
  const refused = packProblem(records);
  if (refused) {
    rejections.push(refused);
    return;
  }

  let baseName = '';
  let baseTime = 0;
  let baseUnit: string | undefined;
  let baseValue = 0;

  for (const [index, raw] of records.entries()) {
    const prefix = `record ${index}: `;
    if (!isJsonObject(raw)) {
      rejections.push({ reason: 'invalid_payload', detail: `${prefix}expected a SenML record object, got ${jsonKind(raw)}` });
      continue;
    }
    const parsed = senmlRecordSchema.safeParse(raw);
    if (!parsed.success) {
      rejections.push({ reason: 'invalid_payload', detail: `${prefix}${formatIssues(parsed.error.issues)}` });
      if (BASE_FIELDS.some((field) => Object.hasOwn(raw, field)) && index < records.length - 1) {
        // Later records would resolve against the wrong base name, time or unit: refuse them
        // rather than store values under the wrong metric, time or unit.
        rejections.push({
          reason: 'invalid_payload',
          detail: `records ${index + 1}–${records.length - 1}: refused because they depend on the invalid base fields of record ${index}`,
        });
        return;
      }
      continue;
    }
    const record = parsed.data;
    if (record.bn !== undefined) baseName = record.bn;
    if (record.bt !== undefined) baseTime = record.bt;
    if (record.bu !== undefined) baseUnit = record.bu;
    if (record.bv !== undefined) baseValue = record.bv;

    const hasValue = VALUE_FIELDS.some((field) => Object.hasOwn(raw, field));
    const name = baseName + (record.n ?? '');
    if (!hasValue) {
      // A record of base fields only is legal; a named record without a value is not.
      if (record.n !== undefined) rejections.push({ reason: 'invalid_payload', detail: `${prefix}${quote(name)} has no value (v)` });
      continue;
    }
    if (name === '') {
      rejections.push({ reason: 'invalid_payload', detail: `${prefix}record has no name (n or bn)` });
      continue;
    }
    const metricKey = metricPartOfName(name);
    if (metricKey === '') {
      rejections.push({ reason: 'invalid_payload', detail: `${prefix}name ${quote(name)} ends without a metric id` });
      continue;
    }
    const lookup = resolveMetric(metricKey, prefix);
    if (!lookup.ok) {
      rejections.push(lookup.rejection);
      continue;
    }
    const metric = lookup.metric;
    if (!Object.hasOwn(raw, 'v')) {
      const kind =
        record.vs !== undefined
          ? 'a string value (vs)'
          : record.vb !== undefined
            ? 'a boolean value (vb)'
            : record.vd !== undefined
              ? 'a data value (vd)'
              : 'only a sum (s)';
      rejections.push({ reason: 'wrong_type', detail: `${prefix}${metric} has ${kind}; only numeric values (v) are accepted` });
      continue;
    }
    const number = checkNumber(metric, record.v, prefix);
    if (!number.ok) {
      rejections.push(number.rejection);
      continue;
    }

    const timeS = baseTime + (record.t ?? 0);
    if (!Number.isFinite(timeS)) {
      rejections.push({ reason: 'invalid_payload', detail: `${prefix}time bt + t is not a finite number of seconds` });
      continue;
    }
    const ts = Math.round(timeS < SENML_RELATIVE_TIME_LIMIT_S ? context.receivedAt + timeS * 1000 : timeS * 1000);
    const badTime = checkTimestamp(ts, context, prefix);
    if (badTime) {
      rejections.push(badTime);
      continue;
    }

    const sent = baseValue + number.value;
    const unit = record.u ?? baseUnit;
    const conversion = toCatalogUnit(metric, sent, unit);
    if (!conversion.ok) {
      rejections.push({ reason: 'unit_mismatch', detail: `${prefix}${conversion.detail}` });
      continue;
    }
    const outOfRange = checkRange(metric, conversion.value, prefix, conversion.converted ? formatQuantity(sent, unit) : undefined);
    if (outOfRange) {
      rejections.push(outOfRange);
      continue;
    }
    builder.add(ts, metric, conversion.value);
  }
}
