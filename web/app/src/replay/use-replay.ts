/**
 * Time travel over the last 24 hours: a moment on the timeline loads that moment's frame
 * (`GET /api/replay/frame`) and the alerts of the window (`GET /api/alerts?from=&to=`), builds the
 * past visual and shows it on the map instead of live; play steps through the day. Frames are
 * cached and the next one is prefetched while playing. Live updates keep arriving underneath, so
 * "back to live" is instant.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Alert } from '../../../../common/alerts.js';
import { type ReplayFrame, replayFrameSchema } from '../../../../common/api.js';
import { WQI_PARAMETERS } from '../../../../common/wqi.js';
import { listAlerts } from '../api/alerts-api.js';
import { getJson } from '../api/http.js';
import type { SiteModel } from '../model/site-model.js';
import { buildReplayVisual } from './replay-visual.js';

/** The replayable window, ms. */
export const REPLAY_WINDOW_MS = 24 * 3600 * 1000;
/** One timeline step, ms. */
export const REPLAY_STEP_MS = 5 * 60 * 1000;
/** Time between two frames while playing at 1×, ms. */
const PLAY_INTERVAL_MS = 800;
/** Frames kept in memory. */
const CACHE_FRAMES = 24;
/** Lookback of a frame: a value up to this old counts as current at the frame time, ms. */
const LOOKBACK_MS = 30 * 60 * 1000;
/**
 * What the map colours by — salinity and the VN_WQI parameters (common/wqi.ts) — plus what cameras
 * and device health report, so every reporting site has a last contact in the frame.
 */
const METRICS = ['salinity', 'temperature', ...WQI_PARAMETERS, 'vehicle_count', 'battery'].join(',');

export interface ReplayState {
  /** The moment shown, epoch ms; null = live. */
  readonly at: number | null;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly playing: boolean;
  readonly speed: number;
  readonly loading: boolean;
  readonly error: string | undefined;
  /** Alerts of the window (for the density strip and the frames). */
  readonly alerts: readonly Alert[];
}

export interface Replay extends ReplayState {
  readonly seek: (at: number) => void;
  readonly play: () => void;
  readonly pause: () => void;
  readonly setSpeed: (speed: number) => void;
  readonly exit: () => void;
}

const roundStep = (ms: number) => Math.floor(ms / REPLAY_STEP_MS) * REPLAY_STEP_MS;

export function useReplay(model: SiteModel): Replay {
  const [state, setState] = useState<ReplayState>(() => {
    const end = roundStep(Date.now()) + REPLAY_STEP_MS;
    return {
      at: null,
      windowStart: end - REPLAY_WINDOW_MS,
      windowEnd: end,
      playing: false,
      speed: 1,
      loading: false,
      error: undefined,
      alerts: [],
    };
  });
  const cache = useRef(new Map<number, Promise<ReplayFrame>>());
  const alertsLoad = useRef<Promise<readonly Alert[]> | null>(null);
  const wanted = useRef<number | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;

  const frame = useCallback((at: number) => {
    let pending = cache.current.get(at);
    if (!pending) {
      pending = getJson(`/api/replay/frame?at=${at}&lookbackMs=${LOOKBACK_MS}&metrics=${METRICS}`, replayFrameSchema);
      pending.catch(() => cache.current.delete(at));
      cache.current.set(at, pending);
      while (cache.current.size > CACHE_FRAMES) {
        const oldest = cache.current.keys().next().value;
        if (oldest === undefined) break;
        cache.current.delete(oldest);
      }
    }
    return pending;
  }, []);

  const seek = useCallback(
    (requested: number) => {
      const { windowStart, windowEnd } = stateRef.current;
      const entering = stateRef.current.at === null;
      const end = entering ? roundStep(Date.now()) + REPLAY_STEP_MS : windowEnd;
      const start = entering ? end - REPLAY_WINDOW_MS : windowStart;
      const at = Math.min(end, Math.max(start, roundStep(requested)));
      wanted.current = at;
      setState((s) => ({ ...s, at, windowStart: start, windowEnd: end, loading: true, error: undefined }));
      if (entering || alertsLoad.current === null) {
        // Alerts of the window plus those active now (raised before it and still open).
        alertsLoad.current = listAlerts({ from: start, to: end })
          .catch(() => [] as Alert[])
          .then((inWindow) => {
            const byId = new Map<string, Alert>();
            for (const alert of [...model.alerts.panel(), ...inWindow]) byId.set(alert.id, alert);
            const alerts = [...byId.values()];
            setState((s) => ({ ...s, alerts }));
            return alerts;
          });
      }
      const alertsLoading = alertsLoad.current;
      void (async () => {
        try {
          const [loaded, alerts] = await Promise.all([frame(at), alertsLoading]);
          if (wanted.current !== at) return;
          model.setReplay({ at, visual: buildReplayVisual(model.sites, loaded, alerts) });
          setState((s) => (s.at === at ? { ...s, loading: false } : s));
          if (stateRef.current.playing && at + REPLAY_STEP_MS <= end) void frame(at + REPLAY_STEP_MS).catch(() => undefined);
        } catch (error) {
          if (wanted.current === at)
            setState((s) => ({ ...s, loading: false, playing: false, error: error instanceof Error ? error.message : String(error) }));
        }
      })();
    },
    [frame, model],
  );

  const exit = useCallback(() => {
    wanted.current = null;
    alertsLoad.current = null;
    model.setReplay(null);
    setState((s) => ({ ...s, at: null, playing: false, loading: false, error: undefined }));
  }, [model]);

  useEffect(() => {
    if (!state.playing || state.at === null || state.loading) return;
    const timer = setTimeout(() => {
      const next = (stateRef.current.at ?? 0) + REPLAY_STEP_MS;
      if (next > stateRef.current.windowEnd) setState((s) => ({ ...s, playing: false }));
      else seek(next);
    }, PLAY_INTERVAL_MS / state.speed);
    return () => clearTimeout(timer);
  }, [state.playing, state.at, state.loading, state.speed, seek]);

  useEffect(() => () => model.setReplay(null), [model]);

  // While live, keep the window ending now so the slider's hours stay current.
  useEffect(() => {
    if (state.at !== null) return;
    const timer = setInterval(() => {
      const end = roundStep(Date.now()) + REPLAY_STEP_MS;
      setState((s) => (s.at === null && s.windowEnd !== end ? { ...s, windowStart: end - REPLAY_WINDOW_MS, windowEnd: end } : s));
    }, 30_000);
    return () => clearInterval(timer);
  }, [state.at]);

  return {
    ...state,
    seek,
    play: () => {
      if (stateRef.current.at === null) seek(Date.now() - REPLAY_WINDOW_MS);
      setState((s) => ({ ...s, playing: true }));
    },
    pause: () => setState((s) => ({ ...s, playing: false })),
    setSpeed: (speed) => setState((s) => ({ ...s, speed })),
    exit,
  };
}
