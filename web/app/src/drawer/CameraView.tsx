/** A camera's latest snapshot (re-fetched every 10 s, so the picture stays current) and its recent events. */
import { useEffect, useState } from 'react';
import { type SiteEventDto, siteEventListResponseSchema } from '../../../../common/api.js';
import { getJson } from '../api/http.js';
import { useI18n } from '../i18n/I18nProvider.js';

const SNAPSHOT_REFRESH_MS = 10_000;
const EVENTS_REFRESH_MS = 15_000;

export function CameraView({ siteId, siteName, snapshotUrl }: { siteId: string; siteName: string; snapshotUrl: string | undefined }) {
  const { t, fmt } = useI18n();
  const [tick, setTick] = useState(() => Date.now());
  const [failed, setFailed] = useState(false);
  const [events, setEvents] = useState<SiteEventDto[] | undefined>(undefined);

  useEffect(() => {
    const timer = setInterval(() => setTick(Date.now()), SNAPSHOT_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    const load = () =>
      getJson(`/api/sites/${encodeURIComponent(siteId)}/events?limit=15`, siteEventListResponseSchema, controller.signal)
        .then((body) => setEvents(body.events))
        .catch(() => undefined);
    void load();
    const timer = setInterval(load, EVENTS_REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [siteId]);

  const src = snapshotUrl ? `${snapshotUrl}${snapshotUrl.includes('?') ? '&' : '?'}t=${tick}` : undefined;
  return (
    <section className="drawer-section camera-view">
      <h3>{t('snapshot')}</h3>
      {src && !failed ? (
        <figure className="snapshot">
          <img src={src} alt={`${t('snapshot')}: ${siteName}`} onError={() => setFailed(true)} onLoad={() => setFailed(false)} />
          <figcaption className="muted small">{fmt.clock(tick)}</figcaption>
        </figure>
      ) : (
        <p className="muted">{t('snapshotUnavailable')}</p>
      )}
      <h3>{t('recentEvents')}</h3>
      {events && events.length === 0 && <p className="muted">{t('noEvents')}</p>}
      {events && events.length > 0 && (
        <ul className="event-list">
          {events.map((event) => (
            <li key={`${event.ts}-${event.type}`} className={`event-${event.severity}`} data-event-type={event.type}>
              <time dateTime={new Date(event.ts).toISOString()}>{fmt.shortDateTime(event.ts)}</time>
              <span className="event-type">{event.type}</span>
              {event.message && <span className="event-message">{event.message}</span>}
              {event.data && (
                <span className="muted small">
                  {Object.entries(event.data)
                    .map(
                      ([key, value]) =>
                        `${key}: ${typeof value === 'number' ? fmt.number(value, Number.isInteger(value) ? 0 : 2) : String(value)}`,
                    )
                    .join(' · ')}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
