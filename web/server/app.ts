/**
 * Builds the express application: security headers, request ids, metrics, the cross-site request
 * check on state-changing API calls, JSON bodies (64 kB at most), the route table with its access
 * checks, the browser app, and the one error handler. The client address (lock-outs, audit) honours
 * TRUST_PROXY.
 */
import express, { type Express, type RequestHandler } from 'express';
import { trustProxyValue } from '../../platform/config/config.js';
import { AppError } from '../../platform/errors.js';
import { crossSiteRequestGuard } from './auth/origin-check.js';
import { requireRole, requireSession } from './auth/require-auth.js';
import type { WebContext } from './context.js';
import { apiNotFound, errorMiddleware } from './errors/error-middleware.js';
import { httpMetrics } from './http-metrics.js';
import { requestId } from './request-id.js';
import type { ApiRoute } from './routes/route-spec.js';
import { type CspSources, securityHeaders } from './security-headers.js';
import { staticApp } from './static-app.js';
import type { WebMetrics } from './web-metrics.js';

/** Largest accepted JSON request body. */
export const JSON_BODY_LIMIT = '64kb';

/** Largest body of a bulk site registration (`POST /api/sites`, up to 5,000 sites). */
export const BULK_REGISTRATION_BODY_LIMIT = '4mb';

export interface WebAppOptions {
  readonly ctx: WebContext;
  readonly routes: readonly ApiRoute[];
  readonly metrics: WebMetrics;
  readonly csp: CspSources;
  /** Directory of the built browser app (index.html, assets/). */
  readonly appDir: string;
}

function accessChecks(ctx: WebContext, route: ApiRoute): RequestHandler[] {
  if (route.access === 'public') return [];
  const session = requireSession(ctx.sessions);
  return route.access === 'session' ? [session] : [session, requireRole(route.access)];
}

const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

export function createWebApp(options: WebAppOptions): Express {
  const { ctx } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.set('trust proxy', trustProxyValue(ctx.config.TRUST_PROXY));

  app.use(requestId());
  app.use(httpMetrics(options.metrics));
  app.use(securityHeaders(options.csp));
  app.use('/api', noStore);
  const csrfLog = ctx.logger.child({ module: 'csrf' });
  app.use(
    '/api',
    crossSiteRequestGuard({ publicUrl: ctx.config.PUBLIC_URL }, (method, path, problem) => {
      ctx.securityMetrics.crossSiteRefused.inc({ channel: 'http' });
      csrfLog.warn({ method, path, problem }, 'cross-site request refused');
    }),
  );
  app.post('/api/sites', express.json({ limit: BULK_REGISTRATION_BODY_LIMIT }));
  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  for (const route of options.routes) {
    app[route.method](route.path, ...route.before, ...accessChecks(ctx, route), route.handler);
  }

  app.use('/api', apiNotFound());
  app.use(staticApp(options.appDir));
  app.use((req, _res, next) => next(new AppError('not_found', `Nothing at ${req.path}`)));
  app.use(errorMiddleware(ctx.logger));
  return app;
}
