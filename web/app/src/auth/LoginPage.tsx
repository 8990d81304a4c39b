/** Login form: POST /api/auth/login; the server's error message is shown as it is. */
import { type FormEvent, useState } from 'react';
import { type UserInfo, userInfoSchema } from '../../../../common/api.js';
import { ApiError, postJson } from '../api/http.js';
import { TEXT } from '../text.js';

/** Vietnamese text for the answers a user can act on; any other server message is shown as it is. */
function loginErrorText(failure: unknown): string {
  if (!(failure instanceof ApiError) || failure.code === 'network') return TEXT.networkError;
  if (failure.code === 'invalid_credentials') return TEXT.invalidCredentials;
  if (failure.code === 'rate_limited') return `${TEXT.tooManyAttempts} (${failure.message})`;
  return failure.message;
}

export interface LoginPageProps {
  readonly onLoggedIn: (user: UserInfo) => void;
  /** A message to show on arrival, e.g. that the session expired or the server is unreachable. */
  readonly notice?: string | undefined;
  readonly version?: string | undefined;
}

export function LoginPage({ onLoggedIn, notice, version }: LoginPageProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(notice);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLoggedIn(await postJson('/api/auth/login', { username: username.trim(), password }, userInfoSchema));
    } catch (failure) {
      setError(loginErrorText(failure));
      setBusy(false);
    }
  }

  return (
    <div className="login-screen">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="login-brand">
          <span className="brand-mark" aria-hidden="true" />
          <div>
            <div className="brand-name">{TEXT.appName}</div>
            <div className="brand-sub">{TEXT.appSubtitle}</div>
          </div>
        </div>
        <h1 id="login-title">{TEXT.loginTitle}</h1>
        <p className="muted login-hint">{TEXT.loginHint}</p>
        <label htmlFor="login-username">{TEXT.username}</label>
        <input
          id="login-username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
        <label htmlFor="login-password">{TEXT.password}</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        {error && (
          <p className="login-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? TEXT.loggingIn : TEXT.login}
        </button>
        {version && <p className="login-version muted">v{version}</p>}
      </form>
    </div>
  );
}
