/**
 * CPU time and resident memory of any process on this Linux host, read from /proc — the same
 * numbers for a Node target and for Mosquitto. CPU is user + system time of all threads.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** user + system CPU time, in clock ticks, from the text of /proc/<pid>/stat. */
export function parseCpuTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line');
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // After ')' fields start at 3 (state); utime is field 14 and stime field 15 (proc(5)).
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('cannot read utime/stime from /proc/<pid>/stat');
  return utime + stime;
}

/** Resident set size, KiB, from the text of /proc/<pid>/status. */
export function parseRssKb(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match?.[1]) throw new Error('no VmRSS in /proc/<pid>/status');
  return Number(match[1]);
}

/** The soft and hard "Max open files" limits from the text of /proc/<pid>/limits; Infinity for unlimited. */
export function parseMaxOpenFiles(limits: string): { readonly soft: number; readonly hard: number } {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!match?.[1] || !match[2]) throw new Error('no "Max open files" in /proc/<pid>/limits');
  const value = (text: string) => (text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text));
  return { soft: value(match[1]), hard: value(match[2]) };
}

let clockTicksPerSecond: number | undefined;

/** Clock ticks per second of /proc CPU times (`getconf CLK_TCK`, 100 on virtually every Linux). */
export function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clockTicksPerSecond = Number.isFinite(value) && value > 0 ? value : 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/** CPU seconds (user + system) used so far by `pid`; undefined when the process is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    return parseCpuTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Resident memory of `pid`, KiB; undefined when the process is gone. */
export function rssKb(pid: number): number | undefined {
  try {
    return parseRssKb(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Open-file limits of this process. */
export function openFileLimits(): { readonly soft: number; readonly hard: number } {
  return parseMaxOpenFiles(fs.readFileSync('/proc/self/limits', 'utf8'));
}

/** Measures a process's CPU use between two moments as a percentage of one core. */
export class CpuMeter {
  private startCpu: number | undefined;
  private startWall = 0;

  constructor(private readonly pid: number) {}

  start(): void {
    this.startCpu = cpuSeconds(this.pid);
    this.startWall = performance.now();
  }

  /** Percent of one core since {@link start} (200 = two cores busy); NaN when unknown. */
  percent(): number {
    const now = cpuSeconds(this.pid);
    const wallSec = (performance.now() - this.startWall) / 1000;
    if (now === undefined || this.startCpu === undefined || wallSec <= 0) return Number.NaN;
    return (100 * (now - this.startCpu)) / wallSec;
  }
}
