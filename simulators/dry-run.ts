/**
 * A dry run: the same devices, plan and scheduler as a live run, but no broker — every action is
 * written as one JSON line, in order, as fast as it can be computed. It shows exactly what a live
 * run with the same seed and window publishes (topic, retain flag, payload bytes), so it serves to
 * inspect a scenario, to diff two seeds, and to prove runs reproducible.
 *
 * Line format (`ts` simulated epoch ms):
 * - `{"ts","siteId","action":"connect","topic","retain":true,"payload"}` — the status a device
 *   publishes when it first connects (at the start of the run);
 * - `{"ts","siteId","action":"publish","topic","retain","payload"}`;
 * - `{"ts","siteId","action":"cut"}` — connection dropped without DISCONNECT (the broker then
 *   publishes the Last Will `{"status":"offline"}`);
 * - `{"ts","siteId","action":"restore","topic","retain":true,"payload"}` — reconnected with this status.
 */
import type { Site } from '../common/sites.js';
import { topics } from '../common/topics.js';
import { MIN_INTERVAL_MS } from './demo-simulator.js';
import { TickEngine } from './fleet/tick-engine.js';
import { deriveSeed } from './random.js';
import type { SimulationPlan } from './scenarios/simulation-plan.js';
import { type SimAction, SiteRuntime } from './site-runtime.js';

export interface DryRunOptions {
  readonly sites: readonly Site[];
  readonly seed: number;
  readonly plan: SimulationPlan;
  /** Simulated window, epoch ms. */
  readonly startMs: number;
  readonly endMs: number;
  /** Simulated ms per wall ms the live run would use (drives status heartbeats). */
  readonly speed: number;
  /** Simulated ms between reports; default each site's interval × `intervalScale`. */
  readonly reportEveryMs?: number;
  readonly intervalScale?: number;
  /** Receives each line (without the newline). */
  readonly write: (line: string) => void;
}

/** One action as a dry-run line. */
export function formatAction(site: Site, action: SimAction, tMs: number): string {
  switch (action.kind) {
    case 'publish':
      return JSON.stringify({
        ts: tMs,
        siteId: site.id,
        action: 'publish',
        topic: topics[action.channel](site.id),
        retain: action.retain,
        payload: action.body,
      });
    case 'cut':
      return JSON.stringify({ ts: tMs, siteId: site.id, action: 'cut' });
    case 'restore':
      return JSON.stringify({
        ts: tMs,
        siteId: site.id,
        action: 'restore',
        topic: topics.status(site.id),
        retain: true,
        payload: action.onlineStatus,
      });
  }
}

/** Runs the whole window; returns the number of lines written. */
export function dryRun(options: DryRunOptions): number {
  const { sites, seed, plan, startMs, endMs, speed, write } = options;
  const runtimes = sites.map(
    (site) =>
      new SiteRuntime({
        site,
        seed,
        plan: plan.forSite(site.id),
        heartbeatEveryMs: speed !== 1 ? site.reportingIntervalSec * 1000 * speed : undefined,
      }),
  );
  let lines = 0;
  for (const runtime of runtimes) {
    write(
      JSON.stringify({
        ts: startMs,
        siteId: runtime.site.id,
        action: 'connect',
        topic: topics.status(runtime.site.id),
        retain: true,
        payload: runtime.onlineStatusBody(startMs),
      }),
    );
    lines++;
  }
  const engine = new TickEngine({
    runtimes,
    startMs,
    endMs,
    intervalMs: (runtime) =>
      options.reportEveryMs ?? Math.max(MIN_INTERVAL_MS, runtime.site.reportingIntervalSec * 1000 * (options.intervalScale ?? 1)),
    phase: (runtime) => deriveSeed(seed, runtime.site.id, 'phase') / 4_294_967_296,
    onActions: (runtime, actions, tMs) => {
      for (const action of actions) {
        write(formatAction(runtime.site, action, tMs));
        lines++;
      }
    },
  });
  engine.advanceTo(endMs);
  return lines;
}
