/** First-start admin creation on a real DuckDB file. */
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureAdminUser } from '../../../platform/bootstrap-admin.js';
import { silentLogger } from '../../../platform/logger.js';
import { verifySecret } from '../../../platform/security/secret-hash.js';
import { DuckDbDataStores } from '../../../platform/store/duckdb/duckdb-data-stores.js';
import { makeTempDir } from '../../support/test-config.js';

describe('ensureAdminUser', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let stores: DuckDbDataStores;

  beforeEach(async () => {
    temp = makeTempDir();
    stores = new DuckDbDataStores({ file: path.join(temp.dir, 'bootstrap.duckdb'), logger: silentLogger(), metrics: new Registry() });
    await stores.start();
  });

  afterEach(async () => {
    await stores.stop();
    temp.cleanup();
  });

  it('creates the admin with the configured password, stored only as a scrypt hash', async () => {
    const result = await ensureAdminUser({
      registry: stores.registry,
      username: 'admin',
      password: 'configured-password',
      logger: silentLogger(),
    });
    expect(result).toEqual({ created: true });
    const user = await stores.registry.findUser('admin');
    expect(user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(user?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(user?.passwordHash).not.toContain('configured-password');
    expect(await verifySecret('configured-password', user?.passwordHash ?? '')).toBe(true);
  });

  it('generates a strong password when none is configured and returns it once', async () => {
    const result = await ensureAdminUser({ registry: stores.registry, username: 'root', logger: silentLogger() });
    expect(result.created).toBe(true);
    expect(result.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const user = await stores.registry.findUser('root');
    expect(await verifySecret(result.generatedPassword ?? '', user?.passwordHash ?? '')).toBe(true);
  });

  it('does nothing once any user exists, so a later ADMIN_PASSWORD never resets a password', async () => {
    await ensureAdminUser({ registry: stores.registry, username: 'admin', password: 'first-password', logger: silentLogger() });
    const again = await ensureAdminUser({
      registry: stores.registry,
      username: 'admin',
      password: 'second-password',
      logger: silentLogger(),
    });
    expect(again).toEqual({ created: false });
    const user = await stores.registry.findUser('admin');
    expect(await verifySecret('first-password', user?.passwordHash ?? '')).toBe(true);
    expect(await stores.registry.countUsers()).toBe(1);
  });
});
