/**
 * Viewport subscriptions as socket.io rooms, so the server sends each browser live readings only
 * for what it shows. Sites fall into fixed grid cells of {@link VIEWPORT_CELL_DEG}; a client joins
 * the rooms of the cells its viewport touches plus one room per followed site (an open drawer). A
 * reading is emitted once to the union of its site's rooms (socket.io encodes it once and delivers
 * it once per socket). Clients that never sent a viewport stay in {@link ALL_SITES_ROOM}.
 */

import type { z } from 'zod';
import { MAX_FOLLOWED_SITES, type viewportSubscriptionSchema } from '../../../common/socket-events.js';

/** Grid cell size, degrees (≈ 55 km): a zoomed-in view touches a handful of cells. */
export const VIEWPORT_CELL_DEG = 0.5;
/** A viewport touching more cells than this subscribes to everything (one room instead of hundreds). */
export const MAX_VIEWPORT_CELLS = 400;
/** Room of clients that receive every reading. */
export const ALL_SITES_ROOM = 'view:all';

const cellIndex = (degrees: number) => Math.floor(degrees / VIEWPORT_CELL_DEG);
const cellRoom = (x: number, y: number) => `view:cell:${x}:${y}`;
const siteRoom = (siteId: string) => `view:site:${siteId}`;

/** The rooms a reading of a site at (`lat`, `lon`) degrees goes to. */
export function roomsForSite(siteId: string, lat: number, lon: number): string[] {
  return [ALL_SITES_ROOM, cellRoom(cellIndex(lon), cellIndex(lat)), siteRoom(siteId)];
}

/** The rooms a client with this (validated) subscription joins. */
export function roomsForViewport(subscription: z.output<typeof viewportSubscriptionSchema>): string[] {
  const followed = [...new Set(subscription.sites)].slice(0, MAX_FOLLOWED_SITES).map(siteRoom);
  const { bbox } = subscription;
  if (bbox === null) return [ALL_SITES_ROOM, ...followed];
  const [west, south, east, north] = bbox;
  if (west > east || south > north) return followed;
  const x0 = cellIndex(west);
  const x1 = cellIndex(east);
  const y0 = cellIndex(south);
  const y1 = cellIndex(north);
  if ((x1 - x0 + 1) * (y1 - y0 + 1) > MAX_VIEWPORT_CELLS) return [ALL_SITES_ROOM, ...followed];
  const rooms: string[] = [];
  for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) rooms.push(cellRoom(x, y));
  return [...rooms, ...followed];
}

/** True for rooms managed here (so a new subscription replaces exactly them). */
export const isViewportRoom = (room: string): boolean => room.startsWith('view:');
