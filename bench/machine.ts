/** The machine a run measured: CPUs and model (/proc/cpuinfo), memory, Node version, load average at the start. */
import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  /** Logical CPUs available to this process (`nproc`). */
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform: string;
  /** 1, 5 and 15-minute load averages when the run started. */
  readonly loadAverage: readonly number[];
  readonly hostname: string;
}

/** The first `model name` of /proc/cpuinfo text, or undefined. */
export function cpuModelFromCpuinfo(cpuinfo: string): string | undefined {
  const match = /^model name\s*:\s*(.+)$/m.exec(cpuinfo);
  return match?.[1]?.trim();
}

export function machineInfo(): MachineInfo {
  let model: string | undefined;
  try {
    model = cpuModelFromCpuinfo(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    model = undefined;
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: model ?? os.cpus()[0]?.model ?? 'unknown',
    memoryGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg(),
    hostname: os.hostname(),
  };
}
