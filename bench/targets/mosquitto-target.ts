/**
 * Mosquitto, the native anchor of the relay benchmark, run by a small Node parent that owns its
 * lifecycle (so it dies with the benchmark): a temporary configuration on a free loopback port,
 * anonymous access, no persistence, TCP_NODELAY, and queue limits raised so QoS 1 is never
 * dropped (defaults: 1,000 queued and 20 in flight per client).
 *
 * Usage: mosquitto-target.ts <binary> <device count> <work directory>
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { topicFilters, topics } from '../../common/topics.js';
import { type BrokerTargetInfo, benchSiteId, type DeviceEndpoint } from '../load/bench-sites.js';
import { freePort } from '../proc/free-port.js';
import { serveRpc } from '../proc/rpc.js';

const HOST = '127.0.0.1';
const binary = process.argv[2] ?? '/usr/sbin/mosquitto';
const deviceCount = Number(process.argv[3] ?? '1000');
const workDir = process.argv[4] ?? os.tmpdir();

let mosquitto: ChildProcess | undefined;
let dir: string | undefined;

/** The configuration file text (mosquitto.conf(5), version 2.0). */
function mosquittoConfig(port: number): string {
  return [
    `listener ${port} ${HOST}`,
    'allow_anonymous true',
    'persistence false',
    'set_tcp_nodelay true',
    // 0 = no limit: every QoS 1 message is kept and sent, none dropped for a slow consumer.
    'max_inflight_messages 0',
    'max_queued_messages 0',
    'max_queued_bytes 0',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (mosquitto?.exitCode !== null && mosquitto?.exitCode !== undefined) throw new Error(`mosquitto exited with ${mosquitto.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: HOST, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not listen on ${HOST}:${port} within ${timeoutMs} ms`);
}

async function start(): Promise<BrokerTargetInfo> {
  dir = fs.mkdtempSync(path.join(workDir, 'mosquitto-'));
  const port = await freePort();
  const configFile = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(configFile, mosquittoConfig(port));
  const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'inherit', 'inherit'] });
  mosquitto = child;
  await waitForPort(port, 10_000);
  const pid = child.pid;
  if (pid === undefined) throw new Error('mosquitto has no pid');
  const devices = Array.from({ length: deviceCount }, (_, i): DeviceEndpoint => {
    const siteId = benchSiteId(i + 1);
    return { clientId: siteId, topic: topics.telemetry(siteId) };
  });
  return { host: HOST, port, pid, devices, subscriber: { clientId: 'bench-subscriber', filter: topicFilters.allDeviceTelemetry } };
}

async function shutdown(): Promise<void> {
  const child = mosquitto;
  mosquitto = undefined;
  if (child && child.exitCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

serveRpc({ start, handlers: {}, shutdown });
