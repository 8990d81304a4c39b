/**
 * The platform as an operator and a load tool see it: the real processes started from their mains
 * with an environment (ports, data directory, secrets), and the REST API — log in, register the
 * benchmark's devices with their tokens through the admin API, read Prometheus metrics.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { MAX_SITES_PER_REGISTRATION } from '../../common/api.js';
import type { BenchContext } from '../context.js';
import { benchSite } from '../load/bench-sites.js';
import type { E2eDevice } from '../load/protocol.js';
import { type ManagedChild, ROOT } from '../proc/children.js';

export const ADMIN_USERNAME = 'admin';

/** Fresh secrets for one benchmark platform. */
export function platformSecrets(): { readonly adminPassword: string; readonly serviceToken: string } {
  return { adminPassword: randomBytes(18).toString('base64url'), serviceToken: randomBytes(32).toString('base64url') };
}

/**
 * Settings every benchmark platform process gets. Per-device publish limits are raised: the
 * benchmark drives a few devices hard, where the field has many devices each sending every minute.
 */
export function baseEnvironment(dataDir: string, secrets: ReturnType<typeof platformSecrets>): Record<string, string> {
  return {
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    DATA_DIR: dataDir,
    SEEDS_DIR: path.join(ROOT, 'seeds'),
    STORE: 'embedded',
    SIMULATE: 'false',
    ADMIN_USERNAME,
    ADMIN_PASSWORD: secrets.adminPassword,
    SERVICE_TOKEN: secrets.serviceToken,
    MQTT_HOST: '127.0.0.1',
    HTTP_HOST: '127.0.0.1',
    INGEST_HTTP_HOST: '127.0.0.1',
    BROKER_HTTP_HOST: '127.0.0.1',
    DEVICE_PUBLISH_RATE: '100000',
    DEVICE_PUBLISH_BURST: '100000',
    MQTT_MAX_CONNECTIONS: '50000',
  };
}

/** Starts one of the platform's mains in a child process and waits until `healthUrl` says `ok`. */
export async function startService(
  context: BenchContext,
  options: {
    readonly name: string;
    readonly main: string;
    readonly env: Record<string, string>;
    readonly healthUrl: string;
    readonly cpu?: number;
    readonly cwd: string;
  },
): Promise<ManagedChild> {
  const { child } = await context.children.startNode({
    name: options.name,
    script: 'bench/targets/service-main.ts',
    args: [options.main, options.healthUrl],
    env: options.env,
    cwd: options.cwd,
    cpu: options.cpu,
    readyTimeoutMs: 120_000,
  });
  return child;
}

/** Logs in and returns the session cookie header. */
export async function login(webUrl: string, password: string): Promise<string> {
  const response = await fetch(`${webUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN_USERNAME, password }),
  });
  if (response.status !== 200) throw new Error(`login failed: HTTP ${response.status} ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

/**
 * Registers benchmark sites 1..count through `POST /api/sites` with `issueTokens`, `chunk` sites
 * per request (at most the API's limit) and `parallel` requests at a time, and returns every
 * device's token in site order. Each token is its own store transaction (and, in split mode, its
 * own data-API call), so a request of thousands can outlast the data API's timeout: keep chunks to
 * a few hundred there.
 */
export async function registerDevices(
  webUrl: string,
  cookie: string,
  count: number,
  options: { readonly chunk?: number; readonly parallel?: number } = {},
): Promise<E2eDevice[]> {
  const size = Math.max(1, Math.min(options.chunk ?? MAX_SITES_PER_REGISTRATION, MAX_SITES_PER_REGISTRATION));
  const firsts = Array.from({ length: Math.ceil(count / size) }, (_, i) => 1 + i * size);
  const results: E2eDevice[][] = [];
  let next = 0;
  const worker = async () => {
    while (next < firsts.length) {
      const index = next++;
      const first = firsts[index] ?? 1;
      results[index] = await registerChunk(webUrl, cookie, first, Math.min(size, count - first + 1));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 1, firsts.length)) }, worker));
  return results.flat();
}

async function registerChunk(webUrl: string, cookie: string, first: number, count: number): Promise<E2eDevice[]> {
  const sites = Array.from({ length: count }, (_, i) => benchSite(first + i));
  const response = await fetch(`${webUrl}/api/sites`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ sites, issueTokens: true }),
    signal: AbortSignal.timeout(300_000),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`registering sites failed: HTTP ${response.status} ${text.slice(0, 500)}`);
  const body = JSON.parse(text) as { tokens?: { siteId: string; token: string }[] };
  if (!body.tokens || body.tokens.length !== sites.length) throw new Error('the registration answered without every device token');
  return body.tokens.map(({ siteId, token }) => ({ siteId, token }));
}

/** Sum of every series of a Prometheus counter or gauge in `/metrics` text (0 when absent). */
export function metricTotal(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** The Prometheus text of `url`. */
export async function scrapeMetrics(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}
