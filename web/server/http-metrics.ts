/**
 * Counts and times every HTTP request under its express route pattern (`/api/sites/:id`, never the
 * raw URL, so label cardinality stays bounded), `app` for the browser app's files and `unmatched`
 * for everything else.
 */
import type { RequestHandler, Response } from 'express';
import type { WebMetrics } from './web-metrics.js';

const ROUTE_LOCAL = 'metricsRoute';

/** Labels the request for metrics when no express route handles it (static files, SPA fallback). */
export function setMetricsRoute(res: Response, label: string): void {
  res.locals[ROUTE_LOCAL] = label;
}

export function httpMetrics(metrics: Pick<WebMetrics, 'httpRequests' | 'httpDuration'>): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const routePath: unknown = req.route?.path;
      const local: unknown = res.locals[ROUTE_LOCAL];
      const route = typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : typeof local === 'string' ? local : 'unmatched';
      const method = req.method;
      metrics.httpRequests.inc({ route, method, status: String(res.statusCode) });
      metrics.httpDuration.observe({ route, method }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
