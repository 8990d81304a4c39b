/**
 * Real parts for the operator-side adversarial tests: the whole platform in one process (broker,
 * ingest, DuckDB, alert engine, notifier, web server) on ephemeral ports, one account per role,
 * plain fetch for REST (so every header is under the test's control) and socket.io-client for the
 * live stream, and an MQTT client as the simulator service to feed real data.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { SESSION_COOKIE } from '../../../common/socket-events.js';
import type { Config } from '../../../platform/config/config.js';
import { silentLogger } from '../../../platform/logger.js';
import { createMetricsRegistry, type Registry } from '../../../platform/observability.js';
import { createPlatform, type Platform } from '../../../platform/platform.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import type { ApiRoute } from '../../../web/server/routes/route-spec.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';

export const ROLE_NAMES = ['anonymous', 'viewer', 'operator', 'admin'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
export type Account = { readonly username: string; readonly password: string };

/** The test config's admin and one account per lower role. */
export const ACCOUNTS: Readonly<Record<Exclude<RoleName, 'anonymous'>, Account>> = {
  admin: { username: 'admin', password: 'test-admin-password' },
  operator: { username: 'olga.operator', password: 'operator-password-1' },
  viewer: { username: 'victor.viewer', password: 'viewer-password-1' },
};

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
  readonly text: string;
}

export interface CallOptions {
  readonly cookie?: string | undefined;
  readonly json?: unknown;
  /** Extra request headers (Origin, Referer, User-Agent, X-Forwarded-For, …). */
  readonly headers?: Record<string, string>;
}

/** One HTTP request with exactly the given headers; the body parsed as JSON when it is JSON. */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** The `{error: {code}}` of an answer, or undefined. */
export function errorCode(answer: Answer): string | undefined {
  const body = answer.json as { error?: { code?: unknown } } | undefined;
  return typeof body?.error?.code === 'string' ? body.error.code : undefined;
}

/** The `{error: {message}}` of an answer, or undefined. */
export function errorMessage(answer: Answer): string | undefined {
  const body = answer.json as { error?: { message?: unknown } } | undefined;
  return typeof body?.error?.message === 'string' ? body.error.message : undefined;
}

/** The `name=value` pair of the session cookie an answer sets. */
export function sessionCookieOf(headers: Headers): string {
  const header = headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!header) throw new Error('no session cookie set');
  return header.split(';')[0] ?? '';
}

/** Logs in and returns the session cookie; throws unless the answer is 200. */
export async function login(base: string, account: Account, headers: Record<string, string> = {}): Promise<string> {
  const answer = await call(base, 'POST', '/api/auth/login', { json: account, headers });
  if (answer.status !== 200) throw new Error(`login of ${account.username} failed: ${answer.status} ${answer.text}`);
  return sessionCookieOf(answer.headers);
}

/** A socket.io client (websocket only, no reconnect) with the given cookie and headers. */
export function openSocket(base: string, cookie: string | undefined, headers: Record<string, string> = {}): Socket {
  return io(base, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { ...(cookie ? { cookie } : {}), ...headers },
  });
}

/** Resolves `connected`, or the message of the handshake's connect_error. */
export function socketOutcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error) => resolve(error.message));
  });
}

export interface OperatorsPlatform {
  readonly platform: Platform;
  readonly config: Config;
  readonly base: string;
  /** MQTT client authenticated as the simulator service (may publish for every site). */
  readonly publisher: MqttClient;
  /** A live session cookie per role (refreshed by {@link OperatorsPlatform.relogin}). */
  readonly cookies: Record<Exclude<RoleName, 'anonymous'>, string>;
  readonly metrics: Registry;
  relogin(role: Exclude<RoleName, 'anonymous'>): Promise<string>;
  /** Value of a metric series (0 when absent); sums over series when labels leave some open. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the platform with SIMULATE=false, creates the viewer and operator accounts and logs everyone in. */
export async function startOperatorsPlatform(env: Record<string, string> = {}): Promise<OperatorsPlatform> {
  const temp = makeTempDir('mekong-ioc-operators-');
  const config = testConfig(temp.dir, { HTTP_HOST: '127.0.0.1', SIMULATE: 'false', ...env });
  const metrics = createMetricsRegistry('operators-test');
  const platform = await createPlatform({ config, logger: silentLogger(), metrics });
  let publisher: MqttClient | undefined;
  try {
    await platform.start();
    const base = platform.webUrl;
    const adminCookie = await login(base, ACCOUNTS.admin);
    for (const role of ['operator', 'viewer'] as const) {
      const created = await call(base, 'POST', '/api/users', { cookie: adminCookie, json: { ...ACCOUNTS[role], role } });
      if (created.status !== 201) throw new Error(`creating the ${role} failed: ${created.status} ${created.text}`);
    }
    publisher = await mqtt.connectAsync(platform.mqttUrl, {
      username: SERVICE_USERS.simulator,
      password: config.SERVICE_TOKEN ?? '',
      clientId: `operators-publisher-${process.pid}-${Date.now()}`,
      reconnectPeriod: 0,
    });
    const cookies = {
      admin: adminCookie,
      operator: await login(base, ACCOUNTS.operator),
      viewer: await login(base, ACCOUNTS.viewer),
    };
    const client = publisher;
    return {
      platform,
      config,
      base,
      publisher: client,
      cookies,
      metrics,
      metric: (name, labels = {}) => metricValue(metrics, name, labels),
      async relogin(role) {
        cookies[role] = await login(base, ACCOUNTS[role]);
        return cookies[role];
      },
      async stop() {
        await client.endAsync(true).catch(() => undefined);
        await platform.stop();
        temp.cleanup();
      },
    };
  } catch (error) {
    await publisher?.endAsync(true).catch(() => undefined);
    await platform.stop();
    temp.cleanup();
    throw error;
  }
}

/** Value of a metric series in `registry` (0 when absent or unregistered); sums over series when labels leave some open. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

/** Path parameter values that exist nowhere but pass the usual id formats (site id, UUID, rule id, username). */
const PARAM_CANDIDATES = ['ZZ-MATRIX-404', randomUUID(), 'matrix-missing-rule', 'nobody.matrix'];

/** The route's path with a value for each parameter that its own schema accepts but that names nothing. */
export function harmlessPath(route: ApiRoute): string {
  const shape = route.params instanceof z.ZodObject ? (route.params.shape as Record<string, z.ZodType>) : {};
  return route.path.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    const field = shape[name];
    const value = PARAM_CANDIDATES.find((candidate) => field === undefined || field.safeParse(candidate).success);
    if (value === undefined) throw new Error(`no harmless value for :${name} of ${route.method} ${route.path}`);
    return encodeURIComponent(value);
  });
}
