import { describe, expect, it } from 'vitest';
import { StatusTracker } from '../../../ingest/status-tracker.js';
import { LogThrottle } from '../../../platform/log-throttle.js';

describe('LogThrottle', () => {
  it('lets a burst through per key and window, then reports how many were suppressed', () => {
    let now = 0;
    const throttle = new LogThrottle({ burst: 2, windowMs: 1000, clock: () => now });
    expect(throttle.take('a')).toEqual({ log: true, suppressed: 0 });
    expect(throttle.take('a')).toEqual({ log: true, suppressed: 0 });
    expect(throttle.take('a').log).toBe(false);
    expect(throttle.take('a').log).toBe(false);
    expect(throttle.take('b').log).toBe(true);
    now = 1000;
    expect(throttle.take('a')).toEqual({ log: true, suppressed: 2 });
    expect(throttle.take('a')).toEqual({ log: true, suppressed: 0 });
  });
});

describe('StatusTracker', () => {
  const online = { siteId: 'KG-WQ-01', status: 'online' as const, ts: 1000 };

  it('ignores a retained replay of the stored status, but not a change', () => {
    const tracker = new StatusTracker();
    tracker.load([online]);
    expect(tracker.accept({ ...online, ts: 5000 }, true, false)).toBe(false);
    expect(tracker.accept({ ...online, status: 'offline', ts: 5000 }, true, false)).toBe(true);
  });

  it('accepts live statuses, and ignores device-stamped ones older than the last', () => {
    const tracker = new StatusTracker();
    expect(tracker.accept(online, false, true)).toBe(true);
    expect(tracker.accept({ ...online, ts: 2000 }, false, false)).toBe(true);
    expect(tracker.accept({ ...online, status: 'offline', ts: 1500 }, false, true)).toBe(false);
    expect(tracker.accept({ ...online, status: 'offline', ts: 2500 }, true, true)).toBe(true);
  });
});
