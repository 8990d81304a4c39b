/** The vi ⇄ en switch, on the login card and in the header: it names the language it switches to. */
import { useI18n } from './I18nProvider.js';

export function LanguageSwitch() {
  const { t, language, setLanguage } = useI18n();
  const other = language === 'vi' ? 'en' : 'vi';
  return (
    <button type="button" className="lang-switch" lang={other} aria-label={t('switchLanguageLabel')} onClick={() => setLanguage(other)}>
      {other.toUpperCase()}
    </button>
  );
}
