/**
 * Top level: checks the session (`GET /api/auth/me`), then shows the login page or the operations
 * screen. A session that ends while the screen is open (expiry, logout elsewhere) brings back the
 * login page. Everything is inside the language provider (Vietnamese by default).
 */
import { useCallback, useEffect, useState } from 'react';
import { type AppConfig, appConfigSchema, type UserInfo, userInfoSchema } from '../../../common/api.js';
import { ApiError, getJson, postJson } from './api/http.js';
import { LoginPage } from './auth/LoginPage.js';
import { IocPage } from './IocPage.js';
import { I18nProvider, useI18n } from './i18n/I18nProvider.js';

type Screen =
  | { readonly kind: 'checking' }
  | { readonly kind: 'login'; readonly networkProblem?: boolean }
  | { readonly kind: 'map'; readonly user: UserInfo };

function Screens() {
  const { t } = useI18n();
  const [screen, setScreen] = useState<Screen>({ kind: 'checking' });
  const [appConfig, setAppConfig] = useState<AppConfig | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    getJson('/api/app-config', appConfigSchema, controller.signal)
      .then(setAppConfig)
      .catch(() => undefined); // Without it the map uses the offline base layer only.
    getJson('/api/auth/me', userInfoSchema, controller.signal)
      .then((user) => setScreen({ kind: 'map', user }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        const unreachable = error instanceof ApiError && !error.unauthenticated;
        setScreen({ kind: 'login', networkProblem: unreachable });
      });
    return () => controller.abort();
  }, []);

  const logout = useCallback(() => {
    postJson('/api/auth/logout', {})
      .catch(() => undefined) // The cookie may already be gone; the login page is right either way.
      .finally(() => setScreen({ kind: 'login' }));
  }, []);
  const sessionLost = useCallback(() => setScreen({ kind: 'login' }), []);

  switch (screen.kind) {
    case 'checking':
      return <div className="splash">{t('loading')}</div>;
    case 'login':
      return (
        <LoginPage
          notice={screen.networkProblem ? t('networkError') : undefined}
          version={appConfig?.version}
          onLoggedIn={(user) => setScreen({ kind: 'map', user })}
        />
      );
    case 'map':
      return <IocPage user={screen.user} appConfig={appConfig} onLogout={logout} onUnauthenticated={sessionLost} />;
  }
}

export function App() {
  return (
    <I18nProvider>
      <Screens />
    </I18nProvider>
  );
}
