/**
 * Property-based fuzz of everything that reads untrusted device input, in process: the telemetry,
 * status and event decoders, the topic parser and the broker's ACL. Well over 100,000 generated
 * cases per run (see the run counts below); fast-check prints the seed and the shrunk input of any
 * failure, so it can be replayed with `{ seed, path }`.
 *
 * Properties: nothing throws; every refusal carries a known reason and an explanation; nothing is
 * dropped silently (a message yields data or at least one rejection); whatever is accepted is valid
 * (the topic's site, a timestamp within retention and clock skew, catalog metrics within their
 * physical range); valid input is accepted exactly; the ACL lets a device publish on its own three
 * topics and subscribe to its own commands, and nothing else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Acl } from '../../../broker/acl.js';
import { deviceIdentity } from '../../../broker/client-identity.js';
import { isMetricId, METRIC_IDS, METRICS } from '../../../common/metrics.js';
import { DEVICE_EVENT_SEVERITIES } from '../../../common/payloads.js';
import { MAX_FUTURE_SKEW_MS, REJECTION_REASONS } from '../../../common/rejections.js';
import { DEVICE_STATUSES } from '../../../common/sites.js';
import { parseTopic, topics } from '../../../common/topics.js';
import type { DecodeRejection } from '../../../ingest/decode/decode-types.js';
import { decodeEvent } from '../../../ingest/decode/event.js';
import { decodeStatus } from '../../../ingest/decode/status.js';
import { decodeTelemetry } from '../../../ingest/decode/telemetry.js';
import { FUZZ_NOW, hostileEvent, hostileStatus, hostileTelemetry, hostileTopic, inRange } from './fuzz-arbitraries.js';

/** Generated cases per property; their sum is the run's total. */
const RUNS = { telemetry: 60_000, validTelemetry: 5_000, status: 15_000, events: 15_000, topics: 20_000 } as const;

const SITE = 'KG-WQ-01';
const OTHER = 'KG-WQ-02';
const RETENTION_MS = 90 * 24 * 3600 * 1000;
const context = { siteId: SITE, receivedAt: FUZZ_NOW, oldestAcceptedTs: FUZZ_NOW - RETENTION_MS };
const reasons: ReadonlySet<string> = new Set(REJECTION_REASONS);

function checkRejections(rejections: readonly DecodeRejection[]): void {
  for (const rejection of rejections) {
    if (!reasons.has(rejection.reason)) throw new Error(`unknown reason ${rejection.reason}`);
    if (typeof rejection.detail !== 'string' || rejection.detail.length === 0) throw new Error(`no detail for ${rejection.reason}`);
  }
}

function checkTimestamp(ts: number): void {
  if (!Number.isSafeInteger(ts)) throw new Error(`ts ${ts} is not an integer of ms`);
  if (ts < context.oldestAcceptedTs || ts > context.receivedAt + MAX_FUTURE_SKEW_MS) throw new Error(`ts ${ts} outside retention/skew`);
}

describe('decoder fuzz (fast-check)', () => {
  it(`telemetry: ${RUNS.telemetry} hostile payloads are decoded or rejected with a reason, never thrown or dropped silently`, () => {
    fc.assert(
      fc.property(hostileTelemetry, (payload) => {
        const { readings, rejections } = decodeTelemetry(payload, context);
        checkRejections(rejections);
        if (readings.length === 0 && rejections.length === 0) throw new Error('message dropped without a rejection');
        for (const reading of readings) {
          if (reading.siteId !== SITE) throw new Error(`reading for ${reading.siteId}`);
          checkTimestamp(reading.ts);
          const entries = Object.entries(reading.values);
          if (entries.length === 0) throw new Error('reading without values');
          for (const [metric, value] of entries) {
            if (!isMetricId(metric)) throw new Error(`stored unknown metric ${metric}`);
            if (!Number.isFinite(value) || value < METRICS[metric].min || value > METRICS[metric].max) {
              throw new Error(`${metric} = ${value} accepted outside its range`);
            }
          }
        }
      }),
      { numRuns: RUNS.telemetry },
    );
  });

  it(`telemetry: ${RUNS.validTelemetry} valid readings are accepted exactly`, () => {
    const valid = fc.record({
      ts: fc.integer({ min: context.oldestAcceptedTs, max: FUZZ_NOW }),
      values: fc
        .uniqueArray(fc.constantFrom(...METRIC_IDS), { minLength: 1, maxLength: 6 })
        .chain((ids) => fc.tuple(...ids.map(inRange)).map((values) => Object.fromEntries(ids.map((id, i) => [id, values[i] ?? 0])))),
    });
    fc.assert(
      fc.property(valid, fc.boolean(), (reading, asArray) => {
        const payload = Buffer.from(JSON.stringify(asArray ? [reading] : reading));
        const result = decodeTelemetry(payload, context);
        expect(result.rejections).toEqual([]);
        expect(result.readings).toEqual([{ siteId: SITE, ts: reading.ts, values: reading.values }]);
      }),
      { numRuns: RUNS.validTelemetry },
    );
  });

  it(`status: ${RUNS.status} hostile payloads give a valid status or a rejection`, () => {
    fc.assert(
      fc.property(hostileStatus, (payload) => {
        const { status, rejections } = decodeStatus(payload, context);
        checkRejections(rejections);
        if (!status) {
          if (rejections.length === 0) throw new Error('status dropped without a rejection');
          return;
        }
        if (status.siteId !== SITE || !DEVICE_STATUSES.includes(status.status)) throw new Error(`bad status ${JSON.stringify(status)}`);
        if (status.ts > context.receivedAt + MAX_FUTURE_SKEW_MS) throw new Error('status from the future accepted');
        if (status.battery !== undefined && !(status.battery >= 0 && status.battery <= 60)) throw new Error('battery out of range');
        if (status.rssi !== undefined && !(status.rssi >= -150 && status.rssi <= 0)) throw new Error('rssi out of range');
      }),
      { numRuns: RUNS.status },
    );
  });

  it(`events: ${RUNS.events} hostile payloads give a valid event or a rejection`, () => {
    fc.assert(
      fc.property(hostileEvent, (payload) => {
        const { event, rejections } = decodeEvent(payload, context);
        checkRejections(rejections);
        if (!event) {
          if (rejections.length === 0) throw new Error('event dropped without a rejection');
          return;
        }
        if (event.siteId !== SITE || !/^[a-z][a-z0-9_]{0,63}$/.test(event.type)) throw new Error(`bad event ${JSON.stringify(event)}`);
        if (!DEVICE_EVENT_SEVERITIES.includes(event.severity)) throw new Error(`bad severity ${event.severity}`);
        if ((event.message?.length ?? 0) > 500) throw new Error('message too long accepted');
        checkTimestamp(event.ts);
      }),
      { numRuns: RUNS.events },
    );
  });

  it(`topics: ${RUNS.topics} mutated topics — a device publishes on its own three topics and subscribes to its commands, nothing else`, () => {
    const acl = new Acl();
    const device = deviceIdentity(SITE);
    const own = new Set([topics.telemetry(SITE), topics.status(SITE), topics.events(SITE)]);
    fc.assert(
      fc.property(hostileTopic(SITE, OTHER), (topic) => {
        const parsed = parseTopic(topic);
        if (
          parsed &&
          topic !==
            `${parsed.scope === 'device' ? 'sites' : 'platform'}/${parsed.scope === 'device' ? `${parsed.siteId}/${parsed.channel}` : `${parsed.channel}/${parsed.siteId}`}`
        ) {
          throw new Error(`parseTopic accepted a non-canonical topic ${JSON.stringify(topic)}`);
        }
        expect(acl.canPublish(device, topic)).toBe(own.has(topic));
        expect(acl.canSubscribe(device, topic)).toBe(topic === topics.commands(SITE));
      }),
      { numRuns: RUNS.topics },
    );
  });

  it('refuses an oversized batch with too_many_entries and keeps the entries within the cap', () => {
    const entries = Array.from({ length: 10_001 }, (_, i) => ({ ts: FUZZ_NOW - 10_001 + i, values: { do: 5 } }));
    const result = decodeTelemetry(Buffer.from(JSON.stringify(entries)), context);
    expect(result.rejections.map((r) => r.reason)).toContain('too_many_entries');
    expect(result.readings.length).toBeLessThanOrEqual(10_000);
  });
});
