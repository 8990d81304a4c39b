import { describe, expect, it } from 'vitest';
import {
  encodeConnect,
  encodePuback,
  encodePublish,
  encodeRemainingLength,
  encodeSubscribe,
  encodeTextPublish,
  lengthPrefixed,
  PacketReader,
  PacketType,
  PublishTemplate,
  readPublish,
} from '../../../bench/mqtt/codec.js';

interface Seen {
  type: number;
  flags: number;
  body: Buffer;
}

function readAll(chunks: readonly Buffer[]): Seen[] {
  const seen: Seen[] = [];
  const reader = new PacketReader((type, flags, buffer, start, end) =>
    seen.push({ type, flags, body: Buffer.from(buffer.subarray(start, end)) }),
  );
  for (const chunk of chunks) reader.push(chunk);
  return seen;
}

describe('MQTT 3.1.1 codec of the load generator', () => {
  it('encodes the Remaining Length as in §2.2.3 Table 2.4', () => {
    expect([...encodeRemainingLength(0)]).toEqual([0x00]);
    expect([...encodeRemainingLength(127)]).toEqual([0x7f]);
    expect([...encodeRemainingLength(128)]).toEqual([0x80, 0x01]);
    expect([...encodeRemainingLength(16_383)]).toEqual([0xff, 0x7f]);
    expect([...encodeRemainingLength(16_384)]).toEqual([0x80, 0x80, 0x01]);
    expect([...encodeRemainingLength(268_435_455)]).toEqual([0xff, 0xff, 0xff, 0x7f]);
    expect(() => encodeRemainingLength(268_435_456)).toThrow(RangeError);
  });

  it('encodes CONNECT with credentials and a retained QoS 1 Will (§3.1)', () => {
    const bytes = encodeConnect({
      clientId: 'c',
      username: 'u',
      password: 'p',
      keepaliveSec: 60,
      clean: true,
      will: { topic: 't', payload: 'w', qos: 1, retain: true },
    });
    expect([...bytes]).toEqual([
      0x10, 25, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0b1110_1110, 0, 60, 0, 1, 0x63, 0, 1, 0x74, 0, 1, 0x77, 0, 1, 0x75, 0, 1, 0x70,
    ]);
  });

  it('encodes SUBSCRIBE and PUBACK (§3.8, §3.4)', () => {
    expect([...encodeSubscribe(7, [{ filter: 'a/+', qos: 1 }])]).toEqual([0x82, 8, 0, 7, 0, 3, 0x61, 0x2f, 0x2b, 1]);
    expect([...encodePuback(0x1234)]).toEqual([0x40, 2, 0x12, 0x34]);
  });

  it('builds PUBLISH packets that read back with topic, packet id and payload', () => {
    const payload = Buffer.from('hello');
    for (const qos of [0, 1] as const) {
      const [packet] = readAll([encodePublish('sites/X1/telemetry', payload, qos, 42)]);
      expect(packet?.type).toBe(PacketType.publish);
      const body = packet?.body ?? Buffer.alloc(0);
      const view = readPublish(packet?.flags ?? 0, body, 0);
      expect(view.qos).toBe(qos);
      expect(body.subarray(view.topicStart, view.topicEnd).toString()).toBe('sites/X1/telemetry');
      expect(view.packetId).toBe(qos === 1 ? 42 : 0);
      expect(body.subarray(view.payloadStart).toString()).toBe('hello');
    }
  });

  it('builds the same packet from a template and from text', () => {
    const template = new PublishTemplate('a/b', 3, 1);
    const fromTemplate = template.build(Buffer.from('xyz'), 9);
    expect(fromTemplate.equals(encodeTextPublish(lengthPrefixed('a/b'), 'xyz', 1, 9))).toBe(true);
    expect(fromTemplate.subarray(template.payloadOffset).toString()).toBe('xyz');
    expect(() => template.build(Buffer.from('toolong'), 1)).toThrow(RangeError);
  });

  it('splits a stream into packets whatever the chunk boundaries', () => {
    const stream = Buffer.concat([
      encodePuback(1),
      encodePublish('t', Buffer.alloc(300, 1), 1, 2),
      Buffer.from([PacketType.pingresp << 4, 0]),
      encodePuback(3),
    ]);
    const whole = readAll([stream]);
    expect(whole.map((p) => p.type)).toEqual([PacketType.puback, PacketType.publish, PacketType.pingresp, PacketType.puback]);
    for (const size of [1, 2, 3, 7, 64]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      expect(readAll(chunks)).toEqual(whole);
    }
  });
});
