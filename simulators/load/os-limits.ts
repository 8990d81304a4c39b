/**
 * Operating-system limits that cap how many connections one load run can hold: every TCP
 * connection is a file descriptor (per process: `ulimit -n`), and every connection to one broker
 * address from one local address needs its own ephemeral port (Linux: ip_local_port_range).
 * Read from /proc on Linux; undefined elsewhere.
 */
import fs from 'node:fs';

/** File descriptors a process keeps for itself (stdio, epoll, timers, HTTP, DNS, the IPC channel). */
export const RESERVED_DESCRIPTORS = 256;

/** The soft limit on open files of this process, or undefined when it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const n = Number(soft);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** How many ephemeral ports the kernel hands out (connections per local/remote address pair), or undefined. */
export function ephemeralPortCount(): number | undefined {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && high !== undefined && high >= low ? high - low + 1 : undefined;
  } catch {
    return undefined;
  }
}

/** Processes needed to hold `devices` connections under `limit` descriptors each (1 when the limit is unknown). */
export function processesFor(devices: number, limit: number | undefined): number {
  if (limit === undefined) return 1;
  const perProcess = Math.max(1, limit - RESERVED_DESCRIPTORS);
  return Math.max(1, Math.ceil(devices / perProcess));
}
