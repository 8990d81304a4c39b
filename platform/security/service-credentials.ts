/**
 * Internal service identities. Broker, ingest, web and the demo simulators authenticate to each
 * other (MQTT and the internal data API) with one shared secret: SERVICE_TOKEN from config, or a
 * token generated at first start into DATA_DIR/secrets/ so separate processes on one host (or
 * containers sharing the volume) agree without anyone writing it down.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { generateSecret } from './secret-hash.js';

/** MQTT usernames of internal services. The `:` keeps them disjoint from site ids. */
export const SERVICE_USERS = {
  ingest: 'svc:ingest',
  web: 'svc:web',
  simulator: 'svc:sim',
} as const;
export type ServiceName = keyof typeof SERVICE_USERS;
export type ServiceUser = (typeof SERVICE_USERS)[ServiceName];

/** Finds the service whose MQTT username this is, if any. */
export function serviceForUsername(username: string | undefined): ServiceName | undefined {
  const entry = Object.entries(SERVICE_USERS).find(([, user]) => user === username);
  return entry?.[0] as ServiceName | undefined;
}

/** Returns SERVICE_TOKEN, or the token under DATA_DIR/secrets/service-token, creating it (mode 0600) on first start. */
export async function resolveServiceToken(config: Pick<Config, 'SERVICE_TOKEN' | 'dataDir'>): Promise<string> {
  if (config.SERVICE_TOKEN) return config.SERVICE_TOKEN;
  const dir = path.join(config.dataDir, 'secrets');
  const file = path.join(dir, 'service-token');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await fs.writeFile(file, `${generateSecret()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await fs.readFile(file, 'utf8')).trim();
}
