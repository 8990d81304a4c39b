import { describe, expect, it } from 'vitest';
import { fanOutOffsets } from '../../../../web/app/src/map/fan-out.js';

describe('fanOutOffsets', () => {
  it('leaves sites that do not overlap where they are', () => {
    expect(
      fanOutOffsets([
        { id: 'A', x: 0, y: 0 },
        { id: 'B', x: 100, y: 0 },
      ]).size,
    ).toBe(0);
  });

  it('spreads co-located markers so that none overlaps another', () => {
    const points = ['A', 'B', 'C'].map((id) => ({ id, x: 500, y: 300 }));
    const offsets = fanOutOffsets(points);
    const placed = points.map((p) => {
      const [dx, dy] = offsets.get(p.id) ?? [0, 0];
      return { x: p.x + dx, y: p.y + dy };
    });
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) {
        const a = placed[i];
        const b = placed[j];
        if (!a || !b) throw new Error('missing point');
        expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(20);
      }
    }
  });

  it('chains near neighbours into one group', () => {
    const offsets = fanOutOffsets([
      { id: 'A', x: 0, y: 0 },
      { id: 'B', x: 15, y: 0 },
      { id: 'C', x: 30, y: 0 },
    ]);
    expect([...offsets.keys()].sort()).toEqual(['A', 'B', 'C']);
  });

  it('leaves large crowds alone (clustering is not its job)', () => {
    const crowd = Array.from({ length: 20 }, (_, i) => ({ id: `S${i}`, x: 10, y: 10 }));
    expect(fanOutOffsets(crowd).size).toBe(0);
  });
});
