/**
 * A broker-wide cap on packets in processing, so that memory stays bounded when the broker is
 * offered more than it can relay (a fleet backfilling after a network outage, a load test).
 *
 * Aedes' own flow control is per connection: it parses a connection's next read chunk once every
 * packet of the previous one has been handled (for a PUBLISH: delivered to the subscribers'
 * sockets or their drain awaited). Overloaded, every publisher therefore has one chunk in
 * processing — up to 64 KB, hundreds of parsed messages and their closures — so 1,000 publishers
 * hold hundreds of MB and the garbage collector takes a third of the CPU (docs/performance.md).
 *
 * The gate counts packets from the parser's `packet` event to the completion callback Aedes passes
 * to its handler (`client._nextBatch`), over all connections. Past `highWater` it stops handing
 * read chunks to Aedes (the connection's `read()` returns nothing, as if no data had arrived), so
 * unread data waits in the kernel's socket buffers — outside the heap — and TCP slows the
 * publishers down (MQTT 3.1.1 §4.4 leaves flow control to the transport). Once the count falls to
 * `lowWater` every waiting connection is told it is readable again, oldest first. Only connections
 * the broker says are holdable are held: authenticated publishers, not the platform's own
 * consumers (whose acknowledgements keep the pipeline moving) nor a connection still in CONNECT
 * (its first packets are few and bounded by Aedes' pre-CONNACK queue, and a reconnecting consumer
 * must get through).
 *
 * Implementation note: like packet-size-guard.ts this reaches into the Aedes 1.2 client (`_parser`,
 * `_nextBatch`); when those are missing {@link InflightReadGate.attach} returns false and the
 * broker logs that the gate is off.
 */
import type { Socket } from 'node:net';

/** Held connections woken per event-loop turn when reads resume. */
const RESUME_PER_TURN = 16;

export interface InflightReadGateOptions {
  /** Packets in processing at which reads stop. */
  readonly highWater: number;
  /** Packets in processing at which reads resume (below `highWater`). */
  readonly lowWater: number;
}

interface ClientInternals {
  _parser: { prependListener(event: 'packet', listener: () => void): unknown };
  _nextBatch: (error?: Error) => void;
}

function internalsOf(client: object): ClientInternals | undefined {
  const parser: unknown = Reflect.get(client, '_parser');
  const nextBatch: unknown = Reflect.get(client, '_nextBatch');
  if (typeof parser !== 'object' || parser === null || typeof nextBatch !== 'function') return undefined;
  if (typeof Reflect.get(parser, 'prependListener') !== 'function') return undefined;
  return client as ClientInternals;
}

export class InflightReadGate {
  private inFlight = 0;
  private holding = false;
  private resumeScheduled = false;
  private readonly waiting = new Set<Socket>();
  private pausesCount = 0;

  constructor(private readonly options: InflightReadGateOptions) {
    if (!Number.isInteger(options.highWater) || options.highWater < 1) {
      throw new RangeError(`highWater must be a positive integer, got ${options.highWater}`);
    }
    if (!Number.isInteger(options.lowWater) || options.lowWater < 0 || options.lowWater >= options.highWater) {
      throw new RangeError(`lowWater must be an integer in [0, highWater), got ${options.lowWater}`);
    }
  }

  /** Packets received and not yet handled, over all connections. */
  get packetsInFlight(): number {
    return this.inFlight;
  }

  /** Times reads were stopped because the cap was reached. */
  get pauses(): number {
    return this.pausesCount;
  }

  /**
   * Counts the packets of one Aedes client and holds its reads while the broker is over the cap and
   * `holdable()` (asked at each read, since identity is known only after CONNECT). Returns false
   * when the client is not the expected Aedes version (nothing is gated then).
   */
  attach(client: object, socket: Socket, holdable: () => boolean): boolean {
    const internals = internalsOf(client);
    if (!internals) return false;
    let mine = 0;
    internals._parser.prependListener('packet', () => {
      mine++;
      this.inFlight++;
      if (!this.holding && this.inFlight >= this.options.highWater) {
        this.holding = true;
        this.pausesCount++;
      }
    });
    const nextBatch = internals._nextBatch;
    internals._nextBatch = (error?: Error) => {
      if (mine > 0) {
        mine--;
        this.completed(1);
      }
      nextBatch(error);
    };
    const read = socket.read.bind(socket);
    socket.read = (size?: number) => {
      if (this.holding && holdable()) {
        this.waiting.add(socket);
        return null;
      }
      return read(size);
    };
    socket.once('close', () => {
      // Packets the connection took with it (never handled) no longer count.
      this.waiting.delete(socket);
      if (mine > 0) this.completed(mine);
      mine = 0;
    });
    return true;
  }

  private completed(count: number): void {
    this.inFlight -= count;
    if (this.holding && this.inFlight <= this.options.lowWater) {
      this.holding = false;
      this.scheduleResume();
    }
  }

  /**
   * Wakes the held connections, oldest first, a few per event-loop turn: woken all at once, each
   * parsing a read chunk, they would make one long turn that delays every delivery behind it.
   */
  private scheduleResume(): void {
    if (this.resumeScheduled) return;
    this.resumeScheduled = true;
    setImmediate(() => {
      this.resumeScheduled = false;
      let woken = 0;
      for (const socket of this.waiting) {
        if (this.holding || woken >= RESUME_PER_TURN) break;
        this.waiting.delete(socket);
        if (socket.destroyed) continue;
        woken++;
        socket.emit('readable');
      }
      if (!this.holding && this.waiting.size > 0) this.scheduleResume();
    });
  }
}
