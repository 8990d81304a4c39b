/**
 * Platform configuration: parsed from the environment once, at startup, with zod. This is the only
 * module that reads `process.env` (through `loadConfig(process.env)` in each main). On error every
 * `VAR: problem` is reported together so an operator fixes them in one go.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const booleanFromEnv = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65_535);

/** Empty strings count as unset, so `VAR=` in .env means "use the default". */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

export const configSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty` for people at a terminal, `json` for log collectors; `auto` picks by TTY. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** MQTT over TCP listen port of the broker. */
  MQTT_PORT: port.default(1883),
  MQTT_HOST: z.string().default('0.0.0.0'),
  /** Where platform services reach the broker; default: this host's MQTT_PORT. */
  MQTT_URL: optionalString.pipe(z.url().optional()),
  /** Web server (REST, socket.io, app) listen port. */
  HTTP_PORT: port.default(8080),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** The URL people open; used in logs and notification links. Default http://localhost:HTTP_PORT. */
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  /** Where the embedded store, generated secrets and spools live. */
  DATA_DIR: z.string().min(1).default('./data'),
  /**
   * Where readings live. `embedded`: DuckDB under DATA_DIR. `influx`: an InfluxDB-compatible server
   * (INFLUX_URL); the registry (users, sessions, sites, credentials, statuses, events, dead
   * letters) stays in the embedded database either way — see docs/storage.md.
   */
  STORE: z.enum(['embedded', 'influx']).default('embedded'),
  /** Base URL of InfluxDB 1.8+/2.x/3.x or a compatible store (VictoriaMetrics); required with STORE=influx. */
  INFLUX_URL: optionalString.pipe(z.url().optional()),
  /**
   * API token sent as `Authorization: Token …`; required with STORE=influx. InfluxDB 1.x with auth
   * takes `user:password`; servers without auth accept any value. docker-compose also initialises
   * the influxdb container (admin token and admin password) from it.
   */
  INFLUX_TOKEN: optionalString.pipe(z.string().min(8, 'must be at least 8 characters').optional()),
  /** Organisation (InfluxDB 2.x); ignored by 1.x, 3.x and VictoriaMetrics. */
  INFLUX_ORG: z.string().min(1).default('mekong-ioc'),
  /** Bucket (2.x) or database (1.x, 3.x) of the readings; InfluxQL reads use it as `db`. */
  INFLUX_BUCKET: z.string().min(1).default('mekong-ioc'),
  /**
   * Ingest's durable spool under DATA_DIR/spool: readings accepted but not yet confirmed by the
   * store, MB. When full, ingest stops taking messages (the broker keeps them queued); see docs/storage.md.
   */
  SPOOL_MAX_MB: z.coerce.number().int().min(1).max(1_048_576).default(1024),
  /**
   * How often the spool is fsynced, ms; 0 = after every message. Bounds what a power cut can lose
   * (a killed process loses nothing: appended data is already in the OS page cache).
   */
  SPOOL_FSYNC_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Run the demo simulators inside `npm start`. */
  SIMULATE: booleanFromEnv.default(true),
  ADMIN_USERNAME: z
    .string()
    .regex(/^[a-z0-9_.-]{3,64}$/, 'use 3–64 of a–z, 0–9, "_", "." and "-"')
    .default('admin'),
  /** First admin's password; generated and printed once at first start when unset. */
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(10, 'must be at least 10 characters').optional()),
  /** Shared secret of internal services (broker, ingest, web, simulators); generated into DATA_DIR when unset. */
  SERVICE_TOKEN: optionalString.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  /** Ingest's internal HTTP port (health, metrics, data API for web and broker in split mode). */
  INGEST_HTTP_PORT: port.default(8081),
  /** Interface of ingest's internal HTTP server: loopback by default; `0.0.0.0` in containers. */
  INGEST_HTTP_HOST: z.string().default('127.0.0.1'),
  /** Where web and broker reach ingest's data API in split mode. */
  INGEST_URL: optionalString.pipe(z.url().optional()),
  /** Broker's HTTP port for health and metrics in split mode. */
  BROKER_HTTP_PORT: port.default(8082),
  BROKER_HTTP_HOST: z.string().default('127.0.0.1'),
  /** Where the demo simulators serve camera snapshots (seeds' snapshotUrl point here). */
  SIM_SNAPSHOT_HOST: z.string().default('127.0.0.1'),
  SIM_SNAPSHOT_PORT: port.default(8083),
  /** Readings older than this are refused and purged, days. */
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Largest accepted MQTT payload, bytes. */
  MAX_PAYLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  /**
   * Device connections the broker accepts at once; beyond it CONNACK 3 (server unavailable).
   * Internal services are always admitted. TCP connections (before CONNECT) are capped at this
   * plus 10 % (at least 100 more), so idle sockets cannot exhaust file descriptors.
   */
  MQTT_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
  /**
   * Packets in processing (received, not yet delivered) over all connections at which the broker
   * stops reading from publishers until a quarter of them are handled: bounds its memory under overload.
   */
  MQTT_MAX_INFLIGHT_PACKETS: z.coerce.number().int().min(100).max(10_000_000).default(20_000),
  /** Messages per second one device (site) may sustain; excess is dropped and counted (`rate_limited`). */
  DEVICE_PUBLISH_RATE: z.coerce.number().positive().max(100_000).default(10),
  /** Messages a device may send at once above its rate (e.g. its offline queue after a reconnect). */
  DEVICE_PUBLISH_BURST: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** How long a rotated-away device token keeps working, minutes (0 = it stops at once). */
  DEVICE_TOKEN_GRACE_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  /** Raster tile URL template (`{z}/{x}/{y}`); empty: only the bundled offline base layer. */
  MAP_TILE_URL: optionalString,
  MAP_TILE_ATTRIBUTION: optionalString,
  /** Login session lifetime, hours. */
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  /** Mark the session cookie `Secure` (enable behind HTTPS). */
  COOKIE_SECURE: booleanFromEnv.default(false),
  /**
   * Which reverse proxies in front of the web server to believe about the client's address
   * (`X-Forwarded-For`), for login lock-outs and the audit log: `false` (none; default), the number
   * of proxy hops (`1`), or a comma-separated list of their addresses/subnets and `loopback`,
   * `linklocal`, `uniquelocal`. Never "trust everyone": a client could then pick its own address.
   */
  TRUST_PROXY: optionalString.pipe(
    z
      .string()
      .refine(isTrustProxySetting, 'use false, a hop count (e.g. 1) or comma-separated proxy addresses/subnets (loopback, 10.0.0.0/8, …)')
      .optional(),
  ),
  /** How long audit log entries are kept, days. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
  /** Directory of seed files (sites). */
  SEEDS_DIR: z.string().min(1).default('./seeds'),
  /** Outgoing mail server for e-mail notifications, `smtp://user:pass@host:587` (STARTTLS) or `smtps://…:465`; unset = no e-mail. */
  SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/, error: 'use smtp://… or smtps://…' }).optional()),
  /** Sender of notification e-mails. */
  SMTP_FROM: z.string().min(3).default('Mekong IOC <ioc@localhost>'),
  /** Key of the HMAC-SHA256 signature on notification webhooks (at least 32 characters); unset = no webhooks. */
  NOTIFY_WEBHOOK_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /** SMS/Zalo/Telegram-style HTTP gateway: notifications are POSTed here; unset = no gateway channel. */
  NOTIFY_GATEWAY_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Body of a gateway request with {{to}}, {{text}}, {{subject}}, {{siteId}}, {{severity}}, {{link}} placeholders (inside JSON strings). */
  NOTIFY_GATEWAY_BODY: z.string().min(2).default('{"to":"{{to}}","text":"{{text}}"}'),
  /** `json` (application/json) or `form` (application/x-www-form-urlencoded, the body being `key={{…}}&…`). */
  NOTIFY_GATEWAY_CONTENT_TYPE: z.enum(['json', 'form']).default('json'),
  /** Sent as the gateway request's `Authorization` header, e.g. `Bearer …`; unset = none. */
  NOTIFY_GATEWAY_AUTHORIZATION: optionalString,
  /** An unacknowledged critical alert is sent again every this many minutes; 0 = no reminders. */
  NOTIFY_REMINDER_MINUTES: z.coerce.number().int().min(0).max(1440).default(15),
  /** After this many minutes unacknowledged, a critical alert also goes to escalation-level-2 subscribers; 0 = never. */
  NOTIFY_ESCALATE_AFTER_MINUTES: z.coerce.number().int().min(0).max(10_080).default(30),
  /** Tries per notification before it is marked dead (kept for REST and metrics). */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
});

type RawConfig = z.infer<typeof configSchema>;

const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `false`, a hop count, or a list of addresses, subnets (`10.0.0.0/8`, `fd00::/8`) and named ranges. */
function isTrustProxySetting(value: string): boolean {
  const text = value.trim();
  if (text === 'false' || /^\d{1,2}$/.test(text)) return true;
  return text.split(',').every((entry) => {
    const item = entry.trim();
    if (TRUST_PROXY_NAMES.has(item)) return true;
    const [address = '', prefix, ...rest] = item.split('/');
    if (rest.length > 0 || isIP(address) === 0) return false;
    if (prefix === undefined) return true;
    const bits = Number(prefix);
    return /^\d{1,3}$/.test(prefix) && bits <= (isIP(address) === 4 ? 32 : 128);
  });
}

/**
 * Express's `trust proxy` value for TRUST_PROXY (validated by the schema): false, a hop count, or
 * the list of trusted proxy addresses.
 */
export function trustProxyValue(setting: string | undefined): boolean | number | string[] {
  const text = setting?.trim();
  if (text === undefined || text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  return text.split(',').map((entry) => entry.trim());
}

/** Validated configuration with derived values filled in. */
export interface Config extends Omit<RawConfig, 'MQTT_URL' | 'PUBLIC_URL' | 'INGEST_URL'> {
  readonly MQTT_URL: string;
  readonly PUBLIC_URL: string;
  readonly INGEST_URL: string;
  /** DATA_DIR resolved to an absolute path. */
  readonly dataDir: string;
  readonly seedsDir: string;
}

/** Thrown by {@link loadConfig}; `problems` are `VAR: problem` lines. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** STORE=influx needs a server and a token: `VAR: problem` lines, checked on the raw values so they join the schema's problems. */
function influxProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  if (env.STORE?.trim() !== 'influx') return [];
  return (['INFLUX_URL', 'INFLUX_TOKEN'] as const)
    .filter((key) => (env[key] ?? '').trim() === '')
    .map((key) => `${key}: required when STORE=influx`);
}

/** Placeholders a gateway body template may use. */
export const GATEWAY_PLACEHOLDERS = ['to', 'text', 'subject', 'siteId', 'severity', 'link'] as const;

/** NOTIFY_GATEWAY_BODY must use known placeholders and, for JSON, be JSON once they are filled in. */
function gatewayProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const template = env.NOTIFY_GATEWAY_BODY?.trim();
  if (!template) return [];
  const unknown = [...template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)]
    .map((match) => match[1] ?? '')
    .filter((name) => !(GATEWAY_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0) return [`NOTIFY_GATEWAY_BODY: unknown placeholder {{${unknown[0]}}} (use ${GATEWAY_PLACEHOLDERS.join(', ')})`];
  if ((env.NOTIFY_GATEWAY_CONTENT_TYPE?.trim() || 'json') !== 'json') return [];
  try {
    JSON.parse(template.replace(/\{\{[^}]*\}\}/g, 'x'));
    return [];
  } catch {
    return ['NOTIFY_GATEWAY_BODY: not JSON (placeholders belong inside JSON strings, e.g. {"text":"{{text}}"})'];
  }
}

/** Parses and validates the environment. Throws {@link ConfigError} listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = configSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`)),
    ...influxProblems(env),
    ...gatewayProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const raw = parsed.data;
  const loopback = (p: number) => `127.0.0.1:${p}`;
  return {
    ...raw,
    MQTT_URL: raw.MQTT_URL ?? `mqtt://${loopback(raw.MQTT_PORT)}`,
    PUBLIC_URL: (raw.PUBLIC_URL ?? `http://localhost:${raw.HTTP_PORT}`).replace(/\/$/, ''),
    INGEST_URL: (raw.INGEST_URL ?? `http://${loopback(raw.INGEST_HTTP_PORT)}`).replace(/\/$/, ''),
    dataDir: path.resolve(raw.DATA_DIR),
    seedsDir: path.resolve(raw.SEEDS_DIR),
  };
}
