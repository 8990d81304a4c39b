/**
 * Keeps the map's sites current: loads the REST snapshot, then applies socket.io `reading` and
 * `site-status` events in small batches (one React update per {@link FLUSH_MS}, so thousands of
 * devices do not re-render the map thousands of times a second). After a reconnect the snapshot is
 * reloaded to cover what was missed. A lost session sends the user back to the login page.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { siteListResponseSchema, userInfoSchema } from '../../../../common/api.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../../common/socket-events.js';
import { ApiError, getJson } from '../api/http.js';
import { applyLiveEvents, type LiveEvent, mergeSnapshot, type SiteIndex } from './site-state.js';

/** Batching window for live events, ms. */
export const FLUSH_MS = 200;
/** Delay before retrying a socket the server refused, ms. */
const RETRY_REFUSED_MS = 5_000;

export type LoadState = { readonly kind: 'loading' } | { readonly kind: 'ready' } | { readonly kind: 'error'; readonly message: string };
export type Connection = 'connecting' | 'live' | 'disconnected';

export interface LiveSites {
  readonly sites: SiteIndex;
  readonly load: LoadState;
  readonly connection: Connection;
  /** Reloads the REST snapshot (after an error). */
  readonly reload: () => void;
}

export function useLiveSites(onUnauthenticated: () => void): LiveSites {
  const [sites, setSites] = useState<SiteIndex>(() => new Map());
  const [load, setLoad] = useState<LoadState>({ kind: 'loading' });
  const [connection, setConnection] = useState<Connection>('connecting');
  const [reloads, setReloads] = useState(0);
  const onUnauthenticatedRef = useRef(onUnauthenticated);
  onUnauthenticatedRef.current = onUnauthenticated;
  const loadedRef = useRef(false);
  const queueRef = useRef<LiveEvent[]>([]);
  const flushTimerRef = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const flush = useCallback(() => {
    flushTimerRef.current = undefined;
    if (!loadedRef.current) return;
    const events = queueRef.current;
    if (events.length === 0) return;
    queueRef.current = [];
    setSites((previous) => applyLiveEvents(previous, events, Date.now()));
  }, []);

  const enqueue = useCallback(
    (event: LiveEvent) => {
      queueRef.current.push(event);
      if (loadedRef.current && flushTimerRef.current === undefined) flushTimerRef.current = setTimeout(flush, FLUSH_MS);
    },
    [flush],
  );

  // REST snapshot; events received meanwhile are queued and applied on top of it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` is the trigger
  useEffect(() => {
    const controller = new AbortController();
    getJson('/api/sites', siteListResponseSchema, controller.signal)
      .then((body) => {
        loadedRef.current = true;
        setSites((previous) => mergeSnapshot(previous, body.sites));
        setLoad({ kind: 'ready' });
        flush();
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.unauthenticated) {
          onUnauthenticatedRef.current();
          return;
        }
        setLoad({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    return () => controller.abort();
  }, [reloads, flush]);

  // Live feed over socket.io, authenticated by the same session cookie.
  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ withCredentials: true });
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let connectedBefore = false;
    socket.on('connect', () => {
      setConnection('live');
      if (connectedBefore) setReloads((n) => n + 1);
      connectedBefore = true;
    });
    socket.on('disconnect', () => setConnection('disconnected'));
    socket.on('connect_error', () => {
      setConnection('disconnected');
      // A refused handshake (no or expired session) is not retried by socket.io itself.
      if (socket.active) return;
      getJson('/api/auth/me', userInfoSchema)
        .then(() => {
          retryTimer = setTimeout(() => socket.connect(), RETRY_REFUSED_MS);
        })
        .catch((error: unknown) => {
          if (error instanceof ApiError && error.unauthenticated) onUnauthenticatedRef.current();
          else retryTimer = setTimeout(() => socket.connect(), RETRY_REFUSED_MS);
        });
    });
    socket.on('reading', (data) => enqueue({ type: 'reading', data }));
    socket.on('site-status', (data) => enqueue({ type: 'site-status', data }));
    return () => {
      clearTimeout(retryTimer);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [enqueue]);

  useEffect(
    () => () => {
      clearTimeout(flushTimerRef.current);
      flushTimerRef.current = undefined;
    },
    [],
  );

  const reload = useCallback(() => {
    setLoad({ kind: 'loading' });
    setReloads((n) => n + 1);
  }, []);

  return { sites, load, connection, reload };
}
