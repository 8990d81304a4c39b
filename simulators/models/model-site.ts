/** What a physics model knows about the site it simulates. */
import type { SiteProfile } from '../profiles.js';

export interface ModelSite<P = SiteProfile> {
  readonly id: string;
  readonly profile: P;
  /**
   * Seed of the site's slow variations (weather, rain, organic load). Derived from the run's seed
   * and the site id, so sites differ from each other but each is reproducible.
   */
  readonly seed: number;
}

/** The point `fraction` (0–1) of the way from `range.min` to `range.max`. */
export function within(range: { readonly min: number; readonly max: number }, fraction: number): number {
  return range.min + (range.max - range.min) * fraction;
}

/** Maps a value in [-1, 1] to [0, 1]. */
export function unit(value: number): number {
  return (value + 1) / 2;
}
