import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../../../common/payloads.js';
import { ReadingSpool, type ReadingSpoolOptions } from '../../../../ingest/spool/reading-spool.js';
import { encodeRecord } from '../../../../ingest/spool/spool-record.js';
import { AppError } from '../../../../platform/errors.js';
import { silentLogger } from '../../../../platform/logger.js';
import { makeTempDir } from '../../../support/test-config.js';

const T = 1_760_000_000_000;
const reading = (i: number, siteId = 'KG-WQ-01'): Reading => ({ siteId, ts: T + i, values: { do: i / 10, ph: 7 } });
const message = (first: number, count: number) => Array.from({ length: count }, (_, k) => reading(first + k));

let temp: ReturnType<typeof makeTempDir>;
const spools: ReadingSpool[] = [];

function spool(overrides: Partial<ReadingSpoolOptions> = {}): ReadingSpool {
  const created = new ReadingSpool({
    dir: path.join(temp.dir, 'spool'),
    maxBytes: 1024 * 1024,
    fsyncIntervalMs: 0,
    logger: silentLogger(),
    ...overrides,
  });
  spools.push(created);
  return created;
}

/** Reads everything unread, batch by batch. */
async function readAll(
  target: ReadingSpool,
  maxReadings = 1000,
): Promise<{ readings: Reading[]; batches: number; end: number; count: number }> {
  const readings: Reading[] = [];
  let batches = 0;
  let end = 0;
  let count = 0;
  for (;;) {
    const batch = await target.read(maxReadings);
    if (!batch) return { readings, batches, end, count };
    readings.push(...batch.readings);
    batches += 1;
    end = batch.end;
    count += batch.count;
  }
}

const segmentFiles = () =>
  fs
    .readdirSync(path.join(temp.dir, 'spool'))
    .filter((name) => name.endsWith('.seg'))
    .sort();

beforeEach(() => {
  temp = makeTempDir('mekong-ioc-spool-');
});

afterEach(async () => {
  for (const created of spools.splice(0)) await created.close();
  temp.cleanup();
});

describe('ReadingSpool', () => {
  it('hands appended readings out in order and forgets them once committed, also across a restart', async () => {
    const first = spool();
    expect(await first.open()).toEqual({ readings: 0, bytes: 0, discardedBytes: 0 });
    first.append(message(0, 3));
    first.append(message(3, 2));
    expect(first.pendingReadings).toBe(5);
    expect(first.pendingBytes).toBe(encodeRecord(message(0, 3)).length + encodeRecord(message(3, 2)).length);

    const batch = await first.read(1000);
    expect(batch?.readings).toEqual(message(0, 5));
    expect(await first.read(1000)).toBeUndefined();
    first.commit(batch ?? { end: 0, count: 0 });
    expect(first.pendingReadings).toBe(0);
    expect(first.pendingBytes).toBe(0);
    await first.close();

    const second = spool();
    expect(await second.open()).toEqual({ readings: 0, bytes: 0, discardedBytes: 0 });
    expect(await second.read(1000)).toBeUndefined();
  });

  it('replays what was appended but not committed after a restart, read back from disk', async () => {
    const first = spool();
    await first.open();
    for (let i = 0; i < 10; i++) first.append(message(i * 3, 3));
    const committed = await first.read(6);
    expect(committed?.readings).toEqual(message(0, 6));
    first.commit(committed ?? { end: 0, count: 0 });
    await first.read(1000); // handed out but never confirmed
    await first.close();

    const second = spool();
    const recovery = await second.open();
    expect(recovery.readings).toBe(24);
    expect(recovery.discardedBytes).toBe(0);
    const replayed = await readAll(second, 7);
    expect(replayed.readings).toEqual(message(6, 24));
    expect(replayed.count).toBe(24);
  });

  it('cuts off a torn record at the end (a power cut while writing) and keeps appending after it', async () => {
    const first = spool();
    await first.open();
    first.append(message(0, 2));
    first.append(message(2, 2));
    await first.close();
    const [file] = segmentFiles();
    const torn = encodeRecord(message(4, 50)).subarray(0, 40);
    fs.appendFileSync(path.join(temp.dir, 'spool', file ?? ''), torn);

    const second = spool();
    const recovery = await second.open();
    expect(recovery).toMatchObject({ readings: 4, discardedBytes: torn.length });
    second.append(message(100, 1));
    expect((await readAll(second)).readings).toEqual([...message(0, 4), reading(100)]);
  });

  it('cuts off zeros a file system appended after a crash', async () => {
    const first = spool();
    await first.open();
    first.append(message(0, 2));
    await first.close();
    fs.appendFileSync(path.join(temp.dir, 'spool', segmentFiles()[0] ?? ''), Buffer.alloc(4096));

    const second = spool();
    expect(await second.open()).toMatchObject({ readings: 2, discardedBytes: 4096 });
    expect((await readAll(second)).readings).toEqual(message(0, 2));
  });

  it('rolls over to new segments and deletes the ones fully committed', async () => {
    const target = spool({ segmentBytes: 1024 });
    await target.open();
    for (let i = 0; i < 40; i++) target.append(message(i * 5, 5));
    expect(segmentFiles().length).toBeGreaterThan(5);
    const all = await readAll(target, 10_000);
    expect(all.readings).toEqual(message(0, 200));
    target.commit(all);
    await target.close();
    expect(segmentFiles()).toHaveLength(1);

    const reopened = spool({ segmentBytes: 1024 });
    expect(await reopened.open()).toEqual({ readings: 0, bytes: 0, discardedBytes: 0 });
  });

  it('reads from disk when the drainer falls behind the in-memory window, then from memory again', async () => {
    const target = spool({ memoryMaxReadings: 4 });
    await target.open();
    for (let i = 0; i < 6; i++) target.append(message(i * 2, 2));
    const behind = await readAll(target, 3);
    expect(behind.readings).toEqual(message(0, 12));
    target.commit(behind);
    target.append(message(12, 2));
    expect((await target.read(100))?.readings).toEqual(message(12, 2));
  });

  it('hands the same readings out again after a rewind', async () => {
    const target = spool();
    await target.open();
    target.append(message(0, 2));
    target.append(message(2, 2));
    const first = await target.read(2);
    expect(first?.readings).toEqual(message(0, 2));
    target.rewind();
    expect((await readAll(target)).readings).toEqual(message(0, 4));
  });

  it('is full at its size limit and has room again once the drainer commits', async () => {
    const record = encodeRecord(message(0, 10)).length;
    const target = spool({ maxBytes: record * 3 });
    await target.open();
    target.append(message(0, 10));
    target.append(message(10, 10));
    expect(target.isFull).toBe(false);
    target.append(message(20, 10));
    expect(target.isFull).toBe(true);
    const batch = await target.read(10);
    target.commit(batch ?? { end: 0, count: 0 });
    expect(target.isFull).toBe(false);
    expect(target.pendingReadings).toBe(20);
  });

  it('continues after the checkpoint when it is ahead of the data (unsynced data lost in a power cut)', async () => {
    const first = spool();
    await first.open();
    first.append(message(0, 2));
    await first.close();
    fs.writeFileSync(path.join(temp.dir, 'spool', 'committed'), JSON.stringify({ version: 1, committed: 1_000_000 }));

    const second = spool();
    expect(await second.open()).toEqual({ readings: 0, bytes: 0, discardedBytes: 0 });
    second.append(message(5, 1));
    expect((await readAll(second)).readings).toEqual([reading(5)]);
    expect(segmentFiles()).toContain('00000000000001000000.seg');
  });

  it('refuses a second open of the same directory in one process', async () => {
    await spool().open();
    await expect(spool().open()).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses appends while closed', async () => {
    const target = spool();
    expect(() => target.append([reading(1)])).toThrow(AppError);
  });
});
