import { describe, expect, it } from 'vitest';
import { LiveCoalescer } from '../../../../web/app/src/live/coalescer.js';

describe('LiveCoalescer', () => {
  it('merges a burst into one pending reading per site, newest value per metric', () => {
    const coalescer = new LiveCoalescer();
    for (let i = 0; i < 100; i++) coalescer.addReading({ siteId: 'KG-WQ-01', ts: 1000 + i, values: { do: i } });
    coalescer.addReading({ siteId: 'KG-WQ-01', ts: 1050, values: { ph: 7.5, do: -1 } });
    coalescer.addReading({ siteId: 'KG-SAL-01', ts: 2000, values: { salinity: 3.2 } });
    expect(coalescer.pendingSites).toBe(2);
    expect(coalescer.received).toBe(102);
    const { readings } = coalescer.drain();
    // The late reading (ts 1050 < 1099) only fills the metric not yet pending.
    expect(readings.get('KG-WQ-01')).toEqual({ ts: 1099, values: { do: 99, ph: 7.5 } });
    expect(readings.get('KG-SAL-01')).toEqual({ ts: 2000, values: { salinity: 3.2 } });
  });

  it('keeps status changes in order and starts over after a drain', () => {
    const coalescer = new LiveCoalescer();
    coalescer.addStatus({ siteId: 'A1', status: 'offline', lastSeen: 1 });
    coalescer.addStatus({ siteId: 'A1', status: 'online', lastSeen: 2 });
    expect(coalescer.isEmpty).toBe(false);
    expect(coalescer.drain().statuses.map((status) => status.status)).toEqual(['offline', 'online']);
    expect(coalescer.isEmpty).toBe(true);
    expect(coalescer.drain()).toEqual({ readings: new Map(), statuses: [], seen: new Map() });
  });

  it('keeps the newest last-contact time per site from sites-seen batches', () => {
    const coalescer = new LiveCoalescer();
    coalescer.addSeen({ siteIds: ['A1', 'B2'], lastSeen: [10, 20] });
    coalescer.addSeen({ siteIds: ['A1', 'B2'], lastSeen: [30, 5] });
    expect(coalescer.isEmpty).toBe(false);
    expect(coalescer.drain().seen).toEqual(
      new Map([
        ['A1', 30],
        ['B2', 20],
      ]),
    );
  });
});
