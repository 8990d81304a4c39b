/**
 * The few MQTT 3.1.1 packets the load generator needs, encoded and decoded by hand (OASIS MQTT
 * 3.1.1, §2 fixed header, §3 packets). A general client library spends more per message than the
 * broker under test; this one writes pre-built PUBLISH templates and parses incoming packets in
 * place without allocating, so one core can drive tens of thousands of messages per second.
 */

export const PacketType = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  subscribe: 8,
  suback: 9,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
} as const;

export type QoS = 0 | 1;

/** §2.2.3: the Remaining Length as 1–4 bytes, 7 bits each, least significant first. */
export function encodeRemainingLength(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > 268_435_455) throw new RangeError(`invalid remaining length ${length}`);
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/** A UTF-8 string or binary field prefixed by its 2-byte length (§1.5.3). */
export function lengthPrefixed(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length > 65_535) throw new RangeError('string field longer than 65,535 bytes');
  const prefix = Buffer.allocUnsafe(2);
  prefix.writeUInt16BE(bytes.length, 0);
  return Buffer.concat([prefix, bytes]);
}

function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), encodeRemainingLength(body.length), body]);
}

export interface WillMessage {
  readonly topic: string;
  readonly payload: string | Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
}

export interface ConnectOptions {
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** Seconds; 0 disables keepalive. */
  readonly keepaliveSec: number;
  readonly clean: boolean;
  readonly will?: WillMessage | undefined;
}

/** CONNECT (§3.1) for protocol level 4 (3.1.1). */
export function encodeConnect(options: ConnectOptions): Buffer {
  let flags = options.clean ? 0x02 : 0;
  if (options.will) flags |= 0x04 | (options.will.qos << 3) | (options.will.retain ? 0x20 : 0);
  if (options.password !== undefined) flags |= 0x40;
  if (options.username !== undefined) flags |= 0x80;
  const header = Buffer.alloc(10);
  header.writeUInt16BE(4, 0);
  header.write('MQTT', 2, 'utf8');
  header.writeUInt8(4, 6);
  header.writeUInt8(flags, 7);
  header.writeUInt16BE(options.keepaliveSec, 8);
  const parts: Buffer[] = [header, lengthPrefixed(options.clientId)];
  if (options.will) parts.push(lengthPrefixed(options.will.topic), lengthPrefixed(options.will.payload));
  if (options.username !== undefined) parts.push(lengthPrefixed(options.username));
  if (options.password !== undefined) parts.push(lengthPrefixed(options.password));
  return packet(PacketType.connect << 4, Buffer.concat(parts));
}

/** SUBSCRIBE (§3.8) of one or more filters. */
export function encodeSubscribe(packetId: number, filters: readonly { readonly filter: string; readonly qos: QoS }[]): Buffer {
  const id = Buffer.allocUnsafe(2);
  id.writeUInt16BE(packetId, 0);
  const parts: Buffer[] = [id];
  for (const { filter, qos } of filters) parts.push(lengthPrefixed(filter), Buffer.from([qos]));
  return packet((PacketType.subscribe << 4) | 0x02, Buffer.concat(parts));
}

/** PUBACK (§3.4). */
export function encodePuback(packetId: number): Buffer {
  const bytes = Buffer.allocUnsafe(4);
  bytes[0] = PacketType.puback << 4;
  bytes[1] = 2;
  bytes.writeUInt16BE(packetId, 2);
  return bytes;
}

export const PINGREQ = Buffer.from([PacketType.pingreq << 4, 0]);
export const DISCONNECT = Buffer.from([PacketType.disconnect << 4, 0]);

/** PUBLISH (§3.3) with a packet identifier when QoS > 0. */
export function encodePublish(topic: string, payload: Buffer, qos: QoS, packetId = 0, retain = false): Buffer {
  const template = new PublishTemplate(topic, payload.length, qos, retain);
  return template.build(payload, packetId);
}

/**
 * A PUBLISH packet for a fixed topic and payload size, built once; {@link build} copies it and
 * fills in the packet id and payload, the only per-message work.
 */
export class PublishTemplate {
  private readonly header: Buffer;
  /** Offset of the packet identifier (QoS 1), or of the payload (QoS 0), in the built packet. */
  private readonly packetIdOffset: number;
  readonly payloadOffset: number;
  readonly size: number;

  constructor(
    topic: string,
    readonly payloadLength: number,
    readonly qos: QoS,
    retain = false,
  ) {
    const topicField = lengthPrefixed(topic);
    const variableLength = topicField.length + (qos > 0 ? 2 : 0);
    const firstByte = (PacketType.publish << 4) | (qos << 1) | (retain ? 1 : 0);
    const remaining = encodeRemainingLength(variableLength + payloadLength);
    this.header = Buffer.concat([Buffer.from([firstByte]), remaining, topicField, Buffer.alloc(qos > 0 ? 2 : 0)]);
    this.packetIdOffset = 1 + remaining.length + topicField.length;
    this.payloadOffset = this.header.length;
    this.size = this.header.length + payloadLength;
  }

  /** A new packet with `payload` (exactly {@link payloadLength} bytes) and `packetId` (QoS 1). */
  build(payload: Buffer, packetId = 0): Buffer {
    if (payload.length !== this.payloadLength) throw new RangeError(`payload must be ${this.payloadLength} bytes, got ${payload.length}`);
    const bytes = Buffer.allocUnsafe(this.size);
    this.header.copy(bytes, 0);
    if (this.qos > 0) bytes.writeUInt16BE(packetId, this.packetIdOffset);
    payload.copy(bytes, this.payloadOffset);
    return bytes;
  }

  /** A new packet whose payload the caller fills in place at {@link payloadOffset}. */
  allocate(packetId = 0): Buffer {
    const bytes = Buffer.allocUnsafe(this.size);
    this.header.copy(bytes, 0);
    if (this.qos > 0) bytes.writeUInt16BE(packetId, this.packetIdOffset);
    return bytes;
  }
}

/**
 * PUBLISH with a text payload, for payloads that change length (JSON telemetry); `topicField` is
 * the topic already length-prefixed ({@link lengthPrefixed}), so it is encoded once per device.
 */
export function encodeTextPublish(topicField: Buffer, text: string, qos: QoS, packetId = 0): Buffer {
  const payloadLength = Buffer.byteLength(text, 'utf8');
  const remaining = topicField.length + (qos > 0 ? 2 : 0) + payloadLength;
  const lengthBytes = encodeRemainingLength(remaining);
  const bytes = Buffer.allocUnsafe(1 + lengthBytes.length + remaining);
  bytes[0] = (PacketType.publish << 4) | (qos << 1);
  lengthBytes.copy(bytes, 1);
  let offset = 1 + lengthBytes.length;
  offset += topicField.copy(bytes, offset);
  if (qos > 0) offset = bytes.writeUInt16BE(packetId, offset);
  bytes.write(text, offset, 'utf8');
  return bytes;
}

/** Called for each complete packet; `body` spans the variable header and payload within `buffer`. */
export type PacketHandler = (type: number, flags: number, buffer: Buffer, bodyStart: number, bodyEnd: number) => void;

/**
 * Splits a byte stream into packets. Feed it every chunk in order; it calls the handler for each
 * complete packet and keeps an incomplete tail for the next chunk.
 */
export class PacketReader {
  private tail: Buffer | undefined;

  constructor(private readonly onPacket: PacketHandler) {}

  push(chunk: Buffer): void {
    const buffer = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
    this.tail = undefined;
    let offset = 0;
    while (offset < buffer.length) {
      const header = readFixedHeader(buffer, offset);
      if (header === undefined || header.bodyStart + header.remaining > buffer.length) break;
      const first = buffer[offset] ?? 0;
      const bodyEnd = header.bodyStart + header.remaining;
      this.onPacket(first >> 4, first & 0x0f, buffer, header.bodyStart, bodyEnd);
      offset = bodyEnd;
    }
    if (offset < buffer.length) this.tail = buffer.subarray(offset);
  }
}

/** The remaining length and where the body starts, or undefined when the header is incomplete. */
function readFixedHeader(buffer: Buffer, offset: number): { readonly remaining: number; readonly bodyStart: number } | undefined {
  let remaining = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    const byte = buffer[offset + i];
    if (byte === undefined) return undefined;
    remaining += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { remaining, bodyStart: offset + i + 1 };
    multiplier *= 128;
  }
  throw new Error('malformed remaining length');
}

/** Where the parts of a PUBLISH body lie (§3.3.2). */
export interface PublishView {
  readonly qos: number;
  readonly topicStart: number;
  readonly topicEnd: number;
  /** 0 for QoS 0. */
  readonly packetId: number;
  readonly payloadStart: number;
}

export function readPublish(flags: number, buffer: Buffer, bodyStart: number): PublishView {
  const qos = (flags >> 1) & 0x03;
  const topicLength = buffer.readUInt16BE(bodyStart);
  const topicStart = bodyStart + 2;
  const topicEnd = topicStart + topicLength;
  const packetId = qos > 0 ? buffer.readUInt16BE(topicEnd) : 0;
  return { qos, topicStart, topicEnd, packetId, payloadStart: topicEnd + (qos > 0 ? 2 : 0) };
}
