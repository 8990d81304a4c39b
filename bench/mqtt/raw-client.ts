/**
 * One MQTT connection of the load generator over a raw TCP socket with Nagle's algorithm off
 * (TCP_NODELAY; with it on, small packets wait for the peer's delayed ACK, a ~40 ms floor).
 * It connects, subscribes and hands incoming PUBLISH packets to a callback without copying; QoS 1
 * deliveries are acknowledged with one write per received chunk. Keepalive pings are sent by
 * the owner (one timer for a whole fleet, not one per connection).
 */
import net from 'node:net';
import {
  type ConnectOptions,
  DISCONNECT,
  encodeConnect,
  encodePuback,
  encodeSubscribe,
  PacketReader,
  PacketType,
  PINGREQ,
  type PublishView,
  type QoS,
  readPublish,
} from './codec.js';

export interface RawClientOptions extends ConnectOptions {
  readonly host: string;
  readonly port: number;
  /** Milliseconds to wait for CONNACK. */
  readonly connectTimeoutMs: number;
  /** Called for every PUBLISH received; the payload is `buffer[view.payloadStart, payloadEnd)`, valid only during the call. */
  readonly onPublish?: (view: PublishView, buffer: Buffer, payloadEnd: number) => void;
  /** Called for every PUBACK received (our QoS 1 publishes acknowledged). */
  readonly onPuback?: (packetId: number) => void;
  /** Called once when the connection ends after it was established. */
  readonly onClose?: (error: Error | undefined) => void;
}

/** A refused CONNECT: `returnCode` from CONNACK (§3.2.2.3). */
export class ConnackError extends Error {
  constructor(readonly returnCode: number) {
    super(`CONNACK refused with return code ${returnCode}`);
    this.name = 'ConnackError';
  }
}

export class RawMqttClient {
  private socket: net.Socket | undefined;
  private readonly reader: PacketReader;
  private pendingConnack: ((returnCode: number) => void) | undefined;
  private readonly pendingSubacks = new Map<number, (granted: number[]) => void>();
  private pubacks: Buffer[] = [];
  private nextSubscribeId = 1;
  private established = false;
  private closed = false;

  constructor(private readonly options: RawClientOptions) {
    this.reader = new PacketReader((type, flags, buffer, start, end) => this.onPacket(type, flags, buffer, start, end));
  }

  /** Bytes queued in user space because the socket is backed up. */
  get writableLength(): number {
    return this.socket?.writableLength ?? 0;
  }

  get connected(): boolean {
    return this.established && !this.closed;
  }

  /** Opens the socket and resolves on CONNACK 0; rejects with {@link ConnackError} or a network error. */
  connect(): Promise<void> {
    if (this.socket) throw new Error('already connecting');
    return new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: this.options.host, port: this.options.port, noDelay: true });
      this.socket = socket;
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          socket.destroy();
          reject(error);
        } else {
          this.established = true;
          resolve();
        }
      };
      const timer = setTimeout(
        () => settle(new Error(`no CONNACK within ${this.options.connectTimeoutMs} ms`)),
        this.options.connectTimeoutMs,
      );
      this.pendingConnack = (returnCode) => settle(returnCode === 0 ? undefined : new ConnackError(returnCode));
      socket.on('connect', () => socket.write(encodeConnect(this.options)));
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', (error) => {
        settle(error);
        this.finish(error);
      });
      socket.on('close', () => {
        settle(new Error('connection closed before CONNACK'));
        this.finish(undefined);
      });
    });
  }

  /** Subscribes and resolves with the granted QoS per filter (0x80 = refused). */
  subscribe(filters: readonly { readonly filter: string; readonly qos: QoS }[], timeoutMs = 10_000): Promise<number[]> {
    const socket = this.socket;
    if (!socket || !this.established) return Promise.reject(new Error('not connected'));
    const id = this.nextSubscribeId++;
    return new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingSubacks.delete(id);
        reject(new Error(`no SUBACK within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingSubacks.set(id, (granted) => {
        clearTimeout(timer);
        resolve(granted);
      });
      socket.write(encodeSubscribe(id, filters));
    });
  }

  /** Writes bytes (one or more encoded packets); false when the socket is backed up. */
  write(bytes: Buffer): boolean {
    const socket = this.socket;
    if (!socket || this.closed) return false;
    return socket.write(bytes);
  }

  ping(): void {
    this.write(PINGREQ);
  }

  /** Sends DISCONNECT and closes; resolves when the socket is closed (or after 2 s). */
  async disconnect(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 2_000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.established && !this.closed) socket.end(DISCONNECT);
      else socket.destroy();
    });
  }

  /** Closes at once without DISCONNECT (the broker then publishes the Will, if any). */
  destroy(): void {
    this.socket?.destroy();
  }

  private onData(chunk: Buffer): void {
    this.reader.push(chunk);
    if (this.pubacks.length > 0) {
      const acks = this.pubacks.length === 1 ? (this.pubacks[0] ?? Buffer.alloc(0)) : Buffer.concat(this.pubacks);
      this.pubacks = [];
      this.write(acks);
    }
  }

  private onPacket(type: number, flags: number, buffer: Buffer, start: number, end: number): void {
    switch (type) {
      case PacketType.publish: {
        const view = readPublish(flags, buffer, start);
        if (view.qos === 1) this.pubacks.push(encodePuback(view.packetId));
        this.options.onPublish?.(view, buffer, end);
        return;
      }
      case PacketType.puback:
        this.options.onPuback?.(buffer.readUInt16BE(start));
        return;
      case PacketType.connack: {
        const callback = this.pendingConnack;
        this.pendingConnack = undefined;
        callback?.(buffer[start + 1] ?? 255);
        return;
      }
      case PacketType.suback: {
        const id = buffer.readUInt16BE(start);
        const callback = this.pendingSubacks.get(id);
        this.pendingSubacks.delete(id);
        callback?.([...buffer.subarray(start + 2, end)]);
        return;
      }
      default:
        return;
    }
  }

  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    if (this.established) this.options.onClose?.(error);
  }
}
