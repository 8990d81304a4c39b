import { describe, expect, it } from 'vitest';
import { viewportSubscriptionSchema } from '../../../common/socket-events.js';
import { ReadingRate } from '../../../web/server/live/reading-rate.js';
import { ALL_SITES_ROOM, MAX_VIEWPORT_CELLS, roomsForSite, roomsForViewport } from '../../../web/server/live/viewport-rooms.js';

const view = (input: unknown) => roomsForViewport(viewportSubscriptionSchema.parse(input));

describe('viewport rooms', () => {
  it('sends a reading to the cell of its site, the followers of the site and everyone-subscribers', () => {
    expect(roomsForSite('KG-WQ-01', 10.012, 105.078)).toEqual([ALL_SITES_ROOM, 'view:cell:210:20', 'view:site:KG-WQ-01']);
  });

  it('joins the cells a viewport touches, so a site inside it shares a room with the client', () => {
    const rooms = view({ bbox: [104.9, 9.8, 105.3, 10.3], sites: ['HG-WQ-01'] });
    expect(rooms).toContain('view:cell:210:20');
    expect(rooms).toContain('view:site:HG-WQ-01');
    expect(rooms).not.toContain(ALL_SITES_ROOM);
    // A site outside the viewport shares no room with it (other than the followed one).
    expect(roomsForSite('HG-SAL-03', 9.68, 105.57).filter((room) => rooms.includes(room))).toEqual([]);
  });

  it('subscribes to everything without a viewport or when the viewport is huge', () => {
    expect(view({ bbox: null })).toEqual([ALL_SITES_ROOM]);
    const huge = view({ bbox: [-180, -85, 180, 85] });
    expect(huge).toEqual([ALL_SITES_ROOM]);
    expect(MAX_VIEWPORT_CELLS).toBeGreaterThan(300);
  });

  it('refuses malformed subscriptions', () => {
    expect(viewportSubscriptionSchema.safeParse({ bbox: [1, 2, 3] }).success).toBe(false);
    expect(viewportSubscriptionSchema.safeParse({ bbox: null, sites: new Array(51).fill('A1') }).success).toBe(false);
  });
});

describe('reading rate', () => {
  it('counts readings over the last minute and averages the last 10 s', () => {
    let now = 1_000_000;
    const rate = new ReadingRate(() => now);
    for (let second = 0; second < 70; second++) {
      rate.record(10);
      now += 1000;
    }
    expect(rate.perMinute()).toBe(590);
    expect(rate.perSecond()).toBe(10);
    now += 120_000;
    expect(rate.perMinute()).toBe(0);
  });
});
