/**
 * The timeline under the map: live by default; dragging the slider (or the arrow keys on it)
 * replays the whole map — values and alert states — at that moment of the last 24 hours. Play
 * steps through the day at 1×, 4× or 16×; a strip above the slider shows how many alerts were
 * active when.
 */
import { useMemo } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { alertDensity } from './replay-visual.js';
import { REPLAY_STEP_MS, type Replay } from './use-replay.js';

const DENSITY_BUCKETS = 96;
const SPEEDS = [1, 4, 16] as const;

export function Timeline({ replay }: { replay: Replay }) {
  const { t, fmt } = useI18n();
  const live = replay.at === null;
  const value = replay.at ?? replay.windowEnd;
  const density = useMemo(
    () => alertDensity(replay.alerts, replay.windowStart, replay.windowEnd, DENSITY_BUCKETS),
    [replay.alerts, replay.windowStart, replay.windowEnd],
  );
  const peak = Math.max(1, ...density);
  const hours = useMemo(() => {
    const ticks: number[] = [];
    const first = Math.ceil(replay.windowStart / (3 * 3600_000)) * 3 * 3600_000;
    for (let tick = first; tick <= replay.windowEnd; tick += 3 * 3600_000) ticks.push(tick);
    return ticks;
  }, [replay.windowStart, replay.windowEnd]);
  const span = replay.windowEnd - replay.windowStart;

  return (
    <section className={`timeline ${live ? 'is-live' : 'is-replay'}`} aria-label={t('timeline')} data-replay-at={replay.at ?? ''}>
      <div className="timeline-controls">
        {live ? (
          <span className="timeline-live-badge">
            <span className="live-dot" /> {t('live')}
          </span>
        ) : (
          <button type="button" className="primary back-live" onClick={replay.exit}>
            {t('backToLive')}
          </button>
        )}
        <button
          type="button"
          className="icon-button play"
          onClick={replay.playing ? replay.pause : replay.play}
          aria-label={replay.playing ? t('pause') : t('play')}
        >
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false" fill="currentColor">
            {replay.playing ? <path d="M3 2h4v12H3zM9 2h4v12H9z" /> : <path d="M4 2l10 6-10 6z" />}
          </svg>
        </button>
        <label className="speed">
          <span className="visually-hidden">{t('speed')}</span>
          <select value={replay.speed} onChange={(event) => replay.setSpeed(Number(event.target.value))} aria-label={t('speed')}>
            {SPEEDS.map((speed) => (
              <option key={speed} value={speed}>
                {speed}×
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="timeline-track">
        <div className="density" aria-hidden="true">
          {density.map((count, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: fixed buckets
            <span key={index} style={{ height: `${Math.round((count / peak) * 100)}%` }} className={count > 0 ? 'has' : ''} />
          ))}
        </div>
        <input
          type="range"
          className="timeline-slider"
          min={replay.windowStart}
          max={replay.windowEnd}
          step={REPLAY_STEP_MS}
          value={value}
          aria-label={t('timeline')}
          aria-valuetext={live ? t('live') : fmt.shortDateTime(value)}
          onChange={(event) => replay.seek(Number(event.target.value))}
        />
        <div className="hour-ticks" aria-hidden="true">
          {hours.map((tick) => (
            <span key={tick} style={{ left: `${((tick - replay.windowStart) / span) * 100}%` }}>
              {fmt.time(tick)}
            </span>
          ))}
        </div>
      </div>
      <div className="timeline-time" aria-live="polite">
        {live ? (
          <span className="muted small">{t('replayHint')}</span>
        ) : (
          <>
            <strong>{fmt.shortDateTime(value)}</strong>
            {replay.loading && <span className="muted small"> {t('replayLoading')}</span>}
            {replay.error && <span className="form-error small"> {t('replayFailed')}</span>}
          </>
        )}
      </div>
    </section>
  );
}
