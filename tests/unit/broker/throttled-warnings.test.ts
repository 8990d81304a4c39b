import { Writable } from 'node:stream';
import type { Client } from 'aedes';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ThrottledWarnings } from '../../../broker/throttled-warnings.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'warn' }, stream) };
}

/** Only the client id matters to the throttle (a reconnecting client keeps its state). */
const fakeClient = (id: string) => ({ id }) as unknown as Client;

describe('ThrottledWarnings', () => {
  it('logs at most one warning per client per interval and reports how many it left out', async () => {
    const { lines, logger } = capture();
    let now = 1_000;
    const warnings = new ThrottledWarnings(logger, 10_000, () => now);
    const a = fakeClient('a');
    const b = fakeClient('b');

    warnings.warn(a, { n: 1 }, 'dropped');
    warnings.warn(a, { n: 2 }, 'dropped');
    warnings.warn(a, { n: 3 }, 'dropped');
    warnings.warn(b, { n: 4 }, 'dropped');
    now += 10_000;
    warnings.warn(a, { n: 5 }, 'dropped');
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines.map((line) => [line.n, line.suppressedSinceLastWarning])).toEqual([
      [1, undefined],
      [4, undefined],
      [5, 2],
    ]);
  });
});
