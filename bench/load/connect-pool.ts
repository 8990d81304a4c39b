/**
 * Opens many MQTT connections with a bounded number in progress, so the target's listen backlog and
 * authentication are not swamped. Devices refused (e.g. CONNACK 3, server unavailable, during a
 * connection storm) try again after a pause, as field devices do; the result says how many needed to.
 */
import type { RawMqttClient } from '../mqtt/raw-client.js';
import type { ConnectResult } from './protocol.js';

export interface ConnectPlan {
  /** Connections in progress at once. */
  readonly concurrency: number;
  /** Further rounds for the devices that failed, each after {@link retryDelayMs}. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Connects device `0..count-1`, each through a fresh client from `make` per attempt. Returns the
 * clients (undefined for devices that never connected) and the counts; failures are never thrown.
 */
export async function connectAll(
  count: number,
  make: (index: number) => RawMqttClient,
  plan: ConnectPlan,
): Promise<{ clients: (RawMqttClient | undefined)[]; result: ConnectResult }> {
  const startedAt = performance.now();
  const errors = new Map<string, number>();
  const clients: (RawMqttClient | undefined)[] = new Array(count).fill(undefined);
  let pending = Array.from({ length: count }, (_, i) => i);
  let retried = 0;
  const rounds = 1 + (plan.retries ?? 0);
  for (let round = 0; round < rounds && pending.length > 0; round++) {
    if (round > 0) await sleep(plan.retryDelayMs ?? 1_000);
    const failed: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < pending.length) {
        const index = pending[next++];
        if (index === undefined) continue;
        const client = make(index);
        try {
          await client.connect();
          clients[index] = client;
          if (round > 0) retried++;
        } catch (error) {
          failed.push(index);
          if (round === 0) {
            const message = error instanceof Error ? error.message : String(error);
            errors.set(message, (errors.get(message) ?? 0) + 1);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(plan.concurrency, pending.length)) }, worker));
    pending = failed;
  }
  return {
    clients,
    result: {
      connected: count - pending.length,
      failed: pending.length,
      retried,
      ms: performance.now() - startedAt,
      errors: [...errors].slice(0, 5).map(([message, times]) => `${message} (×${times} at first)`),
    },
  };
}
