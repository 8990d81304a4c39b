/**
 * `npm run sim` as a real child process against a real broker: it publishes, stops cleanly on
 * SIGTERM or after --duration with exit code 0, and refuses unknown site ids with exit code 1.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IocBroker } from '../../../broker/broker.js';
import { statusPayloadSchema } from '../../../common/payloads.js';
import { topicFilters, topics } from '../../../common/topics.js';
import { silentLogger } from '../../../platform/logger.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { ServiceProcess } from '../../support/service-process.js';
import { makeTempDir } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';

const SERVICE_TOKEN = 'sim-cli-test-service-token-0123456789';
const root = path.resolve(import.meta.dirname, '../../..');

describe('npm run sim', () => {
  let broker: IocBroker;
  let client: MqttClient;
  const received: { topic: string; payload: string }[] = [];
  const temp = makeTempDir();
  let env: Record<string, string>;

  beforeAll(async () => {
    broker = new IocBroker({
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 256 * 1024,
      logger: silentLogger(),
      metrics: new Registry(),
      credentials: { getDeviceCredential: async () => undefined },
      serviceToken: SERVICE_TOKEN,
    });
    await broker.start();
    client = await mqtt.connectAsync(broker.url, {
      protocolVersion: 4,
      username: SERVICE_USERS.ingest,
      password: SERVICE_TOKEN,
      reconnectPeriod: 0,
    });
    client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString('utf8') }));
    await client.subscribeAsync([topicFilters.allDeviceTelemetry, topicFilters.allDeviceStatus], { qos: 1 });
    env = {
      MQTT_URL: broker.url,
      SERVICE_TOKEN,
      DATA_DIR: temp.dir,
      SEEDS_DIR: path.join(root, 'seeds'),
      SIM_SNAPSHOT_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    };
  });

  afterAll(async () => {
    await client?.endAsync(true);
    await broker?.stop();
    temp.cleanup();
  });

  it('runs until SIGTERM, then marks its devices offline and exits 0', async () => {
    const sim = new ServiceProcess('simulators/main.ts', env);
    sim.start();
    try {
      await sim.waitForLog(/simulators running/);
      await waitFor(() => received.some((m) => m.topic === topics.telemetry('KG-WQ-01')), { timeoutMs: 20_000, message: 'telemetry' });
    } finally {
      expect(await sim.stop()).toBe(0);
    }
    expect(sim.lines.some((line) => line.msg === 'stopped cleanly')).toBe(true);
    const last = received.filter((m) => m.topic === topics.status('KG-WQ-01')).at(-1);
    expect(statusPayloadSchema.parse(JSON.parse(last?.payload ?? 'null')).status).toBe('offline');
  });

  const run = (args: string[]) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'simulators/main.ts'), ...args], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += String(chunk);
      });
      child.stderr.on('data', (chunk) => {
        output += String(chunk);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });

  it('stops by itself after --duration and exits 0', async () => {
    const before = received.length;
    const result = await run(['--sites', 'KG-SAL-01', '--speed', '20', '--duration', '1.5', '--no-snapshots']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('duration reached');
    const mine = received.slice(before);
    expect(mine.some((m) => m.topic === topics.telemetry('KG-SAL-01'))).toBe(true);
    expect(mine.some((m) => m.topic === topics.telemetry('KG-WQ-01'))).toBe(false);
  });

  it('--scenario --seed 1 is reproducible: two dry runs print the same lines, and a live run publishes exactly those payloads', async () => {
    const start = new Date(Math.floor((Date.now() - 20 * 3_600_000) / 60_000) * 60_000).toISOString();
    const args = ['--scenario', 'do-crash', '--seed', '1', '--start', start, '--speed', '20000', '--no-snapshots'];
    const first = await run([...args, '--dry-run']);
    const second = await run([...args, '--dry-run']);
    expect(first.code, first.output).toBe(0);
    const lines = (output: string) => output.split('\n').filter((line) => line.startsWith('{"ts"'));
    expect(lines(first.output).length).toBeGreaterThan(216);
    expect(lines(second.output)).toEqual(lines(first.output));
    const otherSeed = await run([...args.map((a) => (a === '1' ? '2' : a)), '--dry-run']);
    expect(lines(otherSeed.output)).not.toEqual(lines(first.output));

    const expected = lines(first.output)
      .map((line) => JSON.parse(line) as { topic?: string; payload?: string })
      .filter((line) => line.topic?.endsWith('/telemetry'))
      .map((line) => line.payload);
    const before = received.length;
    const live = await run(args);
    expect(live.code, live.output).toBe(0);
    expect(live.output).toContain('scenario finished');
    await waitFor(() => received.slice(before).filter((m) => m.topic === topics.telemetry('KG-WQ-04')).length >= expected.length, {
      message: 'every reading of the scenario',
    });
    expect(
      received
        .slice(before)
        .filter((m) => m.topic === topics.telemetry('KG-WQ-04'))
        .map((m) => m.payload),
    ).toEqual(expected);
    // The scenario hands its station back in maintenance: its end raises no "station offline".
    await waitFor(() => received.slice(before).some((m) => m.topic === topics.status('KG-WQ-04') && m.payload.includes('maintenance')), {
      message: 'the final maintenance status',
    });
    const statuses = received.slice(before).filter((m) => m.topic === topics.status('KG-WQ-04'));
    expect(JSON.parse(statuses.at(-1)?.payload ?? '{}')).toEqual({ status: 'maintenance' });
  });

  it('--list-scenarios lists the seeded scenarios; a scenario that would run into the future is refused', async () => {
    const listed = await run(['--list-scenarios']);
    expect(listed.code).toBe(0);
    expect(listed.output).toMatch(/do-crash +18h +×216 +Night-time DO crash/);
    const future = await run(['--scenario', 'do-crash', '--start', new Date(Date.now() + 3_600_000).toISOString()]);
    expect(future.code).toBe(1);
    expect(future.output).toContain('ingest refuses readings more than 5 min in the future');
  });

  it('refuses unknown site ids with exit code 1 and lists them', async () => {
    const result = await run(['--sites', 'KG-WQ-01,NOPE-1']);
    expect(result.code).toBe(1);
    expect(result.output).toContain('unknown site id: NOPE-1');
  });
});
