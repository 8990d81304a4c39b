/**
 * A deliberately slow socket.io client: a raw TCP socket that speaks just enough WebSocket
 * (RFC 6455) and engine.io/socket.io to join the live stream — upgrade with the session cookie,
 * read the engine.io open packet, send the socket.io CONNECT, read its acknowledgement — and then
 * stops reading (`pause()`), like a browser tab on a frozen laptop. Nothing in it depends on the
 * socket.io-client internals.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface SlowClient {
  readonly socket: net.Socket;
  /** Text frames received while reading (engine.io packets, e.g. `42["reading",…]`). */
  readonly messages: string[];
  /** Stops reading from the socket: the kernel's buffers fill, then the server's. */
  pause(): void;
  /** Reads again (what is buffered, then the close). */
  resume(): void;
  /** Resolves when the server's WebSocket close frame has been read. */
  readonly closeFrame: Promise<void>;
}

/** A client frame: FIN + text opcode, masked as clients must. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  if (payload.length > 125) throw new Error('short frames only');
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/** Splits complete server frames (unmasked) off `buffer`; returns their text payloads, whether a close frame came, and the rest. */
function parseFrames(buffer: Buffer): { texts: string[]; close: boolean; rest: Buffer } {
  const texts: string[] = [];
  let close = false;
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const opcode = (buffer[offset] ?? 0) & 0x0f;
    let length = (buffer[offset + 1] ?? 0) & 0x7f;
    let header = 2;
    if (length === 126) {
      if (buffer.length - offset < 4) break;
      length = buffer.readUInt16BE(offset + 2);
      header = 4;
    } else if (length === 127) {
      if (buffer.length - offset < 10) break;
      length = Number(buffer.readBigUInt64BE(offset + 2));
      header = 10;
    }
    if (buffer.length - offset < header + length) break;
    if (opcode === 0x1) texts.push(buffer.subarray(offset + header, offset + header + length).toString('utf8'));
    if (opcode === 0x8) close = true;
    offset += header + length;
  }
  return { texts, close, rest: buffer.subarray(offset) };
}

/** Connects, joins socket.io's default namespace with `cookie`, and resolves once the server acknowledged it. */
export function connectSlowClient(port: number, cookie: string): Promise<SlowClient> {
  const socket = net.connect(port, '127.0.0.1');
  const messages: string[] = [];
  let onCloseFrame: () => void = () => undefined;
  const closeFrame = new Promise<void>((resolve) => {
    onCloseFrame = resolve;
  });
  return new Promise((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let joined = false;
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!upgraded) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101')) {
          reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        pending = pending.subarray(end + 4);
      }
      const { texts, close, rest } = parseFrames(pending);
      pending = rest;
      if (close) onCloseFrame();
      for (const text of texts) {
        messages.push(text);
        if (text.startsWith('0{')) socket.write(textFrame('40'));
        if (!joined && text.startsWith('40')) {
          joined = true;
          resolve({
            socket,
            messages,
            pause: () => socket.pause(),
            resume: () => socket.resume(),
            closeFrame,
          });
        }
        if (!joined && text.startsWith('44')) reject(new Error(`socket.io refused the connection: ${text}`));
      }
    });
    socket.write(
      [
        'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Cookie: ${cookie}`,
        '',
        '',
      ].join('\r\n'),
    );
  });
}
