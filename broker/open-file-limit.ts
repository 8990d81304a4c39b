/**
 * Every TCP connection costs the broker process one file descriptor, and so do the embedded
 * database's files, logs and HTTP sockets. A connection cap at or above the process's open-file
 * limit lets devices starve the store ("Too many open files" on DuckDB's WAL, seen at 19,963
 * devices with `ulimit -n` 20,000), so the effective cap keeps a reserve below the limit.
 */
import fs from 'node:fs';

/** Descriptors kept free for the store, logs, HTTP and internal connections. */
export const FILE_DESCRIPTOR_RESERVE = 512;

/** The soft RLIMIT_NOFILE of this process (Linux `/proc/self/limits`), or undefined when unknown/unlimited. */
export function openFileSoftLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const match = /^Max open files\s+(\S+)/m.exec(text);
  const value = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The configured cap, lowered to leave {@link FILE_DESCRIPTOR_RESERVE} descriptors under the soft limit. */
export function effectiveConnectionCap(configured: number, softLimit: number | undefined): number {
  if (softLimit === undefined) return configured;
  return Math.max(1, Math.min(configured, softLimit - FILE_DESCRIPTOR_RESERVE));
}
