/** Login form: POST /api/auth/login; the server's error message is shown as it is. A language switch sits on the card. */
import { type FormEvent, useState } from 'react';
import { type UserInfo, userInfoSchema } from '../../../../common/api.js';
import { ApiError, postJson } from '../api/http.js';
import { type I18n, useI18n } from '../i18n/I18nProvider.js';
import { LanguageSwitch } from '../i18n/LanguageSwitch.js';

/** Text for the answers a user can act on; any other server message is shown as it is. */
function loginErrorText(failure: unknown, t: I18n['t']): string {
  if (!(failure instanceof ApiError) || failure.code === 'network') return t('networkError');
  if (failure.code === 'invalid_credentials') return t('invalidCredentials');
  if (failure.code === 'rate_limited') return `${t('tooManyAttempts')} (${failure.message})`;
  return failure.message;
}

export interface LoginPageProps {
  readonly onLoggedIn: (user: UserInfo) => void;
  /** A message to show on arrival, e.g. that the server is unreachable. */
  readonly notice?: string | undefined;
  readonly version?: string | undefined;
}

export function LoginPage({ onLoggedIn, notice, version }: LoginPageProps) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLoggedIn(await postJson('/api/auth/login', { username: username.trim(), password }, userInfoSchema));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  const message = error !== undefined ? loginErrorText(error, t) : notice;
  return (
    <div className="login-screen">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="login-top">
          <div className="login-brand">
            <span className="brand-mark" aria-hidden="true" />
            <div>
              <div className="brand-name">{t('appName')}</div>
              <div className="brand-sub">{t('appSubtitle')}</div>
            </div>
          </div>
          <LanguageSwitch />
        </div>
        <h1 id="login-title">{t('loginTitle')}</h1>
        <p className="muted login-hint">{t('loginHint')}</p>
        <label htmlFor="login-username">{t('username')}</label>
        <input
          id="login-username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
        <label htmlFor="login-password">{t('password')}</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        {message && (
          <p className="login-error" role="alert">
            {message}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t('loggingIn') : t('login')}
        </button>
        {version && <p className="login-version muted">v{version}</p>}
      </form>
    </div>
  );
}
