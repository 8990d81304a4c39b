import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../../platform/errors.js';
import { SCHEMA_VERSION } from '../../../../platform/store/duckdb/migrations.js';
import { StoreFixture } from './store-fixture.js';

const T = Date.UTC(2025, 2, 1);

/** Reads the schema_version table with a raw DuckDB connection (the store must be stopped). */
async function schemaVersions(file: string): Promise<number[]> {
  const instance = await DuckDBInstance.create(file, { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll('SELECT version FROM schema_version ORDER BY version');
    const versions = reader.getRows().map(([version]) => Number(version));
    connection.closeSync();
    return versions;
  } finally {
    instance.closeSync();
  }
}

async function runSql(file: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(file, { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  try {
    const connection = await instance.connect();
    await connection.run(sql);
    connection.closeSync();
  } finally {
    instance.closeSync();
  }
}

describe('DuckDbDataStores lifecycle', () => {
  let fixture: StoreFixture;
  let holder: ChildProcess | undefined;

  beforeEach(async () => {
    fixture = await StoreFixture.open();
  });

  afterEach(async () => {
    if (holder && holder.exitCode === null) {
      const exited = new Promise((resolve) => holder?.once('exit', resolve));
      holder.kill();
      await exited;
    }
    holder = undefined;
    await fixture.cleanup();
  });

  it('creates the parent directory and the file, and names itself "store"', () => {
    expect(fs.existsSync(fixture.file)).toBe(true);
    expect(fixture.stores.name).toBe('store');
    expect(fixture.stores.file).toBe(fixture.file);
  });

  it('applies each migration once, however often it is opened', async () => {
    await fixture.reopen();
    await fixture.reopen();
    await fixture.stores.stop();
    expect(await schemaVersions(fixture.file)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('refuses a database written by a newer schema, and releases the file', async () => {
    await fixture.stores.stop();
    await runSql(fixture.file, `INSERT INTO schema_version VALUES (${SCHEMA_VERSION + 1}, 'future', 0)`);
    const stores = fixture.create();
    await expect(stores.start()).rejects.toThrow(/newer than this build supports/);
    await runSql(fixture.file, `DELETE FROM schema_version WHERE version > ${SCHEMA_VERSION}`);
    await fixture.reopen();
    expect(await fixture.stores.registry.countUsers()).toBe(0);
  });

  it('stop() is idempotent and later calls fail with "unavailable"', async () => {
    await fixture.stores.stop();
    await fixture.stores.stop();
    await expect(fixture.stores.registry.countUsers()).rejects.toMatchObject({ code: 'unavailable' });
    await expect(fixture.stores.telemetry.writeReadings([{ siteId: 'S', ts: T, values: { do: 1 } }])).rejects.toBeInstanceOf(AppError);
    const unstarted = fixture.create();
    await expect(unstarted.telemetry.latestValues()).rejects.toMatchObject({ code: 'unavailable' });
    await unstarted.stop();
  });

  it('concurrent stop() calls all wait for the file to be released', async () => {
    await fixture.stores.telemetry.writeReadings([{ siteId: 'S', ts: T, values: { do: 1 } }]);
    const first = fixture.stores.stop();
    await fixture.stores.stop();
    // Opening the file again in this process would be refused while it was still closing.
    const next = fixture.create();
    await next.start();
    expect(await next.telemetry.latestValues()).toEqual([{ siteId: 'S', values: { do: { value: 1, ts: T } } }]);
    await next.stop();
    await first;
  });

  it('lets queued operations finish before closing', async () => {
    const writes = Array.from({ length: 20 }, (_, i) =>
      fixture.stores.telemetry.writeReadings([{ siteId: 'S', ts: T + i, values: { do: i } }]),
    );
    const stopped = fixture.stores.stop();
    await expect(Promise.all(writes)).resolves.toHaveLength(20);
    await stopped;
    await fixture.reopen();
    const series = await fixture.stores.telemetry.queryHistory({ siteId: 'S', metric: 'do', from: T, to: T + 20, maxPoints: 1 });
    expect(series.points[0]?.count).toBe(20);
  });

  it('refuses a second instance on the same file in this process', async () => {
    const second = fixture.create();
    await expect(second.start()).rejects.toMatchObject({ code: 'conflict' });
    await second.stop();
    await fixture.stores.registry.saveUser({ username: 'still-works', passwordHash: 'h', role: 'viewer', createdAt: T });
    expect(await fixture.stores.registry.countUsers()).toBe(1);
  });

  it('reports a file locked by another process as "unavailable", naming the file', async () => {
    await fixture.stores.stop();
    const script = `
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const db = await DuckDBInstance.create(process.argv[1]);
      const c = await db.connect();
      await c.run('SELECT 1');
      process.stdout.write('ready\\n');
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, fixture.file], { stdio: ['pipe', 'pipe', 'inherit'] });
    holder = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`lock holder exited early with ${code}`)));
    });

    const stores = fixture.create();
    const error = await stores.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('locked by another process') });
    expect((error as Error).message).toContain(fixture.file);
  });

  it('registers its metrics on the registry given, once however many instances share it', async () => {
    const another = fixture.create();
    expect(another.name).toBe('store');
    await fixture.stores.registry.countUsers();
    const text = await fixture.metrics.metrics();
    expect(text).toContain('# TYPE ioc_store_write_seconds histogram');
    expect(text).toMatch(/^ioc_store_query_seconds_count\{operation="count_users"\} 1$/m);
  });
});
