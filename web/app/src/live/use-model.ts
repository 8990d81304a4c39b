/**
 * React bindings of the site model: components re-render when the model changes (at most once per
 * live batch), never per socket message.
 */
import { useSyncExternalStore } from 'react';
import type { SiteModel } from '../model/site-model.js';

/** The model's version; the calling component re-renders on every model change. */
export function useModelVersion(model: SiteModel): number {
  return useSyncExternalStore(
    (notify) => model.subscribe(() => notify()),
    () => model.version,
  );
}
