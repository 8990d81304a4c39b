/**
 * Entry of a load shard process (forked by {@link ShardedLoadFleet}; not run by hand): receives
 * its devices over IPC, runs a {@link LoadFleet}, reports counters every 500 ms, and on `stop` (or
 * when the parent disappears) disconnects its devices and exits 0.
 */
import { pino } from 'pino';
import { LoadFleet } from './load-fleet.js';
import type { FromShard, ToShard } from './load-shards.js';

const STATS_PERIOD_MS = 500;

function send(message: FromShard): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

let fleet: LoadFleet | undefined;
let statsTimer: NodeJS.Timeout | undefined;
let stopping = false;

function report(type: 'stats' | 'stopped'): Promise<void> {
  if (!fleet) return Promise.resolve();
  return send({ type, stats: fleet.stats, histogram: fleet.counters.ackLatency.toJSON() });
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (statsTimer) clearInterval(statsTimer);
  await fleet?.stop();
  await report('stopped');
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (message: ToShard) => {
  if (message.type === 'stop') {
    void stop();
    return;
  }
  if (message.type !== 'start' || fleet) return;
  const { settings } = message;
  const logger = pino({ name: 'sim-load-shard', level: settings.logLevel, base: { service: 'sim', shard: process.pid } });
  fleet = new LoadFleet({
    devices: settings.devices,
    mqttUrl: settings.mqttUrl,
    logger,
    ratePerSec: settings.ratePerSec,
    connectRatePerSec: settings.connectRatePerSec,
    maxConnecting: settings.maxConnecting,
    seed: settings.seed,
    qos: settings.qos,
    maxInflight: settings.maxInflight,
  });
  const started = fleet;
  started
    .start()
    .then(() => {
      statsTimer = setInterval(() => void report('stats'), STATS_PERIOD_MS);
      return send({ type: 'started' });
    })
    .catch(async (error: unknown) => {
      await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      await stop();
    });
});

// The parent went away (crashed or killed): do not keep thousands of connections open.
process.on('disconnect', () => void stop());
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => void stop());
