/**
 * The spool's files in its directory:
 * - segments `<start>.seg`, where `<start>` is the spool offset (bytes since the spool was created,
 *   20 digits) of the segment's first byte, so a position anywhere in the spool is one number;
 * - `committed`: the offset up to which the store has confirmed every reading, rewritten atomically
 *   (temp file + rename) after each confirmed batch. It may lag behind (more is replayed, which is
 *   harmless: writes are idempotent) but is never ahead of what the store confirmed.
 */
import fs from 'node:fs';
import path from 'node:path';

const SEGMENT_PATTERN = /^(\d{20})\.seg$/;
const CHECKPOINT_FILE = 'committed';

/** File name of the segment starting at spool offset `start`. */
export function segmentFileName(start: number): string {
  return `${String(start).padStart(20, '0')}.seg`;
}

/** Start offsets of the segments in `dir`, ascending. */
export async function listSegmentStarts(dir: string): Promise<number[]> {
  const names = await fs.promises.readdir(dir);
  return names
    .map((name) => SEGMENT_PATTERN.exec(name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
    .filter(Number.isSafeInteger)
    .sort((a, b) => a - b);
}

/** The committed offset, or 0 for a new spool. Throws when the file exists but is unreadable. */
export async function readCheckpoint(dir: string): Promise<number> {
  let text: string;
  try {
    text = await fs.promises.readFile(path.join(dir, CHECKPOINT_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const committed = (JSON.parse(text) as { committed?: unknown }).committed;
  if (typeof committed !== 'number' || !Number.isSafeInteger(committed) || committed < 0) {
    throw new Error(`spool checkpoint ${path.join(dir, CHECKPOINT_FILE)} is not valid: ${text.slice(0, 100)}`);
  }
  return committed;
}

/** Atomically replaces the checkpoint with `committed`. */
export async function writeCheckpoint(dir: string, committed: number): Promise<void> {
  const file = path.join(dir, CHECKPOINT_FILE);
  const temp = `${file}.tmp`;
  await fs.promises.writeFile(temp, `${JSON.stringify({ version: 1, committed })}\n`);
  await fs.promises.rename(temp, file);
}

/** fsyncs a directory so a file created or renamed in it survives a power cut. */
export function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
