/**
 * Login brakes over real HTTP on a real web server and DuckDB: lock-out per (account, client
 * address) with doubling, refusal of parallel guessing, the per-address limit, the per-account
 * slow-down that never locks the owner out, and the same answer for unknown, wrong and disabled.
 * The server's clock is the test's (lock-outs expire by advancing it, never by sleeping);
 * TRUST_PROXY=loopback lets the test speak from many client addresses through X-Forwarded-For.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../common/api.js';
import { ensureAdminUser } from '../../../platform/bootstrap-admin.js';
import { silentLogger } from '../../../platform/logger.js';
import { hashSecret, type ScryptCost } from '../../../platform/security/secret-hash.js';
import { SiteDirectory } from '../../../platform/sites/site-directory.js';
import { DuckDbDataStores } from '../../../platform/store/duckdb/duckdb-data-stores.js';
import { WebServer } from '../../../web/server/web-server.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';
import { type Account, type Answer, call, errorCode, errorMessage, metricValue } from './operators-fixture.js';

const ADMIN: Account = { username: 'admin', password: 'test-admin-password' };
const WRONG = 'definitely-not-it';
const MINUTE = 60_000;
/** Test accounts get a cheap scrypt cost (kept in the hash), so a hundred guesses stay fast; the admin keeps the real one. */
const TEST_COST: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };

/** A web server on `stores` with no app, MQTT or seeds: only its HTTP API is under test. */
function webServerOn(
  stores: DuckDbDataStores,
  dir: string,
  appDir: string,
  env: Record<string, string>,
  metrics: Registry,
  extra: Partial<ConstructorParameters<typeof WebServer>[0]> = {},
): WebServer {
  return new WebServer({
    config: testConfig(dir, { HTTP_HOST: '127.0.0.1', ...env }),
    logger: silentLogger(),
    metrics,
    stores,
    sites: new SiteDirectory({ registry: stores.registry, seeds: [], applySeeds: false, logger: silentLogger() }),
    mqttUrl: () => 'mqtt://127.0.0.1:1',
    serviceToken: 'test-service-token-0123456789abcdef',
    appDir,
    version: 'test',
    ...extra,
  });
}

describe('login lock-out, backoff and slow-down', () => {
  const temp = makeTempDir('mekong-ioc-login-');
  const metrics = new Registry();
  let stores: DuckDbDataStores;
  let web: WebServer;
  let untrusting: WebServer;
  let now = Date.parse('2025-11-20T08:00:00Z');

  const attempt = (account: Account, address: string, base = web.url): Promise<Answer> =>
    call(base, 'POST', '/api/auth/login', { json: account, headers: { 'x-forwarded-for': address } });
  const wrong = (username: string, address: string) => attempt({ username, password: WRONG }, address);
  const outcome = (answer: Answer) => `${answer.status} ${errorCode(answer) ?? 'ok'}`;

  async function addUser(username: string, role: Role): Promise<Account> {
    const account = { username, password: `${username}-password-1` };
    await stores.registry.saveUser({ username, role, passwordHash: await hashSecret(account.password, TEST_COST), createdAt: now });
    return account;
  }

  beforeAll(async () => {
    const emptyAppDir = path.join(temp.dir, 'no-app');
    fs.mkdirSync(emptyAppDir);
    stores = new DuckDbDataStores({ file: path.join(temp.dir, 'login.duckdb'), logger: silentLogger(), metrics: new Registry() });
    await stores.start();
    await ensureAdminUser({ registry: stores.registry, username: ADMIN.username, password: ADMIN.password, logger: silentLogger() });
    const make = (env: Record<string, string>, registry: Registry) =>
      webServerOn(stores, temp.dir, emptyAppDir, env, registry, {
        clock: () => now,
        loginGuard: { account: { slowAfter: 6, baseDelayMs: 150, maxDelayMs: 300 } },
      });
    web = make({ TRUST_PROXY: 'loopback' }, metrics);
    untrusting = make({}, new Registry());
    await web.start();
    await untrusting.start();
  }, 30_000);

  afterAll(async () => {
    await web?.stop();
    await untrusting?.stop();
    await stores?.stop();
    temp.cleanup();
  });

  it('locks an (account, address) pair out after 5 failures — even the right password — while the owner logs in from elsewhere', async () => {
    const attacker = '203.0.113.10';
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await wrong(ADMIN.username, attacker));
    expect(answers.map(outcome)).toEqual(Array(5).fill('401 invalid_credentials'));
    expect(answers[3] && errorMessage(answers[3])).toBe('Wrong username or password');
    expect(answers[4] && errorMessage(answers[4])).toMatch(/locked for your address for 60 s/);

    const refused = await attempt(ADMIN, attacker);
    expect(outcome(refused)).toBe('429 rate_limited');
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.headers.getSetCookie()).toEqual([]);

    expect(outcome(await attempt(ADMIN, '198.51.100.7'))).toBe('200 ok');
    expect(await metricValue(metrics, 'ioc_web_login_lockouts_total')).toBe(1);
    expect(await metricValue(metrics, 'ioc_web_login_attempts_total', { outcome: 'refused_account_address' })).toBe(1);
  });

  it('doubles the lock-out with each repetition, lifts it when it runs out, and forgets it after a success', async () => {
    const olga = await addUser('olga.doubling', 'operator');
    const address = '203.0.113.20';
    const lockOut = async () => {
      const failures = await Promise.all(Array.from({ length: 5 }, () => wrong(olga.username, address)));
      expect(failures.map(outcome)).toEqual(Array(5).fill('401 invalid_credentials'));
      return attempt(olga, address);
    };
    expect((await lockOut()).headers.get('retry-after')).toBe('60');
    now += MINUTE;
    const second = await lockOut();
    expect([outcome(second), second.headers.get('retry-after')]).toEqual(['429 rate_limited', '120']);
    now += MINUTE;
    expect((await attempt(olga, address)).headers.get('retry-after')).toBe('60');
    now += MINUTE;
    expect(outcome(await attempt(olga, address))).toBe('200 ok');
    // A success wipes the pair's history: the next lock-out is a short one again.
    expect((await lockOut()).headers.get('retry-after')).toBe('60');
  });

  it('counts attempts fired in parallel: no more than 5 guesses get through', async () => {
    const victor = await addUser('victor.parallel', 'viewer');
    const answers = await Promise.all(Array.from({ length: 12 }, () => wrong(victor.username, '203.0.113.30')));
    const counts = answers.reduce<Record<string, number>>((acc, answer) => {
      const key = outcome(answer);
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
    expect(counts).toEqual({ '401 invalid_credentials': 5, '429 rate_limited': 7 });
  });

  it('limits failures per client address across accounts (password spraying), without touching other addresses', async () => {
    const sprayer = '203.0.113.40';
    const targets = await Promise.all(Array.from({ length: 10 }, (_, i) => addUser(`sprayed-${i}`, 'viewer')));
    const sprayed = await Promise.all(Array.from({ length: 20 }, (_, i) => wrong(targets[i % 10]?.username ?? '', sprayer)));
    expect(sprayed.map(outcome)).toEqual(Array(20).fill('401 invalid_credentials'));
    const refused = await attempt(ADMIN, sprayer);
    expect(outcome(refused)).toBe('429 rate_limited');
    expect(errorMessage(refused)).toMatch(/from your address/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(outcome(await attempt(ADMIN, '203.0.113.41'))).toBe('200 ok');
    now += 15 * MINUTE;
    expect(outcome(await attempt(ADMIN, sprayer))).toBe('200 ok');
  });

  it('treats IPv6 clients by their /64, so rotating addresses inside it does not reset the count', async () => {
    const ines = await addUser('ines.ipv6', 'operator');
    const guesses = await Promise.all(Array.from({ length: 5 }, (_, i) => wrong(ines.username, `2001:db8:aa:bb::${i + 1}`)));
    expect(guesses.map(outcome)).toEqual(Array(5).fill('401 invalid_credentials'));
    expect(outcome(await attempt(ines, '2001:db8:aa:bb:ffff:1:2:3'))).toBe('429 rate_limited');
    expect(outcome(await attempt(ines, '2001:db8:aa:cc::1'))).toBe('200 ok');
  });

  it('slows every attempt on an account under a distributed attack, but never locks its owner out', async () => {
    const sam = await addUser('sam.target', 'admin');
    // 8 failures from 4 addresses: no pair is locked, but the account is 2 past slowAfter (6).
    const spread = await Promise.all(Array.from({ length: 8 }, (_, i) => wrong(sam.username, `192.0.2.${50 + (i % 4)}`)));
    expect(spread.map(outcome)).toEqual(Array(8).fill('401 invalid_credentials'));
    const started = performance.now();
    expect(outcome(await attempt(sam, '192.0.2.99'))).toBe('200 ok');
    // The server waited (at least) the slow-down — 150 ms doubled once — before checking the password.
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    // Many more failures from everywhere (in parallel: each one waits out the slow-down) still only slow the owner down.
    await Promise.all(Array.from({ length: 16 }, (_, i) => wrong(sam.username, `192.0.2.${100 + (i % 8)}`)));
    expect(outcome(await attempt(sam, '192.0.2.200'))).toBe('200 ok');
  });

  it('answers unknown users, wrong passwords and disabled accounts alike, and locks them alike', async () => {
    const dora = await addUser('dora.disabled', 'operator');
    const record = await stores.registry.findUser(dora.username);
    if (!record) throw new Error('user not saved');
    await stores.registry.saveUser({ ...record, disabledAt: now });
    const disabled = await attempt(dora, '203.0.113.60');
    const unknown = await attempt({ username: 'nobody.here', password: WRONG }, '203.0.113.60');
    const wrongPassword = await wrong(ADMIN.username, '203.0.113.60');
    expect([disabled, unknown, wrongPassword].map((answer) => answer.json)).toEqual(
      Array(3).fill({ error: { code: 'invalid_credentials', message: 'Wrong username or password' } }),
    );
    await Promise.all(Array.from({ length: 5 }, () => wrong('nobody.here', '203.0.113.61')));
    expect(outcome(await wrong('nobody.here', '203.0.113.61'))).toBe('429 rate_limited');
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says so: a client cannot pick a fresh address per guess', async () => {
    const base = untrusting.url;
    const fred = await addUser('fred.forger', 'viewer');
    const forged = await Promise.all(Array.from({ length: 5 }, (_, i) => attempt({ ...fred, password: WRONG }, `10.9.8.${i}`, base)));
    expect(forged.map(outcome)).toEqual(Array(5).fill('401 invalid_credentials'));
    expect(outcome(await attempt(fred, '10.9.8.200', base))).toBe('429 rate_limited');
  });
});

describe('login before the first admin exists', () => {
  const temp = makeTempDir('mekong-ioc-login-empty-');
  let stores: DuckDbDataStores;
  let web: WebServer;

  beforeAll(async () => {
    const emptyAppDir = path.join(temp.dir, 'no-app');
    fs.mkdirSync(emptyAppDir);
    stores = new DuckDbDataStores({ file: path.join(temp.dir, 'empty.duckdb'), logger: silentLogger(), metrics: new Registry() });
    await stores.start();
    web = webServerOn(stores, temp.dir, emptyAppDir, {}, new Registry());
    await web.start();
  }, 30_000);

  afterAll(async () => {
    await web?.stop();
    await stores?.stop();
    temp.cleanup();
  });

  it('answers 503 without counting a failure, so retrying during start-up never locks the admin out', async () => {
    const early = [];
    for (let i = 0; i < 8; i++) early.push(await call(web.url, 'POST', '/api/auth/login', { json: ADMIN }));
    expect(early.map((answer) => `${answer.status} ${errorCode(answer)}`)).toEqual(Array(8).fill('503 unavailable'));
    expect(early[0] && errorMessage(early[0])).toMatch(/first admin account is being set up/);

    await ensureAdminUser({ registry: stores.registry, username: ADMIN.username, password: ADMIN.password, logger: silentLogger() });
    expect((await call(web.url, 'POST', '/api/auth/login', { json: ADMIN })).status).toBe(200);
  });
});
