/**
 * Server side of the internal data API (mounted by the process that owns the embedded store at
 * {@link DATA_API_PATH}): `POST /{telemetry|registry}/{method}` with `{"args": [...]}` runs the
 * store method and answers `{"result": ...}`. Callers authenticate with the shared service token;
 * arguments are validated against the contract before they reach the store.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import type { z } from 'zod';
import { AppError } from '../../errors.js';
import { jsonErrorHandler } from '../../http/internal-server.js';
import type { Logger } from '../../logger.js';
import type { AlertingApi, DataStores, NotificationStore } from '../types.js';
import { DATA_API_BODY_LIMIT_BYTES, type DataApi, type DataApiTarget, findDataApiMethod } from './data-api-contract.js';

export interface DataApiRouterOptions {
  /** The stores to serve (the embedded DuckDB stores of the owning process). */
  readonly stores: DataStores;
  /** Shared secret callers must send as `Authorization: Bearer <token>`. */
  readonly serviceToken: string;
  readonly logger: Logger;
  /** Notification management of the owning process (target `notifications`); without it those calls answer `unavailable`. */
  readonly notifications?: NotificationStore;
  /** The alert engine of the owning process (target `alerts`); without it those calls answer `unavailable`. */
  readonly alerts?: AlertingApi;
}

/** What the handlers reach: the stores, plus the services the owning process runs next to them. */
interface DataApiServices {
  readonly telemetry: DataStores['telemetry'];
  readonly registry: DataStores['registry'];
  readonly notifications: NotificationStore | undefined;
  readonly alerts: AlertingApi | undefined;
}

function alertsOf(services: DataApiServices): AlertingApi {
  if (!services.alerts) throw new AppError('unavailable', 'this process runs no alert engine');
  return services.alerts;
}

function notificationsOf(services: DataApiServices): NotificationStore {
  if (!services.notifications) throw new AppError('unavailable', 'this process runs no notifier');
  return services.notifications;
}

type Handler<M> = M extends { readonly args: infer A extends z.ZodType; readonly result: infer R extends z.ZodType }
  ? (stores: DataApiServices, args: z.output<A>) => Promise<z.input<R> extends undefined ? void : z.input<R>>
  : never;

/** One implementation per contract entry; the mapped type makes a missing or extra one a compile error. */
const HANDLERS: { readonly [T in DataApiTarget]: { readonly [M in keyof DataApi[T]]: Handler<DataApi[T][M]> } } = {
  telemetry: {
    writeReadings: (s, [readings]) => s.telemetry.writeReadings(readings),
    queryHistory: (s, [request]) => s.telemetry.queryHistory(request),
    latestValues: (s) => s.telemetry.latestValues(),
    snapshotAt: (s, [request]) => s.telemetry.snapshotAt(request),
    writeEvents: (s, [events]) => s.telemetry.writeEvents(events),
    listEvents: (s, [siteId, limit]) => s.telemetry.listEvents(siteId, limit),
    purgeBefore: (s, [beforeMs]) => s.telemetry.purgeBefore(beforeMs),
  },
  registry: {
    listSites: (s) => s.registry.listSites(),
    saveSites: (s, [sites]) => s.registry.saveSites(sites),
    deleteSites: (s, [siteIds]) => s.registry.deleteSites(siteIds),
    getDeviceCredential: (s, [siteId]) => s.registry.getDeviceCredential(siteId),
    saveDeviceCredential: (s, [credential, options]) => s.registry.saveDeviceCredential(credential, options),
    saveDeviceCredentials: (s, [credentials]) => s.registry.saveDeviceCredentials(credentials),
    setSiteEnabled: (s, [siteId, enabled, atMs]) => s.registry.setSiteEnabled(siteId, enabled, atMs),
    deviceAccessChanges: (s, [sinceMs]) => s.registry.deviceAccessChanges(sinceMs),
    findUser: (s, [username]) => s.registry.findUser(username),
    listUsers: (s) => s.registry.listUsers(),
    saveUser: (s, [user]) => s.registry.saveUser(user),
    deleteUser: (s, [username]) => s.registry.deleteUser(username),
    countUsers: (s) => s.registry.countUsers(),
    saveSession: (s, [session]) => s.registry.saveSession(session),
    findSession: (s, [idHash]) => s.registry.findSession(idHash),
    deleteSession: (s, [idHash]) => s.registry.deleteSession(idHash),
    deleteUserSessions: (s, [username]) => s.registry.deleteUserSessions(username),
    deleteExpiredSessions: (s, [nowMs]) => s.registry.deleteExpiredSessions(nowMs),
    appendAudit: (s, [entries]) => s.registry.appendAudit(entries),
    listAudit: (s, [query]) => s.registry.listAudit(query),
    purgeAuditBefore: (s, [beforeMs]) => s.registry.purgeAuditBefore(beforeMs),
    saveSiteStatus: (s, [status]) => s.registry.saveSiteStatus(status),
    listSiteStatuses: (s) => s.registry.listSiteStatuses(),
    addRejections: (s, [rejections]) => s.registry.addRejections(rejections),
    listRejections: (s, [limit]) => s.registry.listRejections(limit),
    rejectionTotals: (s) => s.registry.rejectionTotals(),
  },
  notifications: {
    listSubscriptions: (s, [username]) => notificationsOf(s).listSubscriptions(username),
    getSubscription: (s, [id]) => notificationsOf(s).getSubscription(id),
    createSubscription: (s, [username, input]) => notificationsOf(s).createSubscription(username, input),
    updateSubscription: (s, [id, input]) => notificationsOf(s).updateSubscription(id, input),
    deleteSubscription: (s, [id]) => notificationsOf(s).deleteSubscription(id),
    listFeed: (s, [username, limit, unreadOnly]) => notificationsOf(s).listFeed(username, limit, unreadOnly),
    markFeedRead: (s, [username, ids]) => notificationsOf(s).markFeedRead(username, ids),
    listDeliveries: (s, [query]) => notificationsOf(s).listDeliveries(query),
    retryDelivery: (s, [id]) => notificationsOf(s).retryDelivery(id),
    channelStatus: (s) => notificationsOf(s).channelStatus(),
  },
  alerts: {
    listAlerts: (s, [query]) => alertsOf(s).listAlerts(query),
    getAlert: (s, [id]) => alertsOf(s).getAlert(id),
    acknowledge: (s, [id, by, comment]) => alertsOf(s).acknowledge(id, by, comment ?? undefined),
    comment: (s, [id, by, text]) => alertsOf(s).comment(id, by, text),
    listRules: (s) => alertsOf(s).listRules(),
    createRule: (s, [rule, by]) => alertsOf(s).createRule(rule, by),
    updateRule: (s, [id, rule, by]) => alertsOf(s).updateRule(id, rule, by),
    deleteRule: (s, [id, by]) => alertsOf(s).deleteRule(id, by),
    listPresets: (s) => alertsOf(s).listPresets(),
  },
};

/** Least time between two warnings about rejected credentials, ms (a misconfigured peer retries a lot). */
const AUTH_WARNING_INTERVAL_MS = 60_000;

/** The data API as an express Router; mount it at {@link DATA_API_PATH}. */
export function createDataApiRouter(options: DataApiRouterOptions): Router {
  const { stores, logger } = options;
  const router = express.Router();
  router.use(requireServiceToken(options.serviceToken, logger));
  router.use(express.json({ limit: DATA_API_BODY_LIMIT_BYTES }));
  router.post('/:target/:method', async (req, res) => {
    const target = String(req.params.target);
    const method = String(req.params.method);
    const contract = findDataApiMethod(target, method);
    if (!contract) throw new AppError('not_found', `no data API method ${target}/${method}`);
    const body: unknown = req.body;
    const rawArgs = typeof body === 'object' && body !== null && 'args' in body ? body.args : [];
    const parsed = contract.args.safeParse(rawArgs);
    if (!parsed.success) {
      throw new AppError(
        'validation_failed',
        `invalid arguments for ${target}/${method}`,
        parsed.error.issues.map((issue) => ({ path: ['args', ...issue.path.map(String)].join('.'), message: issue.message })),
      );
    }
    const methods: Readonly<Record<string, unknown>> = HANDLERS[target as DataApiTarget];
    // Safe: `parsed.data` was validated by this method's own contract schema just above.
    const handler = methods[method] as (services: DataApiServices, args: unknown) => Promise<unknown>;
    const services: DataApiServices = {
      telemetry: stores.telemetry,
      registry: stores.registry,
      notifications: options.notifications,
      alerts: options.alerts,
    };
    const result = await handler(services, parsed.data);
    res.json({ result });
  });
  router.use((req) => {
    throw new AppError('not_found', `no data API route for ${req.method} ${req.path}`);
  });
  router.use(jsonErrorHandler(logger));
  return router;
}

function requireServiceToken(serviceToken: string, logger: Logger): RequestHandler {
  if (serviceToken.length === 0) throw new Error('the data API needs a non-empty service token');
  const expected = sha256(serviceToken);
  let lastWarningAt = Number.NEGATIVE_INFINITY;
  return (req, _res, next) => {
    const match = /^Bearer +(\S+)$/i.exec(req.get('authorization') ?? '');
    // Comparing fixed-length digests keeps the check constant-time whatever the token's length.
    if (match?.[1] !== undefined && timingSafeEqual(sha256(match[1]), expected)) {
      next();
      return;
    }
    const now = Date.now();
    if (now - lastWarningAt >= AUTH_WARNING_INTERVAL_MS) {
      lastWarningAt = now;
      logger.warn(
        { remote: req.socket.remoteAddress, path: req.path, tokenSent: match !== null },
        'data API call without a valid service token',
      );
    }
    next(new AppError('unauthenticated', 'a valid service token is required (Authorization: Bearer <SERVICE_TOKEN>)'));
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
