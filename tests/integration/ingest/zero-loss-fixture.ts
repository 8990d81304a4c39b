/**
 * Helpers of the zero-loss tests: numbered readings that can be published over MQTT and found
 * again, exactly, in what a time-series server stored.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../../../common/topics.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import type { ExportedSample } from '../../support/time-series-servers.js';

/** Reading `i`: a site of `sites`, a unique timestamp, and two values derived from `i`. */
export function numberedReading(
  i: number,
  sites: readonly string[],
  base: number,
): { siteId: string; ts: number; values: { do: number; ph: number } } {
  return {
    siteId: sites[i % sites.length] as string,
    ts: base + i * 100,
    values: { do: Math.round(((i % 2000) / 100 + 0.5) * 100) / 100, ph: Math.round((6 + (i % 300) / 100) * 100) / 100 },
  };
}

/** The simulator service's MQTT client: it may publish on every site's topics. */
export async function connectPublisher(url: string, serviceToken: string): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    username: SERVICE_USERS.simulator,
    password: serviceToken,
    clientId: `zero-loss-publisher-${process.pid}-${Date.now()}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/**
 * Publishes readings `from`…`to - 1`, one per QoS 1 message, `chunk` at a time with `pauseMs`
 * between chunks so they flow over a stretch of time. Each publish resolves on the broker's PUBACK.
 */
export async function publishReadings(
  client: MqttClient,
  range: { readonly from: number; readonly to: number },
  shape: { readonly sites: readonly string[]; readonly base: number; readonly chunk: number; readonly pauseMs: number },
  onProgress?: (published: number) => void,
): Promise<void> {
  for (let start = range.from; start < range.to; start += shape.chunk) {
    const end = Math.min(range.to, start + shape.chunk);
    const publishes: Promise<unknown>[] = [];
    for (let i = start; i < end; i++) {
      const { siteId, ts, values } = numberedReading(i, shape.sites, shape.base);
      publishes.push(client.publishAsync(topics.telemetry(siteId), JSON.stringify({ ts, values }), { qos: 1 }));
    }
    await Promise.all(publishes);
    onProgress?.(end);
    if (end < range.to && shape.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, shape.pauseMs));
  }
}

/**
 * Checks that readings 0…count-1 were stored exactly once per series and timestamp with their
 * exact values; returns the problems (empty when all is well).
 */
export function storedExactlyOnce(samples: readonly ExportedSample[], count: number, sites: readonly string[], base: number): string[] {
  const seen = new Map<string, number[]>();
  for (const sample of samples) {
    const key = `${sample.name}|${sample.labels.site}|${sample.ts}`;
    seen.set(key, [...(seen.get(key) ?? []), sample.value]);
  }
  const problems: string[] = [];
  for (let i = 0; i < count; i++) {
    const { siteId, ts, values } = numberedReading(i, sites, base);
    for (const [metric, value] of Object.entries(values)) {
      const stored = seen.get(`readings_${metric}|${siteId}|${ts}`) ?? [];
      if (stored.length !== 1 || stored[0] !== value)
        problems.push(`reading ${i} ${metric}: expected [${value}], stored [${stored.join(', ')}]`);
    }
  }
  if (samples.length !== count * 2) problems.push(`expected ${count * 2} samples, the server has ${samples.length}`);
  return problems;
}

/** Distinct readings (by site and timestamp) present in the export. */
export function distinctReadings(samples: readonly ExportedSample[]): number {
  return new Set(samples.filter((s) => s.name === 'readings_do').map((s) => `${s.labels.site}|${s.ts}`)).size;
}

/**
 * Sum of the Prometheus text-format samples of `name` whose labels include `labels` (other labels,
 * such as a registry's default `service`, are ignored); undefined when there is none.
 */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}
