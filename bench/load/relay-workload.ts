/**
 * Relay load: N publishers (one MQTT connection per device, as in the field) and one subscriber to
 * every device's telemetry, all raw MQTT with TCP_NODELAY. Each payload starts with the send time,
 * the step id and a sequence number (14 bytes), then telemetry-like JSON filler up to the wanted
 * size; the subscriber reads the first bytes in place to time the message.
 */
import type { PublishView, QoS } from '../mqtt/codec.js';
import { PublishTemplate } from '../mqtt/codec.js';
import { RawMqttClient } from '../mqtt/raw-client.js';
import { connectAll } from './connect-pool.js';
import type { ConnectResult, RelayConnectArgs } from './protocol.js';
import { StepTracker, type Workload } from './step-runner.js';

/** Bytes written in front of every payload: send time (float64), step id (uint16), sequence (uint32). */
export const STAMP_BYTES = 14;
/** A publisher with this much unsent data is skipped (counted) instead of buffering without bound, bytes. */
const MAX_BUFFERED_BYTES = 64 * 1024;
/** Connections opened at once. */
const CONNECT_CONCURRENCY = 50;

const FILLER_JSON = '{"ts":1767225600000,"values":{"do":5.21,"ph":7.43,"temperature":29.12,"salinity":12.5,"turbidity":18.2}}';

/** The payload bytes after the stamp: telemetry-like JSON, cut or padded to size. */
function filler(payloadBytes: number): Buffer {
  const bytes = Buffer.alloc(payloadBytes, 0x20);
  Buffer.from(FILLER_JSON, 'utf8').copy(bytes, STAMP_BYTES, 0, Math.max(0, payloadBytes - STAMP_BYTES));
  return bytes;
}

function publisherClient(publishers: readonly Publisher[], index: number): RawMqttClient {
  const publisher = publishers[index];
  if (!publisher) throw new RangeError(`no publisher ${index}`);
  return publisher.client;
}

interface Publisher {
  readonly client: RawMqttClient;
  readonly templates: Readonly<Record<QoS, PublishTemplate>>;
  nextPacketId: number;
}

export class RelayWorkload implements Workload {
  private cursor = 0;
  private sequence = 0;

  private constructor(
    readonly tracker: StepTracker,
    private readonly publishers: readonly Publisher[],
    private readonly subscriber: RawMqttClient,
    private readonly payload: Buffer,
    readonly targetPids: readonly number[],
    private readonly connections: { closed: number },
  ) {}

  /** Connects the subscriber (QoS 1 subscription) and then the publishers. */
  static async connect(args: RelayConnectArgs): Promise<{ workload: RelayWorkload; result: ConnectResult }> {
    const { broker } = args;
    if (args.payloadBytes < STAMP_BYTES) throw new RangeError(`payload must be at least ${STAMP_BYTES} bytes`);
    const connections = { closed: 0 };
    const onClose = () => {
      connections.closed++;
    };
    const tracker = new StepTracker();
    const subscriber = new RawMqttClient({
      host: broker.host,
      port: broker.port,
      clientId: broker.subscriber.clientId,
      username: broker.subscriber.username,
      password: broker.subscriber.password,
      keepaliveSec: 0,
      clean: true,
      connectTimeoutMs: 10_000,
      onPublish: (view: PublishView, buffer: Buffer) => {
        const at = view.payloadStart;
        tracker.deliver(buffer.readUInt16LE(at + 8), buffer.readDoubleLE(at), performance.now());
      },
      onClose,
    });
    await subscriber.connect();
    const granted = await subscriber.subscribe([{ filter: broker.subscriber.filter, qos: 1 }]);
    if (granted[0] !== 1) throw new Error(`subscription to ${broker.subscriber.filter} granted ${granted[0]}, expected QoS 1`);

    const devices = broker.devices.slice(0, args.publishers);
    if (devices.length < args.publishers) throw new Error(`the target provides ${devices.length} devices, ${args.publishers} wanted`);
    const publishers = devices.map(
      (device): Publisher => ({
        client: new RawMqttClient({
          host: broker.host,
          port: broker.port,
          clientId: device.clientId,
          username: device.username,
          password: device.password,
          keepaliveSec: 0,
          clean: true,
          connectTimeoutMs: 30_000,
          onPuback: () => {
            tracker.acked++;
          },
          onClose,
        }),
        templates: {
          0: new PublishTemplate(device.topic, args.payloadBytes, 0),
          1: new PublishTemplate(device.topic, args.payloadBytes, 1),
        },
        nextPacketId: 1,
      }),
    );
    const { result } = await connectAll(publishers.length, (index) => publisherClient(publishers, index), {
      concurrency: CONNECT_CONCURRENCY,
    });
    const workload = new RelayWorkload(tracker, publishers, subscriber, filler(args.payloadBytes), [broker.pid], connections);
    return { workload, result };
  }

  /** Connections closed since they were opened (by the target or the network). */
  get closed(): number {
    return this.connections.closed;
  }

  publish(stepId: number, qos: QoS): boolean {
    const publisher = this.publishers[this.cursor];
    this.cursor = (this.cursor + 1) % this.publishers.length;
    if (!publisher?.client.connected || publisher.client.writableLength > MAX_BUFFERED_BYTES) return false;
    const template = publisher.templates[qos];
    const packetId = publisher.nextPacketId;
    publisher.nextPacketId = packetId === 65_535 ? 1 : packetId + 1;
    const bytes = template.build(this.payload, packetId);
    const at = template.payloadOffset;
    bytes.writeDoubleLE(performance.now(), at);
    bytes.writeUInt16LE(stepId, at + 8);
    bytes.writeUInt32LE(this.sequence, at + 10);
    this.sequence = (this.sequence + 1) >>> 0;
    publisher.client.write(bytes);
    return true;
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.publishers.map((p) => p.client.disconnect()));
    await this.subscriber.disconnect();
  }
}
