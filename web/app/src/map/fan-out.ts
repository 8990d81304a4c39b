/**
 * Spreads markers that would overlap at the current zoom. Pure (no DOM), so it is unit tested.
 */

import { MARKER_SIZE } from './marker-size.js';

/** A site's position projected to map pixels at the current zoom. */
export interface ProjectedSite {
  readonly id: string;
  readonly x: number;
  readonly y: number;
}

/** Groups larger than this are left as they are: clustering many sites is the full IOC app's job. */
const MAX_FAN_OUT = 8;

/**
 * Pixel offsets for sites whose markers would overlap at the current zoom (a camera beside a water
 * station): each group of sites closer than `minDistancePx` is spread on a small circle around its
 * centre so every marker stays visible and clickable. Sites alone get no entry. Uses a grid, so it
 * stays linear in the number of sites.
 */
export function fanOutOffsets(points: readonly ProjectedSite[], minDistancePx = MARKER_SIZE * 0.8): Map<string, [number, number]> {
  const parent = points.map((_, index) => index);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] ?? root;
    parent[i] = root;
    return root;
  };
  const cells = new Map<string, number[]>();
  const cellOf = (x: number, y: number) => `${Math.floor(x / minDistancePx)},${Math.floor(y / minDistancePx)}`;
  points.forEach((point, index) => {
    const cx = Math.floor(point.x / minDistancePx);
    const cy = Math.floor(point.y / minDistancePx);
    for (let gx = cx - 1; gx <= cx + 1; gx++) {
      for (let gy = cy - 1; gy <= cy + 1; gy++) {
        for (const other of cells.get(`${gx},${gy}`) ?? []) {
          const q = points[other];
          if (q && Math.hypot(q.x - point.x, q.y - point.y) < minDistancePx) parent[find(index)] = find(other);
        }
      }
    }
    const key = cellOf(point.x, point.y);
    const cell = cells.get(key);
    if (cell) cell.push(index);
    else cells.set(key, [index]);
  });
  const groups = new Map<number, ProjectedSite[]>();
  points.forEach((point, index) => {
    const root = find(index);
    const group = groups.get(root);
    if (group) group.push(point);
    else groups.set(root, [point]);
  });
  const offsets = new Map<string, [number, number]>();
  for (const group of groups.values()) {
    if (group.length < 2 || group.length > MAX_FAN_OUT) continue;
    const cx = group.reduce((sum, p) => sum + p.x, 0) / group.length;
    const cy = group.reduce((sum, p) => sum + p.y, 0) / group.length;
    const radius = Math.max(MARKER_SIZE * 0.55, (group.length * MARKER_SIZE * 1.05) / (2 * Math.PI));
    [...group]
      .sort((a, b) => a.id.localeCompare(b.id))
      .forEach((point, index) => {
        const angle = -Math.PI / 2 + (2 * Math.PI * index) / group.length;
        offsets.set(point.id, [Math.round(cx + Math.cos(angle) * radius - point.x), Math.round(cy + Math.sin(angle) * radius - point.y)]);
      });
  }
  return offsets;
}
