/**
 * Framing of one spool record: the readings of one accepted MQTT message.
 *
 *   [payload length: u32 LE][reading count: u32 LE][CRC-32 of the payload: u32 LE][payload]
 *
 * The payload is the readings as UTF-8 JSON. The count lets recovery account for a backlog without
 * parsing it; the CRC tells a complete record from a torn one (a write cut short by a power cut)
 * or from garbage (a file extended with zeros by the file system after a crash).
 */
import zlib from 'node:zlib';
import type { Reading } from '../../common/payloads.js';

/** Bytes of the record header. */
export const RECORD_HEADER_BYTES = 12;

/** Largest payload a record may carry, bytes; a larger length field means the header is garbage. */
export const MAX_RECORD_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** Encodes the readings of one message as one record. */
export function encodeRecord(readings: readonly Reading[]): Buffer {
  const payload = Buffer.from(JSON.stringify(readings), 'utf8');
  if (payload.length > MAX_RECORD_PAYLOAD_BYTES) throw new RangeError(`spool record of ${payload.length} bytes is too large`);
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt32LE(readings.length, 4);
  record.writeUInt32LE(zlib.crc32(payload), 8);
  payload.copy(record, RECORD_HEADER_BYTES);
  return record;
}

/** What lies at a position of a buffer read from a segment. */
export type RecordView =
  | { readonly status: 'complete'; readonly payloadStart: number; readonly end: number; readonly count: number }
  /** The buffer ends inside the record; `end` is where the record would end (when the header was readable). */
  | { readonly status: 'incomplete'; readonly end: number | undefined }
  | { readonly status: 'corrupt'; readonly reason: string };

/** Inspects the record starting at `at` of `buffer` (checks the CRC, does not parse the payload). */
export function inspectRecord(buffer: Buffer, at: number): RecordView {
  if (buffer.length - at < RECORD_HEADER_BYTES) return { status: 'incomplete', end: undefined };
  const length = buffer.readUInt32LE(at);
  const count = buffer.readUInt32LE(at + 4);
  const crc = buffer.readUInt32LE(at + 8);
  if (length === 0 || count === 0) return { status: 'corrupt', reason: 'empty record header' };
  if (length > MAX_RECORD_PAYLOAD_BYTES) return { status: 'corrupt', reason: `record length ${length} is impossible` };
  const payloadStart = at + RECORD_HEADER_BYTES;
  const end = payloadStart + length;
  if (end > buffer.length) return { status: 'incomplete', end };
  if (zlib.crc32(buffer.subarray(payloadStart, end)) !== crc) return { status: 'corrupt', reason: 'checksum mismatch' };
  return { status: 'complete', payloadStart, end, count };
}

/** Parses a complete record's payload; undefined when it is not the readings it should be. */
export function decodeRecordPayload(buffer: Buffer, view: { readonly payloadStart: number; readonly end: number }): Reading[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buffer.toString('utf8', view.payloadStart, view.end));
  } catch {
    return undefined;
  }
  return Array.isArray(parsed) && parsed.every(isReading) ? parsed : undefined;
}

function isReading(value: unknown): value is Reading {
  if (typeof value !== 'object' || value === null) return false;
  const { siteId, ts, values } = value as Record<string, unknown>;
  return (
    typeof siteId === 'string' &&
    typeof ts === 'number' &&
    Number.isSafeInteger(ts) &&
    typeof values === 'object' &&
    values !== null &&
    Object.values(values).every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}
