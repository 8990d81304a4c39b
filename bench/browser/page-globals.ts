/**
 * (Copy of tests/e2e/support/browser-globals.ts: bench/ does not import tests/.) Types of what the app exposes on `window` for automation (web/app/src/map/MapView.tsx), for code
 * that runs inside the page through playwright's `evaluate` — the Node-side tsconfig has no DOM.
 */
export interface MapAutomationGlobals {
  readonly __iocMap?: {
    pointOf(siteId: string): { x: number; y: number } | undefined;
    stats(): { draws: number; lastDrawMs: number; maxDrawMs: number; singles: number; clusters: number };
    resetStats(): void;
    setView(lat: number, lon: number, zoom: number): void;
    fitAll(): void;
    messagesReceived(): number;
  };
}

/** `globalThis` inside the page, typed. */
export type PageGlobals = typeof globalThis & MapAutomationGlobals;
