/**
 * Where an accelerated run sits in time. Ingest refuses readings more than 5 minutes ahead of its
 * clock (`timestamp_in_future`), so a simulated day played in minutes cannot start "now": it is
 * placed in the past, late enough that simulated time never overtakes the wall clock while it
 * plays. With speed `s` and a window of `D` ms starting at `start`, simulated time runs ahead
 * fastest at the end, so the condition is `start + D ≤ wallStart + D / s` (and `start ≤ wallStart`
 * when `s ≤ 1`).
 *
 * By default the window is the latest one that satisfies it, aligned to the scenario's local start
 * time (e.g. a night that starts at 18:00 UTC+7) — so two runs started between the same two
 * occurrences of that time publish identical timestamps and values. `--start` pins it exactly.
 */
import { MAX_FUTURE_SKEW_MS } from '../../common/rejections.js';
import { AppError } from '../../platform/errors.js';
import { LOCAL_UTC_OFFSET_HOURS, MS_PER_DAY, MS_PER_HOUR } from '../models/time.js';

export interface TimeWindowRequest {
  /** Simulated length of the run, ms. */
  readonly durationMs: number;
  /** Simulated ms per wall ms. */
  readonly speed: number;
  /** Wall clock when the run starts, epoch ms. */
  readonly wallNowMs: number;
  /** Local (UTC+7) time of day the window must start at, minutes after midnight. */
  readonly startLocalMinutes?: number;
  /** A pinned start, epoch ms; checked instead of derived. */
  readonly startMs?: number;
  /** Skip the "never ahead of the platform clock" check (dry runs publish nothing). */
  readonly allowFuture?: boolean;
}

export interface TimeWindow {
  /** Simulated start, epoch ms. */
  readonly startMs: number;
  /** Simulated end, epoch ms. */
  readonly endMs: number;
  /** Wall-clock time the window takes to play, ms. */
  readonly playbackMs: number;
}

/** The latest start (epoch ms) for which the whole run stays at or behind the wall clock. */
export function latestSafeStart(durationMs: number, speed: number, wallNowMs: number): number {
  return speed <= 1 ? wallNowMs : wallNowMs + durationMs / speed - durationMs;
}

/** The latest instant ≤ `limitMs` whose local (UTC+7) time of day is `localMinutes`. */
export function latestLocalTimeAtOrBefore(limitMs: number, localMinutes: number): number {
  const offsetMs = LOCAL_UTC_OFFSET_HOURS * MS_PER_HOUR;
  const localMidnight = Math.floor((limitMs + offsetMs) / MS_PER_DAY) * MS_PER_DAY - offsetMs;
  const candidate = localMidnight + localMinutes * 60_000;
  return candidate <= limitMs ? candidate : candidate - MS_PER_DAY;
}

/** Resolves (or checks) the simulated window of a run; throws `bad_request` when a pinned start would run into the future. */
export function resolveTimeWindow(request: TimeWindowRequest): TimeWindow {
  const { durationMs, speed, wallNowMs } = request;
  if (!(durationMs > 0)) throw new AppError('bad_request', `duration must be positive, got ${durationMs} ms`);
  if (!(speed > 0)) throw new AppError('bad_request', `speed must be positive, got ${speed}`);
  const playbackMs = durationMs / speed;
  const latest = latestSafeStart(durationMs, speed, wallNowMs);
  if (request.startMs !== undefined) {
    const aheadMs = request.startMs - latest;
    if (!request.allowFuture && aheadMs > MAX_FUTURE_SKEW_MS) {
      throw new AppError(
        'bad_request',
        `a run starting at ${new Date(request.startMs).toISOString()} would publish timestamps up to ${Math.ceil(aheadMs / 60_000)} min ahead of now, and ingest refuses readings more than ${MAX_FUTURE_SKEW_MS / 60_000} min in the future; start at or before ${new Date(latest).toISOString()}, lower --speed, or use --dry-run`,
      );
    }
    return { startMs: request.startMs, endMs: request.startMs + durationMs, playbackMs };
  }
  const startMs =
    request.startLocalMinutes === undefined
      ? Math.floor(latest / 60_000) * 60_000
      : latestLocalTimeAtOrBefore(latest, request.startLocalMinutes);
  return { startMs, endMs: startMs + durationMs, playbackMs };
}
