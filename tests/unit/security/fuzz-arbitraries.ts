/**
 * fast-check generators of hostile device input, shared by the in-process decoder fuzz
 * (tests/unit/security/decoder-fuzz.test.ts) and the wire fuzz against a real broker and ingest
 * (tests/integration/security/fuzz.test.ts).
 *
 * Payloads: random bytes (invalid UTF-8 included), arbitrary JSON, look-alikes of every accepted
 * form with wrong types, out-of-range and non-finite values, unknown metrics, prototype keys,
 * bogus SenML units and timestamps, deep nesting and oversized batches, and byte-level mutations
 * (flips, truncations, insertions, duplications) of valid payloads. Topics: mutations of the
 * contract's topics (case, levels, separators, other and invalid site ids, look-alike Unicode) and
 * arbitrary strings.
 */
import fc from 'fast-check';
import { METRIC_IDS, METRICS, type MetricId } from '../../../common/metrics.js';

/** Time the generators build timestamps around, epoch ms (a fixed instant: reproducible runs). */
export const FUZZ_NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const DAY = 24 * 3600 * 1000;

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** A value within the metric's physical range, in its catalog unit. */
export const inRange = (metric: MetricId): fc.Arbitrary<number> =>
  fc
    .double({ min: METRICS[metric].min, max: METRICS[metric].max, noNaN: true, noDefaultInfinity: true })
    .map((v) => (Object.is(v, -0) ? 0 : v));

/** Hostile values for a metric slot. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '', '5.2', '0x10', 'null', '1e999', '__proto__'),
  fc.constantFrom(null, true, false, [], {}, [1], { value: 1 }, -1e308, 1e308, Number.MAX_SAFE_INTEGER, -0.000001, 1e-320),
  fc.double(),
  fc.string({ maxLength: 20 }),
);

const metricKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...METRIC_IDS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('DO', 'pH', 'temp', 'salinity ', 'do\u0000', '__proto__', 'constructor', 'toString', 'ts', 'values'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const timestamp: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: FUZZ_NOW - 2 * DAY, max: FUZZ_NOW }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      FUZZ_NOW + DAY,
      FUZZ_NOW - 400 * DAY,
      Math.floor(FUZZ_NOW / 1000),
      0,
      -1,
      1.5,
      Number.MAX_SAFE_INTEGER,
      '2026-03-01T12:00:00Z',
      null,
    ),
  },
  { weight: 1, arbitrary: fc.double() },
);

const valueMap: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(metricKey, fc.oneof(inRange('do'), inRange('ph'), badValue), {
  maxKeys: 6,
});

/** Look-alikes of the accepted telemetry forms (common/payloads.ts), mostly wrong somewhere. */
const telemetryLookalike: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ ts: timestamp, values: valueMap }, { requiredKeys: [] }),
  valueMap,
  fc.array(fc.record({ ts: timestamp, values: valueMap }, { requiredKeys: ['values'] }), { maxLength: 8 }),
  fc.array(
    fc.record(
      {
        bn: fc.oneof(fc.constant('urn:dev:X:'), fc.string({ maxLength: 10 })),
        bt: fc.oneof(fc.integer({ min: Math.floor(FUZZ_NOW / 1000) - DAY / 1000, max: Math.floor(FUZZ_NOW / 1000) }), timestamp),
        n: metricKey,
        u: fc.constantFrom('Cel', 'K', 'mg/L', 'ppt', '%', 'S/m', 'mS/cm', 'mV', 'cm', '/1000', 'g/kg', 'PSU', 'degF', 'ppm', '', 'm'),
        v: fc.oneof(inRange('temperature'), badValue),
        vs: fc.string({ maxLength: 5 }),
        t: fc.oneof(fc.integer({ min: -100, max: 100 }), badValue),
      },
      { requiredKeys: ['n'] },
    ),
    { maxLength: 8 },
  ),
);

/** Syntactically odd but still JSON-ish, and not JSON at all. */
const oddText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '0',
    '"do"',
    '{}',
    '[]',
    '[[]]',
    '{"values":{}}',
    '{"values":null}',
    '{"__proto__":{"do":5}}',
    '{"constructor":{"prototype":{"do":1}}}',
    '\ufeff{"values":{"do":5}}',
    '{"values":{"do":5}',
    '{"values":{"do":5}}}',
    '{"values":{"do":5}} trailing',
    '{"values":{"do":5,"do":7}}',
    '{"values":{"do":1e999}}',
    '{"ts":1e400,"values":{"do":5}}',
    'NaN',
  ),
  fc.integer({ min: 1, max: 3000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 1, max: 3000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** Valid telemetry payloads (one form, random values within range). */
export const validTelemetry: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({
    ts: fc.integer({ min: FUZZ_NOW - DAY, max: FUZZ_NOW }),
    values: fc.dictionary(fc.constantFrom(...METRIC_IDS), fc.constant(0), { minKeys: 1, maxKeys: 4 }),
  }),
  fc.constant({ values: { do: 5.2, ph: 7.1 } }),
  fc.constant([
    { bn: 'urn:dev:X:', bt: Math.floor(FUZZ_NOW / 1000) - 60, n: 'temperature', u: 'Cel', v: 29.5 },
    { n: 'salinity', u: '/1000', v: 3.2 },
  ]),
);

/** Byte-level mutation of a payload: flip, truncate, insert, delete or (default) duplicate a slice. */
export function mutated(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(base, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'truncate', 'insert', 'delete', 'duplicate'))
    .map(([bytes, a, b, byte, kind]) => {
      const buffer = Buffer.from(bytes);
      if (buffer.length === 0) return Uint8Array.of(byte);
      const at = a % buffer.length;
      const span = 1 + (b % Math.min(16, buffer.length));
      switch (kind) {
        case 'flip':
          buffer[at] = (buffer[at] ?? 0) ^ (1 << (b % 8));
          return buffer;
        case 'truncate':
          return buffer.subarray(0, at);
        case 'insert':
          return Buffer.concat([buffer.subarray(0, at), Uint8Array.of(byte), buffer.subarray(at)]);
        case 'delete':
          return Buffer.concat([buffer.subarray(0, at), buffer.subarray(at + span)]);
        default:
          return Buffer.concat([buffer.subarray(0, at + span), buffer.subarray(at)]);
      }
    });
}

const json = (arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<Uint8Array> => arbitrary.map((value) => utf8(JSON.stringify(value) ?? ''));

/** Hostile telemetry payloads of every kind. */
export const hostileTelemetry: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 2, arbitrary: json(fc.jsonValue({ maxDepth: 4 })) },
  { weight: 5, arbitrary: json(telemetryLookalike) },
  { weight: 2, arbitrary: oddText.map(utf8) },
  { weight: 4, arbitrary: mutated(json(fc.oneof(validTelemetry, telemetryLookalike))) },
);

const statusLookalike: fc.Arbitrary<unknown> = fc.record(
  {
    status: fc.oneof(fc.constantFrom('online', 'offline', 'maintenance'), fc.constantFrom('ONLINE', 'up', '', null, 1)),
    ts: timestamp,
    battery: fc.oneof(inRange('battery'), badValue),
    rssi: fc.oneof(inRange('rssi'), badValue),
    firmware: fc.oneof(fc.string({ maxLength: 10 }), fc.string({ minLength: 65, maxLength: 80 }), badValue),
  },
  { requiredKeys: [] },
);

/** Hostile status payloads (non-empty: an empty retained status clears it, by design). */
export const hostileStatus: fc.Arbitrary<Uint8Array> = fc
  .oneof(
    fc.uint8Array({ minLength: 1, maxLength: 200 }),
    json(fc.jsonValue({ maxDepth: 3 })),
    json(statusLookalike),
    mutated(json(statusLookalike)),
    oddText.map(utf8),
  )
  .filter((bytes) => bytes.length > 0);

const eventLookalike: fc.Arbitrary<unknown> = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('vehicle_count', 'intrusion', 'tamper'),
      fc.constantFrom('Vehicle', '', '1x', 'a'.repeat(65), '<script>'),
      badValue,
    ),
    severity: fc.oneof(fc.constantFrom('info', 'warning', 'critical'), badValue),
    message: fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constant('<img src=x onerror=alert(1)>'),
      fc.string({ minLength: 501, maxLength: 520 }),
      badValue,
    ),
    data: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.double(), fc.boolean(), badValue)),
      badValue,
    ),
    ts: timestamp,
  },
  { requiredKeys: [] },
);

/** Hostile event payloads. */
export const hostileEvent: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  json(fc.jsonValue({ maxDepth: 3 })),
  json(eventLookalike),
  mutated(json(eventLookalike)),
  oddText.map(utf8),
);

/** Mutations of the topics of `siteId` and arbitrary strings; wildcard characters and U+0000 excluded (protocol errors, tested apart). */
export function hostileTopic(siteId: string, otherSiteId: string): fc.Arbitrary<string> {
  const own = [`sites/${siteId}/telemetry`, `sites/${siteId}/status`, `sites/${siteId}/events`];
  const near = [
    `sites/${siteId}/commands`,
    `sites/${otherSiteId}/telemetry`,
    `sites/${otherSiteId}/status`,
    `Sites/${siteId}/telemetry`,
    `sites/${siteId.toLowerCase()}/telemetry`,
    `sites/${siteId}/telemetry/`,
    `/sites/${siteId}/telemetry`,
    `sites//${siteId}/telemetry`,
    `sites/${siteId}/telemetry/extra`,
    `sites/${siteId}`,
    `sites/${siteId} /telemetry`,
    `sites/${siteId}/ｔelemetry`,
    `platform/readings/${siteId}`,
    `platform/site-status/${siteId}`,
    `alerts/${siteId}`,
    '$SYS/broker/uptime',
    'sites',
    '/',
  ];
  return fc
    .oneof(
      { weight: 2, arbitrary: fc.constantFrom(...own) },
      { weight: 3, arbitrary: fc.constantFrom(...near) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(fc.constantFrom(...own), fc.nat(), fc.string({ minLength: 1, maxLength: 3 }))
          .map(([topic, at, insert]) => topic.slice(0, at % topic.length) + insert + topic.slice(at % topic.length)),
      },
      { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 80 }) },
      { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 8 }).map((levels) => levels.join('/')) },
    )
    .filter(
      (topic) =>
        topic.length > 0 && !topic.includes('+') && !topic.includes('#') && !topic.includes('\0') && Buffer.byteLength(topic) < 65_535,
    );
}
