/**
 * The pure pieces under the engine: the severity tracker's raise/clear decisions and deadlines,
 * band hysteresis, the rate/swing window, and the deadline queue.
 */
import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from '../../../alerting/deadline-queue.js';
import { observeBands, thresholdFor } from '../../../alerting/evaluation/bands.js';
import { addSample, emptyWindow, ratePerHour, swingOf, WINDOW_BUCKETS } from '../../../alerting/evaluation/sample-window.js';
import { decideLevel, initialTracker, nextDeadline, observe, withLevel } from '../../../alerting/evaluation/severity-tracker.js';
import type { SeverityBand } from '../../../common/alert-rules.js';

describe('severity tracker', () => {
  const timing = { raiseAfterMs: 100, clearAfterMs: 50 };

  it('raises after the raise window and reports when that will be', () => {
    let state = observe(initialTracker(0), 2, 10);
    expect(decideLevel(state, 109, timing)).toBe(0);
    expect(nextDeadline(state, timing)).toBe(110);
    expect(decideLevel(state, 110, timing)).toBe(2);
    state = withLevel(state, 2);
    expect(nextDeadline(state, timing)).toBeUndefined();
  });

  it('escalates to the highest rank that held, and de-escalates to the lowest that held', () => {
    let state = observe(initialTracker(0), 1, 0);
    state = observe(state, 4, 60);
    expect(decideLevel(state, 100, timing)).toBe(1);
    expect(decideLevel(state, 160, timing)).toBe(4);
    state = withLevel(state, 4);
    state = observe(state, 2, 200);
    state = observe(state, 0, 230);
    expect(decideLevel(state, 249, timing)).toBe(4);
    expect(decideLevel(state, 250, timing)).toBe(2);
    expect(decideLevel(state, 280, timing)).toBe(0);
    expect(nextDeadline(state, timing)).toBe(250);
  });

  it('an observation that does not change the rank keeps the window running', () => {
    const state = observe(initialTracker(0), 3, 10);
    expect(observe(state, 3, 50)).toBe(state);
  });

  it('a fresh tracker with an open alert assumes the condition still holds', () => {
    const state = initialTracker(500, 3);
    expect(decideLevel(state, 10_000, timing)).toBe(3);
  });
});

describe('bands with hysteresis', () => {
  const bands: SeverityBand[] = [
    { severity: 'warning', op: '<', value: 5 },
    { severity: 'critical', op: '<', value: 3.5, clear: 4 },
    { severity: 'warning', op: '>', value: 9 },
  ];

  it('turns a band on at its raise threshold and off only past its clear threshold', () => {
    let obs = observeBands(bands, undefined, 3.4, []);
    expect(obs).toMatchObject({ rank: 4, direction: 'below' });
    obs = observeBands(bands, undefined, 3.9, obs.on);
    expect(obs.rank).toBe(4);
    obs = observeBands(bands, undefined, 4.1, obs.on);
    expect(obs).toMatchObject({ rank: 1, direction: 'below' });
    obs = observeBands(bands, undefined, 3.9, obs.on);
    expect(obs.rank).toBe(1);
    obs = observeBands(bands, undefined, 9.5, obs.on);
    expect(obs).toMatchObject({ rank: 1, direction: 'above' });
  });

  it('applies the rule-wide hysteresis to bands without their own clear', () => {
    let obs = observeBands(bands, 0.3, 4.9, []);
    obs = observeBands(bands, 0.3, 5.2, obs.on);
    expect(obs.rank).toBe(1);
    obs = observeBands(bands, 0.3, 5.31, obs.on);
    expect(obs.rank).toBe(0);
  });

  it('reports the threshold of the level, or of the nearest milder band', () => {
    expect(thresholdFor(bands, 4, 'below')).toBe(3.5);
    expect(thresholdFor(bands, 2, 'below')).toBe(5);
    expect(thresholdFor(bands, 1, 'above')).toBe(9);
    expect(thresholdFor(bands, 0, 'below')).toBeNull();
  });
});

describe('sample window', () => {
  const HOUR = 3_600_000;

  it('measures the swing over the window only', () => {
    let window = emptyWindow(24 * HOUR);
    window = addSample(window, 0, 7.2);
    window = addSample(window, 12 * HOUR, 8.0);
    expect(swingOf(window)).toBeCloseTo(0.8, 9);
    window = addSample(window, 25 * HOUR, 7.9);
    expect(swingOf(window)).toBeCloseTo(0.1, 9);
    expect(window.buckets.length).toBeLessThanOrEqual(WINDOW_BUCKETS);
  });

  it('estimates a rate per hour once half a window apart, placing late samples by their time', () => {
    let window = emptyWindow(HOUR);
    window = addSample(window, 0, 2);
    window = addSample(window, 20 * 60_000, 2.5);
    expect(ratePerHour(window)).toBeUndefined();
    window = addSample(window, 55 * 60_000, 3.0);
    window = addSample(window, 30 * 60_000, 2.6);
    expect(ratePerHour(window)).toBeCloseTo((3.0 - 2) / (55 / 60), 9);
  });

  it('ignores samples older than the window', () => {
    let window = addSample(emptyWindow(HOUR), 10 * HOUR, 5);
    window = addSample(window, 8 * HOUR, 100);
    expect(swingOf(window)).toBe(0);
  });
});

describe('deadline queue', () => {
  it('returns due keys in order, keeping only the earliest deadline per key', () => {
    const queue = new DeadlineQueue();
    queue.schedule('a', 30);
    queue.schedule('b', 10);
    queue.schedule('a', 40);
    queue.schedule('c', 20);
    queue.reschedule('c', 5);
    expect(queue.peek()).toBe(5);
    expect(queue.takeDue(25)).toEqual(['c', 'b']);
    expect(queue.takeDue(100)).toEqual(['a']);
    expect(queue.size).toBe(0);
  });

  it('cancels and re-orders many keys correctly', () => {
    const queue = new DeadlineQueue();
    for (let i = 0; i < 500; i++) queue.schedule(`k${i}`, (i * 7919) % 1000);
    for (let i = 0; i < 500; i += 2) queue.reschedule(`k${i}`, undefined);
    const due = queue.takeDue(2000);
    expect(due).toHaveLength(250);
    const times = due.map((key) => (Number(key.slice(1)) * 7919) % 1000);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
