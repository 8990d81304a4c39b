/**
 * A broker under test, as a child process of the benchmark: `ioc` is our IocBroker with
 * authentication, ACL, metrics and the per-site rate limit on, its device credentials issued for real in a temporary
 * embedded store (`device count` sites); `aedes` is plain Aedes with no hooks. Both listen on a
 * loopback port 0 with TCP_NODELAY, and report the endpoints the load generator needs.
 *
 * Usage: broker-target.ts <ioc|aedes> <device count> <work directory>
 * (the work directory holds ours' credential store; the benchmark creates and removes it).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Aedes } from 'aedes';
import { IocBroker } from '../../broker/broker.js';
import { topicFilters, topics } from '../../common/topics.js';
import { createRootLogger } from '../../platform/logger.js';
import { createMetricsRegistry } from '../../platform/observability.js';
import { issueDeviceToken } from '../../platform/security/device-tokens.js';
import { generateSecret } from '../../platform/security/secret-hash.js';
import { SERVICE_USERS } from '../../platform/security/service-credentials.js';
import { DuckDbDataStores } from '../../platform/store/duckdb/duckdb-data-stores.js';
import { type BrokerTargetInfo, benchSiteId, type DeviceEndpoint } from '../load/bench-sites.js';
import { serveRpc } from '../proc/rpc.js';

const HOST = '127.0.0.1';
/** Per-site publish rate and burst that the benchmark never reaches, messages/s. */
const UNLIMITED_RATE = 1_000_000;
/** Tokens hashed at once (scrypt runs on libuv's thread pool). */
const ISSUE_CONCURRENCY = 8;

const kind = process.argv[2];
const deviceCount = Number(process.argv[3] ?? '1000');
const workDir = process.argv[4] ?? '';
if ((kind !== 'ioc' && kind !== 'aedes') || workDir === '') {
  throw new Error(`usage: broker-target.ts <ioc|aedes> <device count> <work directory>, got ${process.argv.slice(2).join(' ')}`);
}

const logger = createRootLogger('bench-broker', { LOG_LEVEL: 'warn', LOG_FORMAT: 'json' });
let stopTarget: () => Promise<void> = async () => undefined;

async function startIoc(): Promise<BrokerTargetInfo> {
  const dir = fs.mkdtempSync(path.join(workDir, 'broker-'));
  const metrics = createMetricsRegistry('broker');
  const stores = new DuckDbDataStores({ file: path.join(dir, 'bench.duckdb'), logger, metrics });
  let broker: IocBroker | undefined;
  // Set before the long set-up, so an interrupted start still removes the database.
  stopTarget = async () => {
    await broker?.stop();
    await stores.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  await stores.start();
  const serviceToken = generateSecret();
  const devices: DeviceEndpoint[] = [];
  for (let first = 1; first <= deviceCount; first += ISSUE_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(ISSUE_CONCURRENCY, deviceCount - first + 1) }, (_, i) => benchSiteId(first + i));
    const issued = await Promise.all(batch.map((siteId) => issueDeviceToken(stores.registry, siteId, Date.now())));
    for (const { siteId, token } of issued)
      devices.push({ clientId: siteId, username: siteId, password: token, topic: topics.telemetry(siteId) });
  }
  broker = new IocBroker({
    host: HOST,
    port: 0,
    maxPayloadBytes: 262_144,
    logger,
    metrics,
    credentials: stores.registry,
    serviceToken,
    // The per-site rate limit stays on (its cost is measured) but high enough never to drop: the
    // benchmark drives 1,000 devices at tens of messages per second each, the field sends one a minute.
    devicePublishRate: UNLIMITED_RATE,
    devicePublishBurst: UNLIMITED_RATE,
  });
  await broker.start();
  return {
    host: HOST,
    port: broker.port,
    pid: process.pid,
    devices,
    subscriber: {
      clientId: 'bench-subscriber',
      username: SERVICE_USERS.ingest,
      password: serviceToken,
      filter: topicFilters.allDeviceTelemetry,
    },
  };
}

async function startPlainAedes(): Promise<BrokerTargetInfo> {
  const aedes = await Aedes.createBroker();
  const server = net.createServer({ noDelay: true }, (socket) => aedes.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  stopTarget = async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('plain Aedes is not listening');
  const devices = Array.from({ length: deviceCount }, (_, i): DeviceEndpoint => {
    const siteId = benchSiteId(i + 1);
    return { clientId: siteId, topic: topics.telemetry(siteId) };
  });
  return {
    host: HOST,
    port: address.port,
    pid: process.pid,
    devices,
    subscriber: { clientId: 'bench-subscriber', filter: topicFilters.allDeviceTelemetry },
  };
}

serveRpc({
  start: () => (kind === 'ioc' ? startIoc() : startPlainAedes()),
  handlers: {},
  shutdown: () => stopTarget(),
});
