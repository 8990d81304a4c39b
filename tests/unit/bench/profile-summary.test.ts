import { describe, expect, it } from 'vitest';
import { type CpuProfile, formatProfileSummary, packageOf, summariseProfile } from '../../../bench/profile/summary.js';

const frame = (id: number, functionName: string, url: string, lineNumber = 0) => ({ id, callFrame: { functionName, url, lineNumber } });

describe('CPU profile summary', () => {
  const profile: CpuProfile = {
    nodes: [
      frame(1, '(root)', ''),
      frame(2, 'released', 'file:///work/main/node_modules/mqemitter/mqemitter.js', 40),
      frame(3, '(idle)', ''),
      frame(4, 'authorize', 'file:///work/main/broker/authorize-publish.ts', 9),
      frame(5, 'parse', 'file:///work/main/node_modules/@duckdb/node-api/lib/x.js', 1),
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [2, 2, 2, 3, 4, 2, 5, 3],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
  };

  it('ranks functions and packages by self time and reports the busy share', () => {
    const summary = summariseProfile(profile, 'p.cpuprofile');
    expect(summary.totalMs).toBe(8);
    expect(summary.busyPercent).toBe(75);
    expect(summary.topFrames[0]).toEqual({ frame: 'released (mqemitter/mqemitter.js:41)', selfMs: 4, percent: 50 });
    expect(summary.byPackage.map((share) => share.frame)).toEqual(['mqemitter', '(idle)', 'broker/', '@duckdb/node-api']);
    expect(formatProfileSummary(summary)).toContain('50.0 %  released (mqemitter/mqemitter.js:41)');
  });

  it('falls back to hit counts without samples', () => {
    const summary = summariseProfile(
      {
        nodes: [
          { ...frame(1, 'a', 'node:fs'), hitCount: 3 },
          { ...frame(2, 'b', 'node:fs'), hitCount: 1 },
        ],
        startTime: 0,
        endTime: 4_000,
      },
      'x',
    );
    expect(summary.topFrames.map((share) => share.selfMs)).toEqual([3, 1]);
  });

  it('names where code lives', () => {
    expect(packageOf('file:///r/node_modules/aedes/lib/client.js', 'f')).toBe('aedes');
    expect(packageOf('file:///r/node_modules/@duckdb/node-api/x.js', 'f')).toBe('@duckdb/node-api');
    expect(packageOf('node:internal/streams', 'f')).toBe('node internals');
    expect(packageOf('file:///r/ingest/ingest-service.ts', 'f')).toBe('ingest/');
    expect(packageOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(packageOf('', 'writev')).toBe('(native)');
  });
});
