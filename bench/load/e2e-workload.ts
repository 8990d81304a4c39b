/**
 * End-to-end load: registered devices publish telemetry (QoS 1, one reading of four metrics per
 * message) over their own authenticated MQTT connections; a socket.io client logged in to the web
 * server receives the `reading` events after ingest has stored and fanned them out. Every reading
 * is counted: its timestamp is `T0 + sequence` (ms), unique per site and increasing, so the
 * receiver finds the reading's send time, its step and whether it arrived twice.
 */
import { io, type Socket } from 'socket.io-client';
import type { LiveReading, ServerToClientEvents } from '../../common/socket-events.js';
import { topics } from '../../common/topics.js';
import { encodeTextPublish, lengthPrefixed } from '../mqtt/codec.js';
import { RawMqttClient } from '../mqtt/raw-client.js';
import { connectAll } from './connect-pool.js';
import type { ConnectResult, E2eConnectArgs } from './protocol.js';
import { StepTracker, type Workload } from './step-runner.js';

const MAX_BUFFERED_BYTES = 64 * 1024;
const CONNECT_CONCURRENCY = 50;
/** Timestamps start this far in the past, so `T0 + sequence` stays behind the clock for hours of load, ms. */
const TIMESTAMP_HEADROOM_MS = 6 * 3600 * 1000;
const INITIAL_CAPACITY = 1 << 20;

interface Device {
  readonly client: RawMqttClient;
  readonly topicField: Buffer;
  nextPacketId: number;
}

/** Send time, step and arrival per sequence number, growing as needed. */
class SequenceLog {
  sentAt = new Float64Array(INITIAL_CAPACITY);
  stepOf = new Uint16Array(INITIAL_CAPACITY);
  seen = new Uint8Array(INITIAL_CAPACITY);

  ensure(sequence: number): void {
    if (sequence < this.sentAt.length) return;
    const size = Math.max(sequence + 1, this.sentAt.length * 2);
    const grow = <A extends Float64Array | Uint16Array | Uint8Array>(old: A, make: (n: number) => A): A => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.sentAt = grow(this.sentAt, (n) => new Float64Array(n));
    this.stepOf = grow(this.stepOf, (n) => new Uint16Array(n));
    this.seen = grow(this.seen, (n) => new Uint8Array(n));
  }
}

export class E2eWorkload implements Workload {
  readonly tracker = new StepTracker();
  private readonly log = new SequenceLog();
  private readonly t0 = Date.now() - TIMESTAMP_HEADROOM_MS;
  private sequence = 0;
  private cursor = 0;
  private devices: Device[] = [];
  private socket: Socket<ServerToClientEvents> | undefined;
  /** socket.io readings that were not ours (another site or timestamp). */
  foreign = 0;

  constructor(
    private readonly args: E2eConnectArgs,
    readonly targetPids: readonly number[],
  ) {}

  /** Opens the socket.io stream, then connects every device. */
  async connect(): Promise<ConnectResult> {
    this.socket = await this.openSocket();
    this.devices = this.args.devices.map((device) => ({
      client: new RawMqttClient({
        host: this.args.mqtt.host,
        port: this.args.mqtt.port,
        clientId: device.siteId,
        username: device.siteId,
        password: device.token,
        keepaliveSec: 0,
        clean: true,
        connectTimeoutMs: 30_000,
        onPuback: () => {
          this.tracker.acked++;
        },
      }),
      topicField: lengthPrefixed(topics.telemetry(device.siteId)),
      nextPacketId: 1,
    }));
    const { result } = await connectAll(
      this.devices.length,
      (index) => {
        const device = this.devices[index];
        if (!device) throw new RangeError(`no device ${index}`);
        return device.client;
      },
      { concurrency: CONNECT_CONCURRENCY },
    );
    return result;
  }

  publish(stepId: number, qos: 0 | 1): boolean {
    const device = this.devices[this.cursor];
    this.cursor = (this.cursor + 1) % this.devices.length;
    if (!device?.client.connected || device.client.writableLength > MAX_BUFFERED_BYTES) return false;
    const sequence = this.sequence++;
    this.log.ensure(sequence);
    const phase = sequence % 1000;
    const text = `{"ts":${this.t0 + sequence},"values":{"do":${(4 + phase / 250).toFixed(2)},"ph":${(7 + phase / 1000).toFixed(2)},"temperature":${(27 + phase / 200).toFixed(1)},"salinity":${(phase / 50).toFixed(1)}}}`;
    const packetId = device.nextPacketId;
    device.nextPacketId = packetId === 65_535 ? 1 : packetId + 1;
    this.log.stepOf[sequence] = stepId;
    this.log.sentAt[sequence] = performance.now();
    device.client.write(encodeTextPublish(device.topicField, text, qos, packetId));
    return true;
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.devices.map((device) => device.client.disconnect()));
    this.socket?.disconnect();
  }

  private onReading(reading: LiveReading): void {
    const now = performance.now();
    const sequence = reading.ts - this.t0;
    if (!Number.isInteger(sequence) || sequence < 0 || sequence >= this.sequence) {
      this.foreign++;
      return;
    }
    if (this.log.seen[sequence] === 1) {
      this.tracker.duplicates++;
      return;
    }
    this.log.seen[sequence] = 1;
    this.tracker.deliver(this.log.stepOf[sequence] ?? 0, this.log.sentAt[sequence] ?? now, now);
  }

  private openSocket(): Promise<Socket<ServerToClientEvents>> {
    const socket: Socket<ServerToClientEvents> = io(this.args.webUrl, {
      transports: ['websocket'],
      extraHeaders: { cookie: this.args.cookie },
      reconnection: false,
      timeout: 10_000,
    });
    socket.on('reading', (reading) => this.onReading(reading));
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => {
        socket.disconnect();
        reject(new Error(`socket.io connection to ${this.args.webUrl} refused: ${error.message}`));
      });
    });
  }
}
