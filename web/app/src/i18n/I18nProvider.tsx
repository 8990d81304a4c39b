/**
 * The language context: Vietnamese by default, switched from the header, remembered in
 * localStorage, and mirrored on `<html lang>` so screen readers pronounce the text correctly.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { type Formatter, formatterFor } from './format.js';
import {
  interpolate,
  KIND_LABELS,
  LANGUAGES,
  type Language,
  MESSAGES,
  type MessageKey,
  SEVERITY_LABELS,
  STATE_LABELS,
  STATUS_LABELS,
} from './messages.js';

const STORAGE_KEY = 'ioc.language';

export interface I18n {
  readonly language: Language;
  readonly setLanguage: (language: Language) => void;
  /** The message `key` with `{placeholders}` filled. */
  readonly t: (key: MessageKey, values?: Readonly<Record<string, string | number>>) => string;
  readonly fmt: Formatter;
  readonly statusLabel: (typeof STATUS_LABELS)[Language];
  readonly kindLabel: (typeof KIND_LABELS)[Language];
  readonly severityLabel: (typeof SEVERITY_LABELS)[Language];
  readonly stateLabel: (typeof STATE_LABELS)[Language];
}

function storedLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.find((language) => language === stored) ?? 'vi';
  } catch {
    return 'vi';
  }
}

function build(language: Language, setLanguage: (language: Language) => void): I18n {
  const messages = MESSAGES[language];
  return {
    language,
    setLanguage,
    t: (key, values) => interpolate(messages[key], values),
    fmt: formatterFor(language),
    statusLabel: STATUS_LABELS[language],
    kindLabel: KIND_LABELS[language],
    severityLabel: SEVERITY_LABELS[language],
    stateLabel: STATE_LABELS[language],
  };
}

const I18nContext = createContext<I18n>(build('vi', () => undefined));

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(storedLanguage);
  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = `${MESSAGES[language].appName} — ${MESSAGES[language].mapTitle}`;
  }, [language]);
  const value = useMemo(() => build(language, setLanguage), [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current language, messages and formatters. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
