/**
 * Prepares a run of a scenario: which seeded sites play, where its window sits in time (see
 * ../clock/time-base.ts for why it is placed in the past), how fast it plays, and the plan of
 * scripted events and faults (the scenario's plus any `--fault`).
 */
import type { Site } from '../../common/sites.js';
import { AppError } from '../../platform/errors.js';
import { resolveTimeWindow, type TimeWindow } from '../clock/time-base.js';
import type { FaultRequest } from '../faults/fault-option.js';
import type { Scenario } from './scenario-schema.js';
import { planScenario, type SimulationPlan } from './simulation-plan.js';

export interface ScenarioRunRequest {
  readonly scenario: Scenario;
  /** Every seeded site. */
  readonly seeds: readonly Site[];
  /** Wall clock at the start of the run, epoch ms. */
  readonly wallNowMs: number;
  /** `--start`: pins the simulated start (epoch ms). */
  readonly startMs?: number;
  /** `--speed`: overrides the scenario's speed. */
  readonly speed?: number;
  /** `--sites`: plays only these of the scenario's sites. */
  readonly siteIds?: readonly string[];
  /** `--fault`s, on top of the scenario's events. */
  readonly faults?: readonly FaultRequest[];
  /** A dry run publishes nothing, so it may sit in the future. */
  readonly dryRun?: boolean;
}

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly sites: Site[];
  readonly window: TimeWindow;
  readonly speed: number;
  readonly plan: SimulationPlan;
  /** Simulated ms between reports, when the scenario sets it. */
  readonly reportEveryMs: number | undefined;
}

/** Resolves a scenario against the seeds; throws `validation_failed` / `bad_request` naming every problem. */
export function prepareScenarioRun(request: ScenarioRunRequest): ScenarioRun {
  const { scenario, seeds } = request;
  const byId = new Map(seeds.map((site) => [site.id, site]));
  const wanted = scenario.sites ?? seeds.map((site) => site.id);
  const unknown = wanted.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new AppError('validation_failed', `scenario ${scenario.name} names sites that are not seeded: ${unknown.join(', ')}`);
  }
  let ids = wanted;
  if (request.siteIds !== undefined) {
    const outside = request.siteIds.filter((id) => !wanted.includes(id));
    if (outside.length > 0)
      throw new AppError('bad_request', `--sites: not in scenario ${scenario.name}: ${outside.join(', ')} (it plays ${wanted.join(', ')})`);
    ids = wanted.filter((id) => request.siteIds?.includes(id));
  }
  const sites = ids.map((id) => byId.get(id)).filter((site): site is Site => site !== undefined);
  const speed = request.speed ?? scenario.speed;
  const window = resolveTimeWindow({
    durationMs: scenario.duration,
    speed,
    wallNowMs: request.wallNowMs,
    startLocalMinutes: scenario.start?.localTime,
    startMs: request.startMs,
    allowFuture: request.dryRun,
  });
  const played = new Set(ids);
  const events = scenario.events.filter((event) => {
    const targets = event.sites ?? (event.site === undefined ? undefined : [event.site]);
    return targets === undefined || targets.some((id) => played.has(id));
  });
  const trimmed = events.map((event) => (event.sites ? { ...event, sites: event.sites.filter((id) => played.has(id)) } : event));
  const plan = planScenario({ ...scenario, events: trimmed }, sites, window.startMs);
  for (const request_ of request.faults ?? []) {
    plan.addFault(request_.siteId, request_.fault, window.startMs + request_.atMs, request_.forMs, window.startMs);
  }
  return { scenario, sites, window, speed, plan, reportEveryMs: scenario.reportEvery };
}
