/**
 * Idle device connections for the memory measurement: each device logs in with its own token and
 * a Last Will (status `offline`, retained), as a field device does, then only keeps the connection
 * alive with PINGREQ — one timer for the whole fleet.
 */
import { topics } from '../../common/topics.js';
import { RawMqttClient } from '../mqtt/raw-client.js';
import { connectAll } from './connect-pool.js';
import type { ConnectResult, IdleConnectArgs } from './protocol.js';

const OFFLINE_WILL = JSON.stringify({ status: 'offline' });
/** Rounds of retries for refused devices, and the pause before each (a device's reconnect period), ms. */
const RETRIES = 3;
const RETRY_DELAY_MS = 2_000;

export class IdleFleet {
  private clients: RawMqttClient[] = [];
  private pinger: NodeJS.Timeout | undefined;

  async connect(args: IdleConnectArgs): Promise<ConnectResult> {
    // Ping at half the keepalive, so no device is ever late.
    this.pinger = setInterval(
      () => {
        for (const client of this.clients) if (client.connected) client.ping();
      },
      (args.keepaliveSec * 1000) / 2,
    );
    const { clients, result } = await connectAll(
      args.devices.length,
      (index) => {
        const device = args.devices[index];
        if (!device) throw new RangeError(`no device ${index}`);
        return new RawMqttClient({
          host: args.mqtt.host,
          port: args.mqtt.port,
          clientId: device.siteId,
          username: device.siteId,
          password: device.token,
          keepaliveSec: args.keepaliveSec,
          clean: true,
          will: { topic: topics.status(device.siteId), payload: OFFLINE_WILL, qos: 1, retain: true },
          connectTimeoutMs: 60_000,
        });
      },
      { concurrency: args.concurrency, retries: RETRIES, retryDelayMs: RETRY_DELAY_MS },
    );
    this.clients = clients.filter((client) => client !== undefined);
    return result;
  }

  /** Connections still open. */
  get connected(): number {
    return this.clients.filter((client) => client.connected).length;
  }

  async disconnect(): Promise<void> {
    clearInterval(this.pinger);
    const clients = this.clients;
    this.clients = [];
    for (let i = 0; i < clients.length; i += 500) await Promise.all(clients.slice(i, i + 500).map((client) => client.disconnect()));
  }
}
