/**
 * Logging: one pino root logger per service; modules take `logger.child({ module })` so every
 * line carries structured fields instead of formatted strings.
 */
import { type Logger, pino } from 'pino';
import type { Config } from './config/config.js';

export type { Logger } from 'pino';

/** Creates the root logger of a service (`broker`, `ingest`, `web`, `sim`, or `platform` for all-in-one). */
export function createRootLogger(service: string, config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>): Logger {
  const pretty = config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && process.stdout.isTTY === true);
  return pino({
    name: service,
    level: config.LOG_LEVEL,
    base: { service },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } }
      : {}),
  });
}

/** A logger that discards everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
