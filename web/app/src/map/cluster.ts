/**
 * Screen-space grid clustering, recomputed on every redraw from the sites' current state, so a
 * cluster's colour follows the worst alert inside it the moment it changes (a precomputed
 * hierarchy would have to be rebuilt on every alert). The grid is anchored to world pixels, so
 * clusters do not jump while panning; a cell's few members that do not overlap stay single. Linear
 * in the number of points on screen (20,000 in a few milliseconds). Pure.
 */

export interface ClusterInput {
  /** Site indices to place. */
  readonly indices: ArrayLike<number>;
  /** Screen x, y (CSS px) of each entry of `indices`. */
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
  /** Worst active alert rank of a site (0 none … 4 critical). */
  readonly severityOf: (index: number) => number;
  /** Whether the site counts as online for the cluster's health ring (0 online, 1 stale, 2 other). */
  readonly healthOf: (index: number) => 0 | 1 | 2;
  /** Grid cell size, px. */
  readonly cellPx: number;
  /** Markers closer than this overlap, px: such neighbours are clustered. */
  readonly minSeparationPx: number;
  /** Screen → world pixel offset, so the grid stays put while panning. */
  readonly originX: number;
  readonly originY: number;
  /** When false (the deepest zoom) every site is single, however close. */
  readonly enabled: boolean;
}

export interface SinglePoint {
  readonly index: number;
  readonly x: number;
  readonly y: number;
}

export interface Cluster {
  /** Members' centroid, screen px. */
  readonly x: number;
  readonly y: number;
  readonly count: number;
  /** Worst active alert rank inside (0 none … 4 critical). */
  readonly worst: number;
  /** Members online / stale / other (offline, maintenance, unknown). */
  readonly health: readonly [number, number, number];
  readonly members: readonly number[];
}

export interface ClusterResult {
  readonly singles: SinglePoint[];
  readonly clusters: Cluster[];
}

/** Most members a cell may keep as separate markers when they do not overlap. */
const MAX_SPREAD = 4;

interface Cell {
  members: number[];
  positions: number[];
  sumX: number;
  sumY: number;
  worst: number;
  health: [number, number, number];
}

/** Groups the points (see the module comment). */
export function clusterPoints(input: ClusterInput): ClusterResult {
  const { indices, xs, ys, cellPx } = input;
  const singles: SinglePoint[] = [];
  if (!input.enabled) {
    for (let k = 0; k < indices.length; k++) singles.push({ index: indices[k] ?? 0, x: xs[k] ?? 0, y: ys[k] ?? 0 });
    return { singles, clusters: [] };
  }
  const cells = new Map<number, Cell>();
  for (let k = 0; k < indices.length; k++) {
    const x = xs[k] ?? 0;
    const y = ys[k] ?? 0;
    const index = indices[k] ?? 0;
    const key = Math.floor((x + input.originX) / cellPx) * 1_048_576 + Math.floor((y + input.originY) / cellPx);
    let cell = cells.get(key);
    if (!cell) {
      cell = { members: [], positions: [], sumX: 0, sumY: 0, worst: 0, health: [0, 0, 0] };
      cells.set(key, cell);
    }
    cell.members.push(index);
    cell.positions.push(x, y);
    cell.sumX += x;
    cell.sumY += y;
    const severity = input.severityOf(index);
    if (severity > cell.worst) cell.worst = severity;
    cell.health[input.healthOf(index)] += 1;
  }
  const clusters: Cluster[] = [];
  for (const cell of cells.values()) {
    const count = cell.members.length;
    if (count === 1 || (count <= MAX_SPREAD && apart(cell.positions, input.minSeparationPx))) {
      for (let m = 0; m < count; m++)
        singles.push({ index: cell.members[m] ?? 0, x: cell.positions[2 * m] ?? 0, y: cell.positions[2 * m + 1] ?? 0 });
      continue;
    }
    clusters.push({ x: cell.sumX / count, y: cell.sumY / count, count, worst: cell.worst, health: cell.health, members: cell.members });
  }
  return { singles, clusters };
}

/** True when every pair of positions (flat x, y list) is at least `minPx` apart. */
function apart(positions: readonly number[], minPx: number): boolean {
  const n = positions.length / 2;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const dx = (positions[2 * a] ?? 0) - (positions[2 * b] ?? 0);
      const dy = (positions[2 * a + 1] ?? 0) - (positions[2 * b + 1] ?? 0);
      if (dx * dx + dy * dy < minPx * minPx) return false;
    }
  }
  return true;
}

/** Worst severity rank among `ranks` (0 when empty): what a cluster shows. */
export function worstOf(ranks: Iterable<number>): number {
  let worst = 0;
  for (const rank of ranks) if (rank > worst) worst = rank;
  return worst;
}

/** Steps a cluster's health ring is divided into (11.25° each). */
export const RING_STEPS = 32;

/**
 * A cluster's health shares (online, stale, other) in {@link RING_STEPS} steps that add up to the
 * whole ring. A share that is not zero keeps at least one step, so one offline site in a cluster of
 * thousands still shows on the ring.
 */
export function ringSteps(health: readonly [number, number, number], count: number, steps = RING_STEPS): [number, number, number] {
  if (count <= 0) return [steps, 0, 0];
  const exact = health.map((n) => (n / count) * steps);
  const out = exact.map((value, k) => ((health[k] ?? 0) > 0 ? Math.max(1, Math.round(value)) : 0));
  // Give or take the rounding difference from the largest share.
  let largest = 0;
  for (let k = 1; k < 3; k++) if ((out[k] ?? 0) > (out[largest] ?? 0)) largest = k;
  out[largest] = (out[largest] ?? 0) + steps - out.reduce((sum, n) => sum + n, 0);
  return [out[0] ?? 0, out[1] ?? 0, out[2] ?? 0];
}
