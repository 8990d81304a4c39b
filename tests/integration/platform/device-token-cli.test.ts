/**
 * `npm run device:token`: in-process for the direct-database path and unknown sites, and as a real
 * child process against a database held by this process — refused with a clear error, or served
 * through the data API when it answers.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, formatIssuedToken, issueTokenForSite } from '../../../platform/cli/device-token.js';
import { InternalHttpServer } from '../../../platform/http/internal-server.js';
import { silentLogger } from '../../../platform/logger.js';
import { verifySecret } from '../../../platform/security/secret-hash.js';
import { DuckDbDataStores } from '../../../platform/store/duckdb/duckdb-data-stores.js';
import { embeddedDatabasePath } from '../../../platform/store/embedded-location.js';
import { createDataApiRouter } from '../../../platform/store/remote/data-api-router.js';
import { freePorts } from '../../support/ports.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';

const root = path.resolve(import.meta.dirname, '../../..');
const SERVICE_TOKEN = 'test-service-token-0123456789abcdef';

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'platform/cli/device-token.ts'), ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function storedHash(dataDir: string, siteId: string): Promise<string | undefined> {
  const stores = new DuckDbDataStores({ file: embeddedDatabasePath(dataDir), logger: silentLogger(), metrics: new Registry() });
  await stores.start();
  try {
    return (await stores.registry.getDeviceCredential(siteId))?.tokenHash;
  } finally {
    await stores.stop();
  }
}

describe('device:token in process', () => {
  const temp = makeTempDir();
  let closedPort: number;

  beforeAll(async () => {
    [closedPort] = (await freePorts(1)) as [number];
  });
  afterAll(() => temp.cleanup());

  it('opens the database directly when no data API answers, and the token verifies', async () => {
    const config = testConfig(temp.dir, { INGEST_URL: `http://127.0.0.1:${closedPort}` });
    const { issued, via } = await issueTokenForSite({ config, siteId: 'KG-SAL-02', logger: silentLogger() });
    expect(via).toBe('database');
    expect(issued.siteId).toBe('KG-SAL-02');
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await verifySecret(issued.token, (await storedHash(temp.dir, 'KG-SAL-02')) ?? '')).toBe(true);
  });

  it('refuses a site that is not in the seeds, naming the known ones', async () => {
    const config = testConfig(temp.dir, { INGEST_URL: `http://127.0.0.1:${closedPort}` });
    const attempt = issueTokenForSite({ config, siteId: 'NOPE-01', logger: silentLogger() });
    await expect(attempt).rejects.toBeInstanceOf(CliError);
    await expect(attempt).rejects.toThrow(/Unknown site "NOPE-01".*KG-WQ-01/);
  });

  it('prints the token on its own line with a mosquitto_pub hint', () => {
    const text = formatIssuedToken({ siteId: 'KG-WQ-01', token: 'tok_123', issuedAt: 1 }, 'mqtt://10.0.0.5:1884');
    const lines = text.trimEnd().split('\n');
    expect(lines[1]).toBe('tok_123');
    expect(lines[2]).toContain("mosquitto_pub -h 10.0.0.5 -p 1884 -u KG-WQ-01 -P 'tok_123' -t sites/KG-WQ-01/telemetry");
  });
});

describe('device:token as a child process while another process holds the database', () => {
  const temp = makeTempDir();
  let stores: DuckDbDataStores;
  let dataApi: InternalHttpServer | undefined;
  let apiPort: number;

  beforeAll(async () => {
    [apiPort] = (await freePorts(1)) as [number];
    stores = new DuckDbDataStores({ file: embeddedDatabasePath(temp.dir), logger: silentLogger(), metrics: new Registry() });
    await stores.start();
  });

  afterAll(async () => {
    await dataApi?.stop();
    await stores.stop();
    temp.cleanup();
  });

  const env = () => ({
    DATA_DIR: temp.dir,
    SEEDS_DIR: path.join(root, 'seeds'),
    INGEST_URL: `http://127.0.0.1:${apiPort}`,
    SERVICE_TOKEN,
    LOG_LEVEL: 'silent',
  });

  it('explains that the database is locked and exits 1 when the data API does not answer', async () => {
    const run = await runCli(['KG-WQ-01'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/locked by another process/);
    expect(run.stdout).toBe('');
  });

  it('issues through the data API when it answers', async () => {
    dataApi = new InternalHttpServer({
      name: 'ingest-http',
      host: '127.0.0.1',
      port: apiPort,
      logger: silentLogger(),
      metrics: new Registry(),
      health: async () => ({ status: 'ok', version: 'test', uptimeSec: 0, components: {} }),
      routers: [{ path: '/internal/data', router: createDataApiRouter({ stores, serviceToken: SERVICE_TOKEN, logger: silentLogger() }) }],
    });
    await dataApi.start();

    const run = await runCli(['KG-WQ-01'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [, token = ''] = run.stdout.split('\n');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const credential = await stores.registry.getDeviceCredential('KG-WQ-01');
    expect(await verifySecret(token, credential?.tokenHash ?? '')).toBe(true);
  });

  it('exits 1 for an unknown site', async () => {
    const run = await runCli(['XX-00'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Unknown site "XX-00"/);
  });
});
