/**
 * Entry-point helper: merges an optional `.env` file under the real environment (the real
 * environment wins) and validates it, printing every problem and exiting 1 on error. Only mains
 * and CLIs call this; everything else receives a {@link Config}.
 */
import fs from 'node:fs';
import { parseEnv } from 'node:util';
import { type Config, ConfigError, loadConfig } from './config.js';

/** Reads `.env` (if present) and the process environment into a validated {@link Config}, or exits 1. */
export function configFromEnvironment(envFile = '.env'): Config {
  const fileEnv = fs.existsSync(envFile) ? parseEnv(fs.readFileSync(envFile, 'utf8')) : {};
  try {
    return loadConfig({ ...fileEnv, ...process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
