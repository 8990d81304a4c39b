/**
 * Scenarios as data: every file in seeds/scenarios validates and plans against the seeds; bad files
 * are refused with every problem located; runs are placed in time so simulated time never
 * overtakes the wall clock; the same seed and window give the same sequence of published payloads;
 * the DO-crash demo crosses each alert threshold exactly once each way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_FUTURE_SKEW_MS } from '../../../common/rejections.js';
import { AppError } from '../../../platform/errors.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { formatDuration, parseDuration } from '../../../simulators/clock/duration.js';
import { AcceleratedClock } from '../../../simulators/clock/sim-clock.js';
import { latestLocalTimeAtOrBefore, resolveTimeWindow } from '../../../simulators/clock/time-base.js';
import { dryRun } from '../../../simulators/dry-run.js';
import { TickEngine } from '../../../simulators/fleet/tick-engine.js';
import { localHourOfDay, MS_PER_DAY, MS_PER_HOUR } from '../../../simulators/models/time.js';
import { listScenarios, loadScenario, parseScenario, SCENARIOS_FOLDER } from '../../../simulators/scenarios/scenario-loader.js';
import { prepareScenarioRun, type ScenarioRun } from '../../../simulators/scenarios/scenario-run.js';
import { SimulationPlan } from '../../../simulators/scenarios/simulation-plan.js';
import { SiteRuntime } from '../../../simulators/site-runtime.js';

const seeds = await loadSiteSeeds('seeds');
const scenarioFiles = fs.readdirSync(path.join('seeds', SCENARIOS_FOLDER)).filter((f) => f.endsWith('.json'));
const WALL = Date.parse('2026-03-17T12:00:00Z');

interface Line {
  readonly ts: number;
  readonly siteId: string;
  readonly action: string;
  readonly topic?: string;
  readonly payload?: string;
}

function dryLines(run: ScenarioRun, seed: number): Line[] {
  const lines: Line[] = [];
  dryRun({
    sites: run.sites,
    seed,
    plan: run.plan,
    startMs: run.window.startMs,
    endMs: run.window.endMs,
    speed: run.speed,
    reportEveryMs: run.reportEveryMs,
    write: (line) => lines.push(JSON.parse(line) as Line),
  });
  return lines;
}

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
  ])('%s = %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'h', '1x', '-5m', '5 m'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats compactly', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(250)).toBe('250ms');
  });
});

describe('scenario files', () => {
  it('ship the promised scenarios', () => {
    expect(scenarioFiles).toEqual(expect.arrayContaining(['do-crash.json', 'salinity-intrusion-cai-lon.json', 'camera-outage.json']));
  });

  it.each(scenarioFiles)('%s validates, is named after its file and plans against the seeded sites', async (file) => {
    const name = file.replace(/\.json$/, '');
    const scenario = await loadScenario(name, 'seeds');
    expect(scenario.name).toBe(name);
    const run = prepareScenarioRun({ scenario, seeds, wallNowMs: WALL });
    expect(run.sites.length).toBeGreaterThan(0);
    expect(dryLines(run, 1).length).toBeGreaterThan(run.sites.length);
  });

  it('are listed with their length and speed', async () => {
    const listed = await listScenarios('seeds');
    expect(listed.map((s) => s.name).sort()).toEqual(scenarioFiles.map((f) => f.replace(/\.json$/, '')).sort());
    expect(listed.find((s) => s.name === 'do-crash')).toMatchObject({ durationMs: 18 * MS_PER_HOUR, speed: 216 });
  });

  it('an unknown name lists the available scenarios', async () => {
    await expect(loadScenario('no-such-scenario', 'seeds')).rejects.toThrow(/available: .*do-crash/);
  });

  it('refuses a bad file with every problem located', () => {
    const attempt = () =>
      parseScenario(
        {
          name: 'Bad Name',
          title: 'x',
          duration: '6 hours',
          speed: -1,
          events: [{ type: 'stuck', at: '1h' }, { type: 'rain', at: '1h', for: '2h', intensity: 3 }, { type: 'volcano' }],
        },
        'bad.json',
      );
    expect(attempt).toThrow(AppError);
    try {
      attempt();
    } catch (error) {
      const paths = ((error as AppError).details ?? []).map((d) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['name', 'duration', 'speed', 'events.0', 'events.1.intensity', 'events.2.type']));
      expect((error as AppError).code).toBe('validation_failed');
    }
  });

  it('refuses events for sites outside the scenario or of the wrong kind, and unseeded sites', () => {
    const base = { name: 'x', title: 'x', duration: '6h' };
    expect(() => parseScenario({ ...base, sites: ['KG-WQ-01'], events: [{ type: 'offline', site: 'KG-WQ-02' }] }, 'x')).toThrow(
      /not among/,
    );
    const cameraCrash = parseScenario({ ...base, sites: ['KG-CAM-01'], events: [{ type: 'do-crash', site: 'KG-CAM-01', for: '1h' }] }, 'x');
    expect(() => prepareScenarioRun({ scenario: cameraCrash, seeds, wallNowMs: WALL })).toThrow(/do-crash event does not apply to camera/);
    const foulCamera = parseScenario({ ...base, sites: ['KG-CAM-01'], events: [{ type: 'fouling', site: 'KG-CAM-01' }] }, 'x');
    expect(() => prepareScenarioRun({ scenario: foulCamera, seeds, wallNowMs: WALL })).toThrow(/fouling fault does not apply/);
    const ghost = parseScenario({ ...base, sites: ['XX-WQ-99'] }, 'x');
    expect(() => prepareScenarioRun({ scenario: ghost, seeds, wallNowMs: WALL })).toThrow(/not seeded: XX-WQ-99/);
  });

  it('loads a scenario from a file path too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scenario-'));
    const file = path.join(dir, 'mine.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'mine', title: 'Mine', duration: '1h', sites: ['KG-WQ-01'] }));
    try {
      expect((await loadScenario(file, 'seeds')).duration).toBe(MS_PER_HOUR);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('time base', () => {
  it('places an accelerated window so simulated time never runs ahead of the wall clock', () => {
    for (const speed of [1, 2, 144, 5000]) {
      const window = resolveTimeWindow({ durationMs: MS_PER_DAY, speed, wallNowMs: WALL });
      const clock = new AcceleratedClock({ startSimMs: window.startMs, speed, wallNow: () => WALL });
      for (let wall = WALL; wall <= WALL + window.playbackMs; wall += window.playbackMs / 50) {
        const sim = window.startMs + (wall - WALL) * speed;
        expect(sim).toBeLessThanOrEqual(wall);
      }
      expect(clock.now()).toBe(window.startMs);
      expect(window.endMs - window.startMs).toBe(MS_PER_DAY);
    }
  });

  it('aligns the start to the scenario’s local time of day, at the latest safe occurrence', () => {
    const window = resolveTimeWindow({ durationMs: 18 * MS_PER_HOUR, speed: 216, wallNowMs: WALL, startLocalMinutes: 18 * 60 });
    expect(localHourOfDay(window.startMs)).toBe(18);
    expect(window.endMs).toBeLessThanOrEqual(WALL + window.playbackMs);
    expect(window.startMs + MS_PER_DAY + 18 * MS_PER_HOUR).toBeGreaterThan(WALL + window.playbackMs);
    expect(latestLocalTimeAtOrBefore(Date.parse('2026-03-17T10:59:00Z'), 18 * 60)).toBe(Date.parse('2026-03-16T11:00:00Z'));
    expect(latestLocalTimeAtOrBefore(Date.parse('2026-03-17T11:00:00Z'), 18 * 60)).toBe(Date.parse('2026-03-17T11:00:00Z'));
  });

  it('checks a pinned start: refused when it would publish beyond the 5-minute skew, allowed for dry runs', () => {
    const ok = resolveTimeWindow({ durationMs: MS_PER_HOUR, speed: 60, wallNowMs: WALL, startMs: WALL - MS_PER_HOUR });
    expect(ok.startMs).toBe(WALL - MS_PER_HOUR);
    const tooLate = { durationMs: MS_PER_HOUR, speed: 60, wallNowMs: WALL, startMs: WALL - MS_PER_HOUR + 2 * MAX_FUTURE_SKEW_MS };
    expect(() => resolveTimeWindow(tooLate)).toThrow(/ahead of now/);
    expect(resolveTimeWindow({ ...tooLate, allowFuture: true }).startMs).toBe(tooLate.startMs);
  });

  it('an accelerated clock stands still until started, then runs at its speed', () => {
    let wall = 1_000_000;
    const clock = new AcceleratedClock({ startSimMs: 50_000, speed: 100, wallNow: () => wall });
    wall += 10_000;
    expect(clock.now()).toBe(50_000);
    clock.start();
    wall += 1_000;
    expect(clock.now()).toBe(150_000);
    expect(clock.wallAt(250_000)).toBe(wall + 1_000);
  });
});

describe('determinism', () => {
  it('the same seed and window give the same sequence of payloads; another seed does not', async () => {
    const scenario = await loadScenario('sensor-faults', 'seeds');
    const run = () => prepareScenarioRun({ scenario, seeds, wallNowMs: WALL });
    const a = dryLines(run(), 1);
    const b = dryLines(run(), 1);
    expect(b).toEqual(a);
    expect(dryLines(run(), 2)).not.toEqual(a);
    // Every fault left its mark.
    expect(a.some((l) => l.action === 'cut')).toBe(true);
    expect(a.some((l) => l.action === 'restore')).toBe(true);
    expect(a.some((l) => l.payload?.startsWith('[{"ts"'))).toBe(true);
    expect(a.some((l) => l.payload?.includes('"maintenance"'))).toBe(true);
  });

  it('ticks run in (time, site) order whatever chunks time advances in', () => {
    const sites = seeds.slice(0, 6);
    const plan = new SimulationPlan(sites);
    const collect = (chunkMs: number) => {
      const out: string[] = [];
      const engine = new TickEngine({
        runtimes: sites.map((site) => new SiteRuntime({ site, seed: 4, plan: plan.forSite(site.id) })),
        startMs: WALL,
        endMs: WALL + MS_PER_HOUR,
        intervalMs: (runtime) => runtime.site.reportingIntervalSec * 1000 * 60,
        phase: (_runtime, index) => index / 7,
        onActions: (runtime, actions, tMs) => {
          for (const action of actions) out.push(`${tMs} ${runtime.site.id} ${action.kind === 'publish' ? action.body : action.kind}`);
        },
      });
      for (let t = WALL; !engine.finished; t += chunkMs) engine.advanceTo(t, 3);
      return out;
    };
    const oneGo = collect(MS_PER_HOUR * 2);
    expect(collect(7_000)).toEqual(oneGo);
    const times = oneGo.map((line) => Number(line.split(' ')[0]));
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('the DO-crash demo crosses 5 mg/L (warning) and 3.5 mg/L (critical) exactly once each way, for several seeds and dates', async () => {
    const scenario = await loadScenario('do-crash', 'seeds');
    for (const [seed, weeks] of [
      [1, 0],
      [2, 5],
      [3, 13],
      [20_250_701, 30],
    ] as const) {
      const run = prepareScenarioRun({ scenario, seeds, wallNowMs: WALL + weeks * 7 * MS_PER_DAY });
      const series = dryLines(run, seed)
        .filter((l) => l.action === 'publish' && l.topic?.endsWith('/telemetry'))
        .map((l) => (JSON.parse(l.payload ?? '{}') as { values: { do: number } }).values.do);
      const crossings = (threshold: number) => series.slice(1).filter((v, i) => v < threshold !== (series[i] as number) < threshold).length;
      expect(crossings(5), `seed ${seed}`).toBe(2);
      expect(crossings(3.5), `seed ${seed}`).toBe(2);
      expect(series[0]).toBeGreaterThan(6);
      expect(Math.min(...series)).toBeLessThan(2);
      expect(series.at(-1)).toBeGreaterThan(5.5);
    }
  });
});
