/**
 * What the IOC map exposes on `window.__iocMap` for automation — the end-to-end tests and the
 * browser benchmark read through it what a canvas hides. One definition for the app that
 * implements it and the Node-side code that calls it inside the page (no DOM types here).
 */

/** Drawing statistics of the map's canvas layer. */
export interface DrawStats {
  draws: number;
  /** Script time of the last and of the longest redraw since the last reset, ms. */
  lastDrawMs: number;
  maxDrawMs: number;
  /** Markers and clusters drawn by the last redraw. */
  singles: number;
  clusters: number;
}

/** What automation (tests, benchmark) may ask the map. */
export interface MapAutomation {
  /** Page coordinates (CSS px) of a site's marker, or undefined when unknown. */
  pointOf(siteId: string): { x: number; y: number } | undefined;
  /** Drawing statistics of the canvas layer. */
  stats(): DrawStats;
  /** Starts the longest-redraw figure over (a new measurement window). */
  resetStats(): void;
  /** Moves the map. */
  setView(lat: number, lon: number, zoom: number): void;
  fitAll(): void;
  /** Live messages received since the page loaded. */
  messagesReceived(): number;
}

/** `globalThis` inside the page as seen from Node-side code (`page.evaluate`). */
export type PageGlobals = typeof globalThis & { readonly __iocMap?: MapAutomation };
