import { afterEach, describe, expect, it } from 'vitest';
import { WriteQueue, type WriteQueueOptions } from '../../../ingest/write-queue.js';
import { silentLogger } from '../../../platform/logger.js';
import { waitFor } from '../../support/wait.js';

/** A store double whose failures the test switches on and off; it records every batch it accepts. */
class FlakyStore {
  readonly batches: number[][] = [];
  attempts = 0;
  failing = false;

  write = async (batch: readonly number[]): Promise<void> => {
    this.attempts += 1;
    await Promise.resolve();
    if (this.failing) throw new Error('store unavailable');
    this.batches.push([...batch]);
  };

  get stored(): number[] {
    return this.batches.flat();
  }
}

const queues: WriteQueue<number>[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.close(100)));
});

function makeQueue(store: FlakyStore, overrides: Partial<WriteQueueOptions<number>> = {}) {
  const written: number[][] = [];
  const dropped: { items: number[]; cause: string }[] = [];
  let failures = 0;
  const queue = new WriteQueue<number>({
    kind: 'readings',
    write: store.write,
    onWritten: (batch) => written.push([...batch]),
    onDropped: (items, cause) => dropped.push({ items: [...items], cause }),
    onWriteFailed: () => {
      failures += 1;
    },
    logger: silentLogger(),
    maxBatch: 100,
    flushIntervalMs: 10,
    maxPending: 1000,
    retryInitialMs: 5,
    retryMaxMs: 20,
    ...overrides,
  });
  queues.push(queue);
  return { queue, written, dropped, failures: () => failures };
}

describe('WriteQueue', () => {
  it('writes small pushes together after the flush interval, in one store call', async () => {
    const store = new FlakyStore();
    const { queue, written } = makeQueue(store, { flushIntervalMs: 30 });
    queue.push([1, 2]);
    queue.push([3]);
    queue.push([4, 5]);
    await waitFor(() => store.batches.length === 1);
    expect(store.batches).toEqual([[1, 2, 3, 4, 5]]);
    expect(written).toEqual([[1, 2, 3, 4, 5]]);
    expect(queue.backlog).toBe(0);
  });

  it('writes at once when a batch is full, splitting by maxBatch, and sends the remainder right after', async () => {
    const store = new FlakyStore();
    const { queue } = makeQueue(store, { maxBatch: 10, flushIntervalMs: 60_000 });
    queue.push(Array.from({ length: 25 }, (_, i) => i));
    await waitFor(() => store.stored.length === 25, { timeoutMs: 5000 });
    expect(store.batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(store.stored).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('a push below maxBatch waits for the interval', async () => {
    const store = new FlakyStore();
    const { queue } = makeQueue(store, { maxBatch: 10, flushIntervalMs: 60_000 });
    queue.push([1, 2, 3]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.attempts).toBe(0);
    expect(queue.backlog).toBe(3);
  });

  it('keeps a failed batch, retries with backoff and writes it in order once the store is back', async () => {
    const store = new FlakyStore();
    store.failing = true;
    const { queue, written, failures } = makeQueue(store);
    queue.push([1, 2, 3]);
    await waitFor(() => store.attempts >= 3);
    expect(queue.backlog).toBe(3);
    expect(queue.consecutiveFailures).toBeGreaterThanOrEqual(2);
    queue.push([4]);
    store.failing = false;
    await waitFor(() => store.stored.length === 4);
    expect(store.stored).toEqual([1, 2, 3, 4]);
    expect(written.flat()).toEqual([1, 2, 3, 4]);
    expect(failures()).toBeGreaterThanOrEqual(3);
    expect(queue.consecutiveFailures).toBe(0);
  });

  it('stays bounded while the store fails: the oldest items are dropped and reported', async () => {
    const store = new FlakyStore();
    store.failing = true;
    const { queue, dropped } = makeQueue(store, { maxPending: 10, maxBatch: 5 });
    queue.push(Array.from({ length: 8 }, (_, i) => i));
    queue.push(Array.from({ length: 6 }, (_, i) => 100 + i));
    await waitFor(() => store.attempts >= 1);
    expect(queue.backlog).toBeLessThanOrEqual(10);
    expect(dropped.flatMap((d) => d.items)).toEqual([0, 1, 2, 3]);
    expect(dropped.every((d) => d.cause === 'overflow')).toBe(true);
    store.failing = false;
    await waitFor(() => store.stored.length === 10);
    expect(store.stored).toEqual([4, 5, 6, 7, 100, 101, 102, 103, 104, 105]);
  });

  it('close() writes what is pending without waiting for the interval', async () => {
    const store = new FlakyStore();
    const { queue } = makeQueue(store, { flushIntervalMs: 60_000 });
    queue.push([1, 2, 3]);
    await queue.close(1000);
    expect(store.stored).toEqual([1, 2, 3]);
  });

  it('close() gives up after its timeout, reporting the unwritten items as dropped at shutdown', async () => {
    const store = new FlakyStore();
    store.failing = true;
    const { queue, dropped } = makeQueue(store, { flushIntervalMs: 60_000 });
    queue.push([1, 2]);
    await queue.close(50);
    expect(store.attempts).toBeGreaterThanOrEqual(1);
    expect(dropped).toEqual([{ items: [1, 2], cause: 'shutdown' }]);
    queue.push([3]);
    expect(dropped.at(-1)).toEqual({ items: [3], cause: 'shutdown' });
  });

  it('isolates and drops an item the store refuses, writing the rest of its batch', async () => {
    const store = new FlakyStore();
    const refusing = async (batch: readonly number[]) => {
      if (batch.includes(13)) {
        store.attempts += 1;
        throw new Error('refused: 13 is invalid');
      }
      await store.write(batch);
    };
    const { queue, dropped } = makeQueue(store, {
      write: refusing,
      isPermanent: (e) => e instanceof Error && e.message.startsWith('refused'),
      maxBatch: 8,
    });
    queue.push(Array.from({ length: 20 }, (_, i) => i));
    await waitFor(() => store.stored.length === 19);
    expect([...store.stored].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 13));
    expect(dropped).toEqual([{ items: [13], cause: 'refused' }]);
    expect(queue.consecutiveFailures).toBe(0);
    queue.push([21, 22]);
    await waitFor(() => store.stored.length === 21);
  });

  it('a throwing onWritten does not lose later batches', async () => {
    const store = new FlakyStore();
    const { queue } = makeQueue(store, {
      onWritten: () => {
        throw new Error('fan-out bug');
      },
    });
    queue.push([1]);
    await waitFor(() => store.stored.length === 1);
    queue.push([2]);
    await waitFor(() => store.stored.length === 2);
  });
});
