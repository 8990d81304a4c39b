/**
 * Top level: checks the session (`GET /api/auth/me`), then shows the login page or the map. A
 * session that ends while the map is open (expiry, logout elsewhere) brings back the login page.
 */
import { useCallback, useEffect, useState } from 'react';
import { type AppConfig, appConfigSchema, type UserInfo, userInfoSchema } from '../../../common/api.js';
import { ApiError, getJson, postJson } from './api/http.js';
import { LoginPage } from './auth/LoginPage.js';
import { MapPage } from './map/MapPage.js';
import { TEXT } from './text.js';

type Screen =
  | { readonly kind: 'checking' }
  | { readonly kind: 'login'; readonly notice?: string }
  | { readonly kind: 'map'; readonly user: UserInfo };

export function App() {
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
        setScreen(unreachable ? { kind: 'login', notice: TEXT.networkError } : { kind: 'login' });
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
      return <div className="splash">{TEXT.loading}</div>;
    case 'login':
      return <LoginPage notice={screen.notice} version={appConfig?.version} onLoggedIn={(user) => setScreen({ kind: 'map', user })} />;
    case 'map':
      return <MapPage user={screen.user} appConfig={appConfig} onLogout={logout} onUnauthenticated={sessionLost} />;
  }
}
