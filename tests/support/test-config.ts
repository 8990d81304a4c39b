/** Builds a real, validated {@link Config} for tests: ephemeral ports, a temp DATA_DIR, silent logs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../../platform/config/config.js';

/** A fresh temporary directory, removed by the returned cleanup. */
export function makeTempDir(prefix = 'mekong-ioc-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Config with MQTT/HTTP ports 0, SIMULATE=false, LOG_LEVEL=silent and the given overrides. */
export function testConfig(dataDir: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    MQTT_PORT: '0',
    HTTP_PORT: '0',
    INGEST_HTTP_PORT: '0',
    BROKER_HTTP_PORT: '0',
    DATA_DIR: dataDir,
    SIMULATE: 'false',
    LOG_LEVEL: 'silent',
    LOG_FORMAT: 'json',
    SEEDS_DIR: path.resolve('seeds'),
    ADMIN_PASSWORD: 'test-admin-password',
    SERVICE_TOKEN: 'test-service-token-0123456789abcdef',
    ...overrides,
  });
}
