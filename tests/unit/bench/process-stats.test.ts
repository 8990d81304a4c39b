import { describe, expect, it } from 'vitest';
import { cpuModelFromCpuinfo } from '../../../bench/machine.js';
import { cpuSeconds, parseCpuTicks, parseMaxOpenFiles, parseRssKb, rssKb } from '../../../bench/proc/process-stats.js';

describe('/proc readers', () => {
  it('reads user + system ticks from /proc/<pid>/stat, even with spaces and parentheses in the name', () => {
    const stat = '4242 (node (tsx) x) S 1 4242 4242 0 -1 4194304 1000 0 0 0 1234 567 0 0 20 0 11 0 100 1000000 5000';
    expect(parseCpuTicks(stat)).toBe(1234 + 567);
    expect(() => parseCpuTicks('garbage')).toThrow();
  });

  it('reads VmRSS from /proc/<pid>/status', () => {
    expect(parseRssKb('Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\nThreads: 7\n')).toBe(123_456);
    expect(() => parseRssKb('Name: x')).toThrow();
  });

  it('reads the open-file limits from /proc/<pid>/limits', () => {
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\n';
    expect(parseMaxOpenFiles(limits)).toEqual({ soft: 1024, hard: 20_000 });
    expect(parseMaxOpenFiles('Max open files unlimited unlimited files').hard).toBe(Number.POSITIVE_INFINITY);
  });

  it('measures this process and reports undefined for a process that does not exist', () => {
    expect(cpuSeconds(process.pid)).toBeGreaterThan(0);
    expect(rssKb(process.pid)).toBeGreaterThan(1000);
    expect(rssKb(2 ** 30)).toBeUndefined();
  });

  it('reads the CPU model from /proc/cpuinfo', () => {
    expect(cpuModelFromCpuinfo('processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n')).toBe('AMD EPYC 7B13');
    expect(cpuModelFromCpuinfo('processor: 0')).toBeUndefined();
  });
});
