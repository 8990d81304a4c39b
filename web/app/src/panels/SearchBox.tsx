/**
 * Site search by id or name (case and diacritics ignored) with jump-to: an accessible combobox —
 * arrow keys move through the matches, Enter jumps to the highlighted site, Escape clears. `/`
 * anywhere on the page focuses it.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { SiteIcon } from '../map/SiteIcon.js';
import { SEVERITY_BY_RANK } from '../model/colors.js';
import { searchSites } from '../model/filters.js';
import { type SiteModel, STATUS_CODES } from '../model/site-model.js';

export function SearchBox({
  model,
  structureVersion,
  onJump,
}: {
  model: SiteModel;
  structureVersion: number;
  onJump: (siteId: string) => void;
}) {
  const { t, kindLabel, statusLabel } = useI18n();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  // biome-ignore lint/correctness/useExhaustiveDependencies: structureVersion signals a new site list
  const results = useMemo(() => searchSites(model.sites, model.foldedNames, query, 12), [model, query, structureVersion]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.key !== '/' || target?.closest('input, textarea, select')) return;
      event.preventDefault();
      input.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const jump = (index: number | undefined) => {
    const site = index === undefined ? undefined : model.sites[index];
    if (!site) return;
    onJump(site.id);
    setOpen(false);
  };

  return (
    <div className="search">
      <label htmlFor={`${listId}-input`} className="visually-hidden">
        {t('search')}
      </label>
      <input
        id={`${listId}-input`}
        ref={input}
        type="search"
        role="combobox"
        aria-expanded={open && query.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && results.length > 0 ? `${listId}-${active}` : undefined}
        placeholder={t('searchPlaceholder')}
        value={query}
        autoComplete="off"
        onChange={(event) => {
          setQuery(event.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') {
            event.preventDefault();
            setActive((a) => Math.min(a + 1, results.length - 1));
          } else if (event.key === 'ArrowUp') {
            event.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (event.key === 'Enter') {
            event.preventDefault();
            jump(results[active]);
          } else if (event.key === 'Escape') {
            setQuery('');
            setOpen(false);
          }
        }}
      />
      {open && query.trim().length > 0 && (
        <div className="search-results" id={listId} role="listbox" aria-label={t('search')}>
          {results.length === 0 && <div className="search-empty">{t('searchNoMatch')}</div>}
          {results.map((index, position) => {
            const site = model.sites[index];
            if (!site) return null;
            const visual = model.visual;
            return (
              // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard handled by the combobox input
              <div
                key={site.id}
                tabIndex={-1}
                id={`${listId}-${position}`}
                role="option"
                aria-selected={position === active}
                className={position === active ? 'active' : ''}
                data-site-id={site.id}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => jump(index)}
              >
                <SiteIcon kind={site.kind} fill={visual.fill[index] ?? '#888'} severity={SEVERITY_BY_RANK[visual.severity[index] ?? 0]} />
                <span className="search-text">
                  <strong>{site.id}</strong> {site.name}
                  <span className="muted small">
                    {kindLabel[site.kind]} · {site.province.current} · {statusLabel[STATUS_CODES[visual.status[index] ?? 4] ?? 'unknown']}
                  </span>
                </span>
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
