/**
 * Summaries of V8 CPU profiles (`node --cpu-prof` writes `.cpuprofile` JSON): self time per
 * function and per package/folder, the top frames a reader needs to see where a target spends
 * its time. Also a CLI: `npx tsx bench/profile/summary.ts <file.cpuprofile|dir> [top]`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of the `.cpuprofile` format (Chrome DevTools Protocol `Profiler.Profile`) used here. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly hitCount?: number;
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface FrameShare {
  /** `function (file:line)` or a V8 pseudo-frame like `(garbage collector)`. */
  readonly frame: string;
  /** Self time, ms. */
  readonly selfMs: number;
  /** Share of all sampled time, %. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly file: string;
  /** Sampled time, ms. */
  readonly totalMs: number;
  /** Sampled time not idle, % of the total. */
  readonly busyPercent: number;
  readonly topFrames: readonly FrameShare[];
  /** Self time by package (`node_modules/<name>`), repository folder, `node:` internals or V8 pseudo-frames. */
  readonly byPackage: readonly FrameShare[];
}

/** Where a frame's code lives: an npm package, a folder of this repository, Node internals or V8. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    const [first, second] = rest;
    return first?.startsWith('@') && second ? `${first}/${second}` : (first ?? url);
  }
  const clean = url.replace(/^file:\/\//, '');
  const parts = clean.split('/');
  const root = ['broker', 'ingest', 'platform', 'web', 'simulators', 'common', 'bench'].find((folder) => parts.includes(folder));
  return root ? `${root}/` : path.basename(clean);
}

function frameName(functionName: string, url: string, lineNumber: number): string {
  if (url === '') return functionName || '(anonymous)';
  const file = url.includes('node_modules/') ? url.slice(url.lastIndexOf('node_modules/') + 'node_modules/'.length) : path.basename(url);
  return `${functionName || '(anonymous)'} (${file}:${lineNumber + 1})`;
}

/** Self time per node id, ms: from samples and time deltas when present, else hit counts spread evenly. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const times = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples && timeDeltas && samples.length === timeDeltas.length && samples.length > 0) {
    // timeDeltas[i] is the time before sample i; attribute each interval to the sample that ends it.
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i];
      const delta = timeDeltas[i] ?? 0;
      if (id !== undefined && delta > 0) times.set(id, (times.get(id) ?? 0) + delta / 1000);
    }
    return times;
  }
  const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const perHit = hits > 0 ? (profile.endTime - profile.startTime) / 1000 / hits : 0;
  for (const node of profile.nodes) times.set(node.id, (node.hitCount ?? 0) * perHit);
  return times;
}

const IDLE_FRAMES = new Set(['(idle)', '(program)']);

export function summariseProfile(profile: CpuProfile, file: string, top = 15): ProfileSummary {
  const times = selfTimes(profile);
  const byFrame = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const ms = times.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    total += ms;
    if (url === '' && IDLE_FRAMES.has(functionName)) idle += ms;
    const frame = frameName(functionName, url, lineNumber);
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + ms);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
  }
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, selfMs]) => ({ frame, selfMs, percent: total > 0 ? (100 * selfMs) / total : 0 }));
  return {
    file,
    totalMs: total,
    busyPercent: total > 0 ? (100 * (total - idle)) / total : 0,
    topFrames: ranked(byFrame),
    byPackage: ranked(byPackage),
  };
}

/** Summaries of every readable `.cpuprofile` directly in `dir`. */
export function summariseProfiles(dir: string, top = 15): ProfileSummary[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .flatMap((name) => {
      const file = path.join(dir, name);
      try {
        return [summariseProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, file, top)];
      } catch {
        return [];
      }
    });
}

/** Text block for one summary. */
export function formatProfileSummary(summary: ProfileSummary): string {
  const lines = [
    `${path.basename(summary.file)}: ${(summary.totalMs / 1000).toFixed(1)} s sampled, ${summary.busyPercent.toFixed(0)} % busy`,
    '  self time by package:',
    ...summary.byPackage.slice(0, 8).map((share) => `    ${share.percent.toFixed(1).padStart(5)} %  ${share.frame}`),
    '  top frames (self time):',
    ...summary.topFrames.map((share) => `    ${share.percent.toFixed(1).padStart(5)} %  ${share.frame}`),
  ];
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: tsx bench/profile/summary.ts <file.cpuprofile|directory> [top]\n');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? '20');
  const summaries = fs.statSync(target).isDirectory()
    ? summariseProfiles(target, top)
    : [summariseProfile(JSON.parse(fs.readFileSync(target, 'utf8')) as CpuProfile, target, top)];
  process.stdout.write(`${summaries.map(formatProfileSummary).join('\n\n')}\n`);
}
