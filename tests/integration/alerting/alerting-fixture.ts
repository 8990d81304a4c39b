/**
 * The whole platform in-process (as `npm start`) with rule seeds of the test's choosing (short
 * windows), plus the real clients that watch it: an admin REST client, a socket.io client collecting
 * `alert` and `reading` events, an MQTT client subscribed to `alerts/+` like a downstream system,
 * and devices publishing with issued tokens.
 */
import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import type { RuleDefinitionInput } from '../../../common/alert-rules.js';
import type { AlertChange } from '../../../common/alerts.js';
import type { DeviceTokenResponse } from '../../../common/api.js';
import type { ClientToServerEvents, LiveReading, ServerToClientEvents } from '../../../common/socket-events.js';
import { topicFilters } from '../../../common/topics.js';
import type { Config } from '../../../platform/config/config.js';
import { silentLogger } from '../../../platform/logger.js';
import { createPlatform, type Platform } from '../../../platform/platform.js';
import { hashSecret, PASSWORD_COST } from '../../../platform/security/secret-hash.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { ApiClient } from '../../support/api-client.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';

export const ADMIN = { username: 'admin', password: 'test-admin-password' };

/** A seeds directory with the shipped sites and presets and the given rules. */
export function writeSeeds(dir: string, rules: readonly RuleDefinitionInput[]): string {
  const seeds = path.join(dir, 'seeds');
  fs.mkdirSync(path.join(seeds, 'rules', 'presets'), { recursive: true });
  fs.copyFileSync(path.resolve('seeds/sites.json'), path.join(seeds, 'sites.json'));
  for (const file of fs.readdirSync(path.resolve('seeds/rules/presets'))) {
    fs.copyFileSync(path.resolve('seeds/rules/presets', file), path.join(seeds, 'rules', 'presets', file));
  }
  fs.writeFileSync(path.join(seeds, 'rules', 'test-rules.json'), JSON.stringify(rules, null, 2));
  return seeds;
}

/** A threshold rule on DO for some sites, with windows in seconds. */
export function doRule(
  id: string,
  sites: readonly string[],
  raiseAfterSec: number,
  clearAfterSec: number,
  below = 3.5,
): RuleDefinitionInput {
  return {
    id,
    name: { vi: 'Oxy hòa tan thấp', en: 'Low dissolved oxygen' },
    condition: 'threshold',
    metric: 'do',
    scope: { sites: [...sites] },
    bands: [{ severity: 'critical', op: '<', value: below, clear: below + 0.5 }],
    raiseAfterSec,
    clearAfterSec,
  };
}

export class AlertingPlatform {
  readonly temp = makeTempDir('mekong-ioc-alerting-');
  readonly config: Config;
  platform: Platform | undefined;
  api: ApiClient | undefined;
  socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  downstream: MqttClient | undefined;
  /** What the socket.io client and the MQTT subscriber received, in order. */
  readonly socketAlerts: AlertChange[] = [];
  readonly socketReadings: LiveReading[] = [];
  readonly mqttAlerts: { topic: string; change: AlertChange }[] = [];
  private readonly devices: MqttClient[] = [];

  constructor(rules: readonly RuleDefinitionInput[]) {
    const seeds = writeSeeds(this.temp.dir, rules);
    this.config = testConfig(path.join(this.temp.dir, 'data'), { SEEDS_DIR: seeds });
  }

  get running(): Platform {
    if (!this.platform) throw new Error('platform not started');
    return this.platform;
  }

  get admin(): ApiClient {
    if (!this.api) throw new Error('platform not started');
    return this.api;
  }

  /** Starts the platform and logs the admin in; with `watch`, also the socket.io and MQTT watchers. */
  async start(watch = true): Promise<void> {
    this.platform = await createPlatform({ config: this.config, logger: silentLogger() });
    await this.platform.start();
    this.api = new ApiClient(this.platform.webUrl);
    await this.api.login(ADMIN.username, ADMIN.password);
    if (!watch) return;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(this.platform.webUrl, {
      extraHeaders: { cookie: this.api.cookie },
      transports: ['websocket'],
    });
    socket.on('alert', (change) => this.socketAlerts.push(change));
    socket.on('reading', (reading) => this.socketReadings.push(reading));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    this.socket = socket;
    const downstream = await mqtt.connectAsync(this.platform.mqttUrl, {
      username: SERVICE_USERS.web,
      password: this.config.SERVICE_TOKEN,
      clientId: `downstream-${Date.now()}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    downstream.on('message', (topic, payload) =>
      this.mqttAlerts.push({ topic, change: JSON.parse(payload.toString('utf8')) as AlertChange }),
    );
    const granted = await downstream.subscribeAsync(topicFilters.allAlerts, { qos: 1 });
    if (granted.some((grant) => grant.qos === 128)) throw new Error('alerts subscription refused');
    this.downstream = downstream;
  }

  /** A device of `siteId` with a freshly issued token. */
  async device(siteId: string): Promise<MqttClient> {
    const { token } = await this.admin.post<DeviceTokenResponse>(`/api/sites/${siteId}/token`);
    const device = await mqtt.connectAsync(this.running.mqttUrl, {
      username: siteId,
      password: token,
      clientId: `test-${siteId}-${this.devices.length}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    this.devices.push(device);
    return device;
  }

  /** A REST client logged in as a new user with `role`. */
  async userWithRole(username: string, role: 'viewer' | 'operator'): Promise<ApiClient> {
    const password = `${username}-password-123`;
    await this.running.stores.registry.saveUser({
      username,
      passwordHash: await hashSecret(password, PASSWORD_COST),
      role,
      createdAt: Date.now(),
    });
    const client = new ApiClient(this.running.webUrl);
    await client.login(username, password);
    return client;
  }

  /** Stops the watchers, devices and the platform (the data directory stays). */
  async stop(): Promise<void> {
    this.socket?.close();
    this.socket = undefined;
    await this.downstream?.endAsync(true);
    this.downstream = undefined;
    for (const device of this.devices.splice(0)) await device.endAsync(true);
    await this.platform?.stop();
    this.platform = undefined;
  }

  async cleanup(): Promise<void> {
    await this.stop();
    this.temp.cleanup();
  }
}
