/**
 * Ingest's durable spool: an append-only log of accepted readings on local disk, written BEFORE
 * ingest acknowledges the MQTT message (PUBACK), and a committed offset advanced only after the
 * store confirmed a batch. Everything between the committed offset and the end of the log is
 * accepted-but-unconfirmed, and is written again after a restart.
 *
 * Durability:
 * - `append()` is a synchronous write(2) into the OS page cache. A killed or crashed ingest
 *   (SIGKILL, OOM, exception) loses nothing it acknowledged: the kernel still writes the pages out.
 * - A power cut or kernel crash can lose what was appended since the last fsync: at most
 *   `fsyncIntervalMs` of acknowledged readings (0 = fsync after every append; slower).
 * - A record torn by a power cut is detected by its CRC at the next start and cut off.
 *
 * Layout: segment files of about `segmentBytes` each (see spool-files.ts); a segment is deleted
 * once every record in it is committed and the checkpoint saying so is on disk. The drainer reads
 * batches back in order: recent records from memory (live data is not read back from disk),
 * older ones (after a restart, or after a long outage overflowed the in-memory window) from disk.
 *
 * One spool directory per process: a second open in the same process fails; across processes
 * the embedded database's lock (same DATA_DIR) already keeps a second ingest out.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Reading } from '../../common/payloads.js';
import { AppError } from '../../platform/errors.js';
import { LogThrottle } from '../../platform/log-throttle.js';
import type { Logger } from '../../platform/logger.js';
import { listSegmentStarts, readCheckpoint, segmentFileName, syncDirectory, writeCheckpoint } from './spool-files.js';
import { decodeRecordPayload, encodeRecord, inspectRecord } from './spool-record.js';

export interface ReadingSpoolOptions {
  /** Directory of the spool (created when missing), e.g. DATA_DIR/spool. */
  readonly dir: string;
  /**
   * Bytes accepted but not yet committed at which the spool counts as full. A soft limit: the
   * append that crosses it succeeds, so the spool can exceed it by one message.
   */
  readonly maxBytes: number;
  /** Time between fsyncs of the segment being written, ms; 0 = fsync after every append. */
  readonly fsyncIntervalMs: number;
  /** Size at which a new segment file starts, bytes; default maxBytes / 8 within 1–64 MiB. */
  readonly segmentBytes?: number;
  /** Readings kept in memory for the drainer; beyond, it reads them back from disk. Default 200,000. */
  readonly memoryMaxReadings?: number;
  readonly logger: Logger;
}

/** Consecutive records handed to the drainer. */
export interface SpoolBatch {
  readonly readings: Reading[];
  /** Readings the records hold (as counted when appended). */
  readonly count: number;
  /** Spool offset just after the batch; commit it once the store has the readings. */
  readonly end: number;
}

/** What a start found left over from the previous run. */
export interface SpoolRecovery {
  /** Accepted readings not confirmed by the store before the previous run ended. */
  readonly readings: number;
  readonly bytes: number;
  /** Bytes of torn or damaged records cut off (a power cut while writing, disk damage). */
  readonly discardedBytes: number;
}

interface Segment {
  /** Spool offset of the segment's first byte. */
  readonly start: number;
  /** Bytes in the file. */
  size: number;
}

interface MemoryEntry {
  readonly start: number;
  readonly end: number;
  readonly readings: readonly Reading[];
}

interface ScanResult {
  readonly count: number;
  /** Spool offset after the last intact record. */
  readonly end: number;
  readonly damage?: string;
}

const MIB = 1024 * 1024;
const DISK_READ_CHUNK_BYTES = 4 * MIB;
const DEFAULT_MEMORY_MAX_READINGS = 200_000;

/** Spool directories open in this process. */
const openDirs = new Set<string>();

export class ReadingSpool {
  private readonly dir: string;
  private readonly segmentBytes: number;
  private readonly memoryMaxReadings: number;
  private readonly log: Logger;
  private readonly throttle = new LogThrottle({ burst: 3, windowMs: 60_000 });
  private state: 'closed' | 'opening' | 'open' = 'closed';
  private segments: Segment[] = [];
  private activeFd: number | undefined;
  private committed = 0;
  private cursor = 0;
  private pendingCount = 0;
  private memory: MemoryEntry[] = [];
  private memoryHead = 0;
  private memoryReadings = 0;
  private dirty = false;
  private syncing: Promise<void> | undefined;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private persistWanted = false;
  private persisting: Promise<void> | undefined;

  constructor(private readonly options: ReadingSpoolOptions) {
    if (!(options.maxBytes > 0)) throw new RangeError('spool maxBytes must be positive');
    this.dir = path.resolve(options.dir);
    this.segmentBytes = options.segmentBytes ?? Math.min(64 * MIB, Math.max(MIB, Math.floor(options.maxBytes / 8)));
    this.memoryMaxReadings = options.memoryMaxReadings ?? DEFAULT_MEMORY_MAX_READINGS;
    this.log = options.logger;
  }

  /** Bytes accepted but not yet committed. */
  get pendingBytes(): number {
    return this.writeOffset - this.committed;
  }

  /** Readings accepted but not yet committed. */
  get pendingReadings(): number {
    return this.pendingCount;
  }

  /** True when pending bytes reached `maxBytes`: take no more messages until the drainer catches up. */
  get isFull(): boolean {
    return this.pendingBytes >= this.options.maxBytes;
  }

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** True when records wait to be read by the drainer. */
  get hasUnread(): boolean {
    return this.cursor < this.writeOffset;
  }

  private get writeOffset(): number {
    const last = this.segments.at(-1);
    return last ? last.start + last.size : this.committed;
  }

  private get memoryStart(): number {
    return this.memory[this.memoryHead]?.start ?? this.writeOffset;
  }

  /**
   * Opens the directory (created when missing), cuts off a torn tail, deletes fully committed
   * segments and positions the reader at the committed offset. Throws AppError `conflict` when the
   * directory is already open in this process.
   */
  async open(): Promise<SpoolRecovery> {
    if (this.state !== 'closed') throw new Error(`spool ${this.dir} is already ${this.state}`);
    if (openDirs.has(this.dir)) throw new AppError('conflict', `spool ${this.dir} is already open in this process`);
    openDirs.add(this.dir);
    this.state = 'opening';
    try {
      const recovery = await this.recover();
      this.state = 'open';
      if (this.options.fsyncIntervalMs > 0) {
        this.fsyncTimer = setInterval(() => this.syncInBackground(), this.options.fsyncIntervalMs);
      }
      return recovery;
    } catch (error) {
      this.closeActive();
      openDirs.delete(this.dir);
      this.state = 'closed';
      throw error;
    }
  }

  /**
   * Appends the readings of one message as one record, synchronously. When this returns the
   * record survives the death of this process. Throws AppError `unavailable` when the write fails
   * (disk full, I/O error); then nothing was appended.
   */
  append(readings: readonly Reading[]): void {
    if (readings.length === 0) return;
    if (this.state !== 'open') throw new AppError('unavailable', 'the spool is not open');
    const record = encodeRecord(readings);
    let active: Segment;
    let fd: number;
    try {
      active = this.segmentFor(record.length);
      fd = this.activeFd as number;
    } catch (error) {
      throw new AppError('unavailable', `could not start a spool segment in ${this.dir}: ${(error as Error).message}`);
    }
    const position = active.size;
    try {
      let written = 0;
      while (written < record.length) {
        written += fs.writeSync(fd, record, written, record.length - written, position + written);
      }
    } catch (error) {
      try {
        fs.ftruncateSync(fd, position);
      } catch {
        // the partial record is cut off by its checksum at the next start
      }
      throw new AppError('unavailable', `could not append to the spool in ${this.dir}: ${(error as Error).message}`);
    }
    const start = active.start + position;
    active.size += record.length;
    this.pendingCount += readings.length;
    this.remember({ start, end: start + record.length, readings });
    if (this.options.fsyncIntervalMs === 0) this.syncNow(fd);
    else this.dirty = true;
  }

  /**
   * The next records after what was handed out last, up to about `maxReadings` readings (at least
   * one record); undefined when everything appended has been handed out.
   */
  async read(maxReadings: number): Promise<SpoolBatch | undefined> {
    if (this.state !== 'open' || !this.hasUnread) return undefined;
    const from = this.cursor;
    const memoryStart = this.memoryStart;
    const batch = from >= memoryStart ? this.readFromMemory(from, maxReadings) : await this.readFromDisk(from, memoryStart, maxReadings);
    // A rewind during the disk read restarts from the committed offset instead.
    if (this.cursor === from) this.cursor = batch.end;
    return batch;
  }

  /** Hands out again everything after the committed offset (after a failed store write). */
  rewind(): void {
    this.cursor = this.committed;
  }

  /**
   * Records that the store confirmed everything up to `batch.end`. The checkpoint is saved in the
   * background; segments are deleted only once it is on disk.
   */
  commit(batch: Pick<SpoolBatch, 'end' | 'count'>): void {
    if (this.state !== 'open' || batch.end <= this.committed) return;
    this.committed = batch.end;
    this.pendingCount = Math.max(0, this.pendingCount - batch.count);
    if (this.cursor < this.committed) this.cursor = this.committed;
    while (this.memoryHead < this.memory.length && (this.memory[this.memoryHead] as MemoryEntry).end <= this.committed) {
      this.memoryReadings -= (this.memory[this.memoryHead] as MemoryEntry).readings.length;
      this.memoryHead += 1;
    }
    if (this.memoryHead > 1024 && this.memoryHead * 2 > this.memory.length) {
      this.memory = this.memory.slice(this.memoryHead);
      this.memoryHead = 0;
    }
    this.requestCheckpoint();
  }

  /** fsyncs, saves the checkpoint and closes the files. What is not committed stays for the next open. Idempotent. */
  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closed';
    clearInterval(this.fsyncTimer);
    this.fsyncTimer = undefined;
    await this.syncing;
    this.closeActive();
    await this.persisting;
    if (this.persistWanted) await this.persistCheckpoints();
    this.memory = [];
    this.memoryHead = 0;
    this.memoryReadings = 0;
    openDirs.delete(this.dir);
  }

  private async recover(): Promise<SpoolRecovery> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    let committed = await readCheckpoint(this.dir);
    const segments: Segment[] = [];
    for (const start of await listSegmentStarts(this.dir)) {
      segments.push({ start, size: (await fs.promises.stat(this.segmentPath(start))).size });
    }
    // The checkpoint lags behind deletions only if a crash hit between them: those bytes were committed.
    const first = segments[0];
    if (first && committed < first.start) committed = first.start;
    let readings = 0;
    let discardedBytes = 0;
    const kept: Segment[] = [];
    for (const [index, segment] of segments.entries()) {
      const end = segment.start + segment.size;
      const isLast = index === segments.length - 1;
      if (end <= committed && !isLast) {
        await fs.promises.rm(this.segmentPath(segment.start), { force: true });
        continue;
      }
      kept.push(segment);
      if (end <= committed) continue;
      const scan = await this.scanSegment(segment, Math.max(committed, segment.start));
      readings += scan.count;
      if (scan.end < end) {
        discardedBytes += end - scan.end;
        this.log.warn(
          {
            segment: this.segmentPath(segment.start),
            offset: scan.end - segment.start,
            discardedBytes: end - scan.end,
            damage: scan.damage,
          },
          isLast
            ? 'spool: cut off a torn record at the end (the process or machine died while writing it; it was never acknowledged)'
            : 'spool: damaged record in the middle of a segment; the rest of that segment is skipped',
        );
        await fs.promises.truncate(this.segmentPath(segment.start), scan.end - segment.start);
        segment.size = scan.end - segment.start;
      }
    }
    this.segments = kept;
    this.committed = committed;
    const last = kept.at(-1);
    // A power cut can leave the checkpoint ahead of unsynced data: continue after the checkpoint.
    if (!last || last.start + last.size < committed || last.size >= this.segmentBytes) {
      this.createSegment(Math.max(committed, last ? last.start + last.size : 0));
    } else {
      this.activeFd = fs.openSync(this.segmentPath(last.start), 'r+');
    }
    this.cursor = committed;
    this.pendingCount = readings;
    const bytes = this.pendingBytes;
    return { readings, bytes, discardedBytes };
  }

  /** Walks the records of a segment from spool offset `from`; stops at the end or the first damaged record. */
  private async scanSegment(segment: Segment, from: number): Promise<ScanResult> {
    const handle = await fs.promises.open(this.segmentPath(segment.start), 'r');
    try {
      const segmentEnd = segment.start + segment.size;
      let position = from;
      let count = 0;
      let length = DISK_READ_CHUNK_BYTES;
      while (position < segmentEnd) {
        const buffer = Buffer.allocUnsafe(Math.min(length, segmentEnd - position));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position - segment.start);
        const data = buffer.subarray(0, bytesRead);
        let at = 0;
        for (;;) {
          const view = inspectRecord(data, at);
          if (view.status === 'complete') {
            count += view.count;
            at = view.end;
            continue;
          }
          if (view.status === 'corrupt') return { count, end: position + at, damage: view.reason };
          // incomplete: the chunk ends inside a record, or the file does
          if (position + data.length >= segmentEnd || bytesRead < buffer.length) {
            return { count, end: position + at, damage: 'truncated record' };
          }
          if (at === 0 && view.end !== undefined) length = view.end;
          break;
        }
        position += at;
      }
      return { count, end: position };
    } finally {
      await handle.close();
    }
  }

  private readFromMemory(from: number, maxReadings: number): SpoolBatch {
    let index = this.findMemoryEntry(from);
    const readings: Reading[] = [];
    let end = from;
    while (index < this.memory.length && (readings.length === 0 || readings.length < maxReadings)) {
      const entry = this.memory[index] as MemoryEntry;
      for (const reading of entry.readings) readings.push(reading);
      end = entry.end;
      index += 1;
    }
    return { readings, count: readings.length, end };
  }

  /** Index of the memory entry starting at `offset` (entries are contiguous and ordered). */
  private findMemoryEntry(offset: number): number {
    let low = this.memoryHead;
    let high = this.memory.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.memory[middle] as MemoryEntry).start < offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Reads records from `from` up to `limit` (a record boundary) from disk, within one segment. */
  private async readFromDisk(from: number, limit: number, maxReadings: number): Promise<SpoolBatch> {
    const segment = this.segments.find((s) => s.start + s.size > from);
    if (!segment || segment.start >= limit) return { readings: [], count: 0, end: limit };
    // A gap left by a damaged segment: skip to the next one.
    if (segment.start > from) return { readings: [], count: 0, end: segment.start };
    const end = Math.min(limit, segment.start + segment.size);
    const handle = await fs.promises.open(this.segmentPath(segment.start), 'r');
    try {
      let length = Math.min(DISK_READ_CHUNK_BYTES, end - from);
      for (;;) {
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, length, from - segment.start);
        const data = buffer.subarray(0, bytesRead);
        const readings: Reading[] = [];
        let count = 0;
        let at = 0;
        let grow = false;
        while (at < data.length && count < maxReadings) {
          const view = inspectRecord(data, at);
          if (view.status === 'incomplete') {
            // A record larger than the chunk: read exactly it.
            grow = at === 0 && view.end !== undefined && view.end <= end - from && view.end > data.length;
            if (grow && view.end !== undefined) length = view.end;
            break;
          }
          if (view.status === 'corrupt') return this.skipDamage(from + at, end, view.reason, { readings, count });
          const decoded = decodeRecordPayload(data, view);
          if (decoded) for (const reading of decoded) readings.push(reading);
          else this.log.error({ offset: from + at, readings: view.count }, 'spool: a record is not valid readings; SKIPPED');
          count += view.count;
          at = view.end;
        }
        if (at > 0) return { readings, count, end: from + at };
        if (grow) continue;
        return this.skipDamage(from, end, 'record runs past the end of its segment', { readings, count });
      }
    } finally {
      await handle.close();
    }
  }

  /** Hands out what was read before damage, skipping the rest of the segment (logged loudly, backlog recounted). */
  private async skipDamage(
    at: number,
    segmentEnd: number,
    reason: string,
    before: { readings: Reading[]; count: number },
  ): Promise<SpoolBatch> {
    if (before.count > 0) return { ...before, end: at };
    this.log.error(
      { offset: at, skippedBytes: segmentEnd - at, reason },
      'spool: damaged data while reading back; the rest of the segment is SKIPPED',
    );
    await this.recount(segmentEnd);
    return { readings: [], count: 0, end: segmentEnd };
  }

  /** Recomputes the pending readings after skipping damage: those after `from` plus nothing before. */
  private async recount(from: number): Promise<void> {
    let count = 0;
    for (const segment of this.segments) {
      if (segment.start + segment.size <= from) continue;
      count += (await this.scanSegment(segment, Math.max(from, segment.start))).count;
    }
    // The commit of the skipped range subtracts nothing; set the backlog to what is really left.
    this.pendingCount = count;
  }

  private remember(entry: MemoryEntry): void {
    if (this.memoryReadings + entry.readings.length > this.memoryMaxReadings) {
      // The drainer is far behind: from here on it reads back from disk until it catches up.
      this.memory = [];
      this.memoryHead = 0;
      this.memoryReadings = 0;
      return;
    }
    this.memory.push(entry);
    this.memoryReadings += entry.readings.length;
  }

  /** The segment to append a record of `bytes` to: the active one, or a new one when it is full (or failed to open). */
  private segmentFor(bytes: number): Segment {
    const active = this.segments.at(-1);
    if (this.activeFd !== undefined && active && (active.size === 0 || active.size + bytes <= this.segmentBytes)) return active;
    const fd = this.activeFd;
    if (fd !== undefined) {
      this.activeFd = undefined;
      this.syncNow(fd);
      const syncing = this.syncing;
      if (syncing) void syncing.then(() => fs.close(fd, () => undefined));
      else fs.closeSync(fd);
    }
    this.dirty = false;
    return this.createSegment(this.writeOffset);
  }

  /** Creates (or empties) the segment file starting at `start` and makes it the active one. */
  private createSegment(start: number): Segment {
    this.activeFd = fs.openSync(this.segmentPath(start), 'w');
    try {
      syncDirectory(this.dir);
    } catch (error) {
      this.logThrottled('fsync', { err: error }, 'could not fsync the spool directory; a new segment may not survive a power cut');
    }
    const segment: Segment = { start, size: 0 };
    this.segments.push(segment);
    return segment;
  }

  private closeActive(): void {
    const fd = this.activeFd;
    this.activeFd = undefined;
    if (fd === undefined) return;
    this.syncNow(fd);
    fs.closeSync(fd);
  }

  private syncNow(fd: number): void {
    try {
      fs.fdatasyncSync(fd);
      this.dirty = false;
    } catch (error) {
      this.logThrottled('fsync', { err: error }, 'spool fsync failed; appended data is in the page cache but not yet on disk');
    }
  }

  private syncInBackground(): void {
    const fd = this.activeFd;
    if (!this.dirty || this.syncing || fd === undefined) return;
    this.dirty = false;
    this.syncing = new Promise<void>((resolve) => {
      fs.fdatasync(fd, (error) => {
        if (error) {
          this.dirty = true;
          this.logThrottled('fsync', { err: error }, 'spool fsync failed; appended data is in the page cache but not yet on disk');
        }
        this.syncing = undefined;
        resolve();
      });
    });
  }

  private requestCheckpoint(): void {
    this.persistWanted = true;
    this.persisting ??= this.persistCheckpoints().finally(() => {
      this.persisting = undefined;
    });
  }

  /** Saves the latest committed offset (coalescing requests), then deletes the segments it covers. */
  private async persistCheckpoints(): Promise<void> {
    while (this.persistWanted) {
      this.persistWanted = false;
      const committed = this.committed;
      try {
        await writeCheckpoint(this.dir, committed);
      } catch (error) {
        this.logThrottled(
          'checkpoint',
          { err: error },
          'could not save the spool checkpoint; confirmed readings may be written again after a restart',
        );
        continue;
      }
      while (this.segments.length > 1 && (this.segments[0] as Segment).start + (this.segments[0] as Segment).size <= committed) {
        const done = this.segments.shift() as Segment;
        await fs.promises.rm(this.segmentPath(done.start), { force: true }).catch((error: unknown) => {
          this.logThrottled('delete', { err: error }, 'could not delete a committed spool segment');
        });
      }
    }
  }

  private segmentPath(start: number): string {
    return path.join(this.dir, segmentFileName(start));
  }

  private logThrottled(key: string, fields: object, message: string): void {
    const decision = this.throttle.take(key);
    if (decision.log) this.log.error({ ...fields, dir: this.dir, suppressed: decision.suppressed }, message);
  }
}
