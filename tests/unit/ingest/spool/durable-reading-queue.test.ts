import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../../../common/payloads.js';
import { DurableReadingQueue, type DurableReadingQueueOptions } from '../../../../ingest/spool/durable-reading-queue.js';
import { AppError } from '../../../../platform/errors.js';
import { silentLogger } from '../../../../platform/logger.js';
import { makeTempDir } from '../../../support/test-config.js';
import { waitFor } from '../../../support/wait.js';

const T = 1_760_000_000_000;
const reading = (i: number): Reading => ({ siteId: 'KG-WQ-01', ts: T + i, values: { do: i } });

/** A store that records what it was given and fails while `failing` says so. */
class RecordingStore {
  readonly stored: Reading[] = [];
  readonly calls: number[] = [];
  failing: (batch: readonly Reading[]) => Error | undefined = () => undefined;

  write = async (batch: readonly Reading[]): Promise<void> => {
    this.calls.push(batch.length);
    const error = this.failing(batch);
    if (error) throw error;
    this.stored.push(...batch);
  };
}

let temp: ReturnType<typeof makeTempDir>;
let store: RecordingStore;
const queues: DurableReadingQueue[] = [];
const written: Reading[][] = [];
const refused: Reading[] = [];

function queue(overrides: Partial<DurableReadingQueueOptions> = {}): DurableReadingQueue {
  const created = new DurableReadingQueue({
    spool: { dir: path.join(temp.dir, 'spool'), maxBytes: 1024 * 1024, fsyncIntervalMs: 0 },
    write: store.write,
    onWritten: (batch) => written.push([...batch]),
    onRefused: (readings) => refused.push(...readings),
    onWriteFailed: () => undefined,
    isPermanent: (error) => error instanceof AppError && error.code === 'bad_request',
    logger: silentLogger(),
    maxBatch: 100,
    flushIntervalMs: 10,
    retryInitialMs: 10,
    retryMaxMs: 50,
    ...overrides,
  });
  queues.push(created);
  return created;
}

beforeEach(() => {
  temp = makeTempDir('mekong-ioc-queue-');
  store = new RecordingStore();
  written.length = 0;
  refused.length = 0;
});

afterEach(async () => {
  for (const created of queues.splice(0)) await created.close(0);
  temp.cleanup();
});

describe('DurableReadingQueue', () => {
  it('writes pushed readings in order, in batches, and hands each stored batch on', async () => {
    const target = queue({ maxBatch: 25 });
    await target.open();
    for (let i = 0; i < 100; i++) target.push([reading(i)]);
    await waitFor(() => target.backlog === 0);
    expect(store.stored).toEqual(Array.from({ length: 100 }, (_, i) => reading(i)));
    expect(Math.max(...store.calls)).toBeLessThanOrEqual(25);
    expect(written.flat()).toEqual(store.stored);
  });

  it('keeps failing batches in the spool and writes them, in order, once the store recovers', async () => {
    let down = true;
    store.failing = () => (down ? new AppError('unavailable', 'store down') : undefined);
    const target = queue();
    await target.open();
    for (let i = 0; i < 10; i++) target.push([reading(i)]);
    await waitFor(() => target.consecutiveFailures >= 3);
    expect(target.backlog).toBe(10);
    expect(store.stored).toEqual([]);
    down = false;
    await waitFor(() => target.backlog === 0);
    expect(store.stored).toEqual(Array.from({ length: 10 }, (_, i) => reading(i)));
  });

  it('isolates and drops only the reading the store refuses', async () => {
    store.failing = (batch) => (batch.some((r) => r.ts === T + 7) ? new AppError('bad_request', 'field type conflict') : undefined);
    const target = queue();
    await target.open();
    target.push(Array.from({ length: 20 }, (_, i) => reading(i)));
    await waitFor(() => target.backlog === 0);
    expect(refused).toEqual([reading(7)]);
    expect(store.stored.map((r) => r.ts - T).sort((a, b) => a - b)).toEqual(
      [...Array.from({ length: 20 }, (_, i) => i)].filter((i) => i !== 7),
    );
  });

  it('leaves what the store did not confirm in the spool at close, and writes it after the next open', async () => {
    store.failing = () => new AppError('unavailable', 'store down');
    const first = queue();
    await first.open();
    first.push([reading(1), reading(2)]);
    first.push([reading(3)]);
    await first.close(50);

    store.failing = () => undefined;
    const second = queue();
    const recovery = await second.open();
    expect(recovery.readings).toBe(3);
    await waitFor(() => second.backlog === 0);
    expect(store.stored).toEqual([reading(1), reading(2), reading(3)]);
  });

  it('close() writes what is pending before returning when the store works', async () => {
    const target = queue({ flushIntervalMs: 60_000 });
    await target.open();
    target.push([reading(1)]);
    expect(store.stored).toEqual([]);
    await target.close(5_000);
    expect(store.stored).toEqual([reading(1)]);
  });
});
