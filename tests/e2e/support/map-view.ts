/** Moving the IOC map from a test and waiting for the canvas to show the new view (never a fixed wait). */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { PageGlobals } from '../../../common/map-automation.js';

/** A centre and zoom, or `'all'` for every site on screen. */
export type MapView = { readonly lat: number; readonly lon: number; readonly zoom: number } | 'all';

/** Moves the map to `view` (which must differ from the current one) and resolves once the canvas has redrawn it. */
export async function moveMap(page: Page, view: MapView): Promise<void> {
  const drawsBefore = await page.evaluate((target) => {
    const map = (globalThis as PageGlobals).__iocMap;
    const draws = map?.stats().draws ?? 0;
    if (target === 'all') map?.fitAll();
    else map?.setView(target.lat, target.lon, target.zoom);
    return draws;
  }, view);
  await expect.poll(() => page.evaluate(() => (globalThis as PageGlobals).__iocMap?.stats().draws ?? 0)).toBeGreaterThan(drawsBefore);
}
