/**
 * The route table: every REST route of the web server, in one list. app.ts registers it with
 * express and openapi.ts documents it, so a route cannot exist undocumented.
 */
import type { WebContext } from '../context.js';
import { accountRoutes } from './accounts.js';
import { alertRoutes } from './alerts.js';
import { auditRoutes } from './audit.js';
import { authRoutes } from './auth.js';
import { basemapRoutes } from './basemap.js';
import { ingestRoutes } from './ingest.js';
import { notificationRoutes } from './notifications.js';
import { openApiRoutes } from './openapi.js';
import { replayRoutes } from './replay.js';
import type { ApiRoute } from './route-spec.js';
import { ruleRoutes } from './rules.js';
import { siteRoutes } from './sites.js';
import { subscriptionRoutes } from './subscriptions.js';
import { systemRoutes } from './system.js';
import { userRoutes } from './users.js';

/** All routes, the OpenAPI document's own route included. */
export function routeTable(ctx: WebContext): ApiRoute[] {
  const routes: ApiRoute[] = [];
  routes.push(
    ...systemRoutes(ctx),
    ...authRoutes(ctx),
    ...siteRoutes(ctx),
    ...alertRoutes(ctx),
    ...ruleRoutes(ctx),
    ...ingestRoutes(ctx),
    ...basemapRoutes(ctx),
    ...replayRoutes(ctx),
    ...userRoutes(ctx),
    ...accountRoutes(ctx),
    ...auditRoutes(ctx),
    ...subscriptionRoutes(ctx),
    ...notificationRoutes(ctx),
    ...openApiRoutes(() => routes, ctx.version),
  );
  return routes;
}
