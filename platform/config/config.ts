/**
 * Platform configuration: parsed from the environment once, at startup, with zod. This is the only
 * module that reads `process.env` (through `loadConfig(process.env)` in each main). On error every
 * `VAR: problem` is reported together so an operator fixes them in one go.
 */
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
  /** `embedded`: DuckDB under DATA_DIR. */
  STORE: z.enum(['embedded']).default('embedded'),
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
  /** Directory of seed files (sites). */
  SEEDS_DIR: z.string().min(1).default('./seeds'),
});

type RawConfig = z.infer<typeof configSchema>;

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

/** Parses and validates the environment. Throws {@link ConfigError} listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(problems);
  }
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
