/**
 * What is scripted to happen to each site, in absolute simulated time: the scenario's weather, DO
 * crashes, salinity intrusions and camera intrusions, and every device fault (from the scenario,
 * `--fault`, or injected at run time). Built once per run from a {@link Scenario} and the run's
 * start; checked against the sites so a scenario cannot ask a camera to foul its DO probe.
 */
import type { Site, SiteKind } from '../../common/sites.js';
import { AppError, type ErrorDetail } from '../../platform/errors.js';
import type { CameraIntrusion } from '../behaviours.js';
import type { FaultSpec, ScheduledFault } from '../faults/fault-spec.js';
import type { ScriptedDoCrash, ScriptedRain, ScriptedSalinityIntrusion } from '../models/environment.js';
import type { Scenario, ScenarioEvent } from './scenario-schema.js';

/** A camera intrusion at an instant of simulated time (epoch ms). */
export interface ScheduledIntrusion extends CameraIntrusion {
  readonly atMs: number;
}

/** Everything scripted for one site. */
export interface SitePlan {
  readonly naturalRain: boolean;
  readonly rains: readonly ScriptedRain[];
  readonly doCrashes: readonly ScriptedDoCrash[];
  readonly salinityIntrusions: readonly ScriptedSalinityIntrusion[];
  readonly cameraIntrusions: readonly ScheduledIntrusion[];
  readonly faults: readonly ScheduledFault[];
}

interface MutableSitePlan {
  naturalRain: boolean;
  rains: ScriptedRain[];
  doCrashes: ScriptedDoCrash[];
  salinityIntrusions: ScriptedSalinityIntrusion[];
  cameraIntrusions: ScheduledIntrusion[];
  faults: ScheduledFault[];
}

/** Site kinds each fault makes sense on (a camera has no probe to foul). */
const FAULT_KINDS_ALLOWED: Readonly<Record<FaultSpec['type'], readonly SiteKind[]>> = {
  fouling: ['water-quality', 'salinity'],
  stuck: ['water-quality', 'salinity', 'camera'],
  spikes: ['water-quality', 'salinity', 'camera'],
  negative: ['water-quality', 'salinity'],
  calibration: ['water-quality', 'salinity'],
  'out-of-water': ['water-quality', 'salinity'],
  'battery-sag': ['water-quality', 'salinity', 'camera'],
  gap: ['water-quality', 'salinity', 'camera'],
  offline: ['water-quality', 'salinity', 'camera'],
  malformed: ['water-quality', 'salinity', 'camera'],
};

const EVENT_KINDS_ALLOWED: Readonly<Record<'rain' | 'do-crash' | 'salinity-intrusion' | 'intrusion', readonly SiteKind[]>> = {
  rain: ['water-quality', 'salinity', 'camera'],
  'do-crash': ['water-quality'],
  'salinity-intrusion': ['water-quality', 'salinity'],
  intrusion: ['camera'],
};

/** The simulation plan of a run: one {@link SitePlan} per site, empty unless something is scripted. */
export class SimulationPlan {
  private readonly plans = new Map<string, MutableSitePlan>();

  constructor(
    private readonly sites: readonly Site[],
    /** Whether natural showers fall (default true). */
    private readonly naturalRain = true,
  ) {}

  /**
   * The plan of `siteId` (empty when nothing is scripted). The object stays live: faults added
   * later with {@link addFault} appear in it, so a running device sees run-time injections.
   */
  forSite(siteId: string): SitePlan {
    return this.mutable(siteId);
  }

  /**
   * Schedules `fault` on `siteId` from `startMs` for `durationMs` (undefined = until the end), all
   * simulated epoch ms. Throws `bad_request` when the site is not simulated or the fault does not
   * apply to its kind.
   */
  addFault(siteId: string, fault: FaultSpec, startMs: number, durationMs: number | undefined, runStartMs: number): ScheduledFault {
    const site = this.siteOrThrow(siteId);
    if (!FAULT_KINDS_ALLOWED[fault.type].includes(site.kind)) {
      throw new AppError('bad_request', `a ${fault.type} fault does not apply to ${site.kind} site ${siteId}`);
    }
    const scheduled: ScheduledFault = {
      fault,
      startMs,
      endMs: durationMs === undefined ? Number.POSITIVE_INFINITY : startMs + durationMs,
      runStartMs,
    };
    this.mutable(siteId).faults.push(scheduled);
    return scheduled;
  }

  private siteOrThrow(siteId: string): Site {
    const site = this.sites.find((s) => s.id === siteId);
    if (!site) throw new AppError('bad_request', `site ${siteId} is not simulated in this run`);
    return site;
  }

  private empty(): MutableSitePlan {
    return { naturalRain: this.naturalRain, rains: [], doCrashes: [], salinityIntrusions: [], cameraIntrusions: [], faults: [] };
  }

  private mutable(siteId: string): MutableSitePlan {
    let plan = this.plans.get(siteId);
    if (!plan) {
      plan = this.empty();
      this.plans.set(siteId, plan);
    }
    return plan;
  }

  /** Adds one scenario event for its sites (`allSiteIds` when a rain event names none). */
  addEvent(event: ScenarioEvent, startMs: number, allSiteIds: readonly string[]): void {
    const ids = event.sites ?? (event.site === undefined ? allSiteIds : [event.site]);
    const at = startMs + event.at;
    const end = event.for === undefined ? Number.POSITIVE_INFINITY : at + event.for;
    for (const id of ids) {
      switch (event.type) {
        case 'rain':
          this.checkKind(id, event.type);
          this.mutable(id).rains.push({ startMs: at, endMs: end, intensity: event.intensity });
          break;
        case 'do-crash':
          this.checkKind(id, event.type);
          this.mutable(id).doCrashes.push({ startMs: at, endMs: end, minDoMgL: event.minDo, rampMs: event.ramp });
          break;
        case 'salinity-intrusion':
          this.checkKind(id, event.type);
          this.mutable(id).salinityIntrusions.push({ startMs: at, endMs: end, extraPpt: event.extraPpt, rampMs: event.ramp });
          break;
        case 'intrusion':
          this.checkKind(id, event.type);
          this.mutable(id).cameraIntrusions.push({ atMs: at, zone: event.zone, objects: event.objects, severity: event.severity });
          break;
        default: {
          const { site: _site, sites: _sites, at: _at, for: _for, ...fault } = event;
          this.addFault(id, fault as FaultSpec, at, event.for, startMs);
        }
      }
    }
  }

  private checkKind(siteId: string, type: keyof typeof EVENT_KINDS_ALLOWED): void {
    const site = this.siteOrThrow(siteId);
    if (!EVENT_KINDS_ALLOWED[type].includes(site.kind))
      throw new AppError('bad_request', `a ${type} event does not apply to ${site.kind} site ${siteId}`);
  }
}

/**
 * The plan of `scenario` started at simulated epoch ms `startMs` over `sites` (the scenario's).
 * Throws `validation_failed` listing every event that names an unknown site or the wrong kind.
 */
export function planScenario(scenario: Scenario, sites: readonly Site[], startMs: number): SimulationPlan {
  const plan = new SimulationPlan(sites, scenario.naturalRain);
  const ids = sites.map((site) => site.id);
  const problems: ErrorDetail[] = [];
  scenario.events.forEach((event, index) => {
    try {
      plan.addEvent(event, startMs, ids);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      problems.push({ path: `events.${index}`, message: error.message });
    }
  });
  if (problems.length > 0) {
    throw new AppError(
      'validation_failed',
      `scenario ${scenario.name}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return plan;
}
