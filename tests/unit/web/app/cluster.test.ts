import { describe, expect, it } from 'vitest';
import { clusterPoints, worstOf } from '../../../../web/app/src/map/cluster.js';

function run(
  points: Array<[number, number]>,
  severities: number[],
  options: { cellPx?: number; originX?: number; originY?: number; enabled?: boolean } = {},
) {
  return clusterPoints({
    indices: points.map((_, index) => index),
    xs: points.map(([x]) => x),
    ys: points.map(([, y]) => y),
    severityOf: (index) => severities[index] ?? 0,
    healthOf: (index) => (index % 3) as 0 | 1 | 2,
    cellPx: options.cellPx ?? 50,
    minSeparationPx: 20,
    originX: options.originX ?? 0,
    originY: options.originY ?? 0,
    enabled: options.enabled ?? true,
  });
}

describe('clusterPoints', () => {
  it('shows the worst alert inside a cluster', () => {
    const { clusters, singles } = run(
      [
        [10, 10],
        [12, 11],
        [14, 12],
        [13, 15],
        [11, 13],
      ],
      [0, 1, 4, 2, 0],
    );
    expect(singles).toEqual([]);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.worst).toBe(4);
    expect(clusters[0]?.count).toBe(5);
    expect(clusters[0]?.health).toEqual([2, 2, 1]);
    expect(clusters[0]?.x).toBeCloseTo(12);
  });

  it('keeps a few non-overlapping sites of one cell single, and clusters overlapping ones', () => {
    const apart = run(
      [
        [2, 2],
        [40, 40],
      ],
      [0, 3],
    );
    expect(apart.clusters).toEqual([]);
    expect(apart.singles.map((single) => single.index).sort()).toEqual([0, 1]);
    const overlapping = run(
      [
        [2, 2],
        [8, 8],
      ],
      [0, 3],
    );
    expect(overlapping.singles).toEqual([]);
    expect(overlapping.clusters[0]?.worst).toBe(3);
  });

  it('anchors the grid to world pixels, so panning does not regroup sites', () => {
    const points: Array<[number, number]> = [
      [45, 10],
      [55, 10],
      [140, 80],
      [149, 82],
      [151, 90],
      [148, 86],
      [146, 84],
    ];
    const before = run(points, []);
    const panned = run(
      points.map(([x, y]) => [x - 37, y + 11]),
      [],
      { originX: 37, originY: -11 },
    );
    const members = (result: ReturnType<typeof run>) => result.clusters.map((cluster) => [...cluster.members].sort()).sort();
    expect(members(panned)).toEqual(members(before));
  });

  it('places every site on its own when clustering is off (deepest zoom)', () => {
    const { clusters, singles } = run(
      [
        [1, 1],
        [1, 1],
        [2, 2],
      ],
      [],
      { enabled: false },
    );
    expect(clusters).toEqual([]);
    expect(singles).toHaveLength(3);
  });

  it('worstOf picks the highest rank, 0 when empty', () => {
    expect(worstOf([1, 3, 2])).toBe(3);
    expect(worstOf([])).toBe(0);
  });
});
