/**
 * Hand-encoded MQTT 3.1.1 packets (§2 fixed header, §3.1 CONNECT, §3.3 PUBLISH) and a raw TCP
 * client, for what mqtt.js will not do: flood a socket at full speed without waiting for anything,
 * send malformed or oversized packets, or announce a length and never send the body.
 */
import net from 'node:net';

/** §2.2.3 Remaining Length: 7 bits per byte, high bit = more bytes follow. */
export function remainingLength(length: number): Buffer {
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

/** §1.5.3: a UTF-8 string prefixed with its 16-bit length. */
function utf8(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length);
  return Buffer.concat([length, body]);
}

function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);
}

/** CONNECT with clean session, username and password (§3.1). */
export function connectPacket(options: { clientId: string; username: string; password: string; keepaliveSec?: number }): Buffer {
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(options.keepaliveSec ?? 60);
  const flags = 0x80 | 0x40 | 0x02; // username, password, clean session
  const header = Buffer.concat([utf8('MQTT'), Buffer.from([4, flags]), keepalive]);
  return packet(0x10, Buffer.concat([header, utf8(options.clientId), utf8(options.username), utf8(options.password)]));
}

/** PUBLISH at QoS 0 (§3.3): no packet id, no acknowledgement. */
export function publishQos0(topic: string, payload: Buffer | string): Buffer {
  return packet(0x30, Buffer.concat([utf8(topic), Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8')]));
}

/** SUBSCRIBE to one filter (§3.8) with packet id 1. */
export function subscribePacket(filter: string, qos: 0 | 1): Buffer {
  return packet(0x82, Buffer.concat([Buffer.from([0, 1]), utf8(filter), Buffer.from([qos])]));
}

/** A raw TCP connection and every byte it received. */
export interface RawConnection {
  readonly socket: net.Socket;
  /** Bytes received so far (e.g. a CONNACK is `20 02 00 rc`). */
  received(): Buffer;
  readonly closed: Promise<void>;
}

export function openRaw(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks), closed }));
    socket.once('error', reject);
  });
}

/** The CONNACK return code in `bytes`, or undefined until one arrived. */
export function connackCode(bytes: Buffer): number | undefined {
  return bytes.length >= 4 && bytes[0] === 0x20 && bytes[1] === 0x02 ? bytes[3] : undefined;
}
