import { describe, expect, it } from 'vitest';
import { MAX_FUTURE_SKEW_MS } from '../../../common/rejections.js';
import { decodeTelemetry, type TelemetryDecodeContext } from '../../../ingest/decode/telemetry.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const DAY = 86_400_000;
const ctx: TelemetryDecodeContext = { siteId: 'KG-WQ-01', receivedAt: NOW, oldestAcceptedTs: NOW - 90 * DAY };
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const decode = (value: unknown, context: TelemetryDecodeContext = ctx) => decodeTelemetry(bytes(value), context);

describe('decodeTelemetry: accepted forms', () => {
  it('takes {"ts", "values"} at the given timestamp', () => {
    const result = decode({ ts: NOW - 1000, values: { do: 5.2, ph: 7.4, temperature: 29.5 } });
    expect(result.rejections).toEqual([]);
    expect(result.readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW - 1000, values: { do: 5.2, ph: 7.4, temperature: 29.5 } }]);
  });

  it('uses the receive time when ts is missing', () => {
    const result = decode({ values: { salinity: 3.1 } });
    expect(result.readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW, values: { salinity: 3.1 } }]);
  });

  it('accepts the flat ThingsBoard form, with or without ts', () => {
    expect(decode({ do: 4.1, battery: 12.6 }).readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW, values: { do: 4.1, battery: 12.6 } }]);
    expect(decode({ ts: NOW - 5, rssi: -71 }).readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW - 5, values: { rssi: -71 } }]);
  });

  it('stores a backfill array at the original timestamps, oldest first, merging equal timestamps', () => {
    const result = decode([
      { ts: NOW - 60_000, values: { do: 4.8 } },
      { ts: NOW - 180_000, values: { do: 4.6 } },
      { ts: NOW - 120_000, values: { do: 4.7 } },
      { ts: NOW - 60_000, values: { ph: 7.1 } },
    ]);
    expect(result.rejections).toEqual([]);
    expect(result.readings.map((r) => [r.ts, r.values])).toEqual([
      [NOW - 180_000, { do: 4.6 }],
      [NOW - 120_000, { do: 4.7 }],
      [NOW - 60_000, { do: 4.8, ph: 7.1 }],
    ]);
  });

  it('rounds fractional milliseconds and accepts boundary values of the physical range', () => {
    const result = decode({ ts: NOW - 10.6, values: { ph: 14, salinity: 0, rssi: -150 } });
    expect(result.rejections).toEqual([]);
    expect(result.readings[0]).toEqual({ siteId: 'KG-WQ-01', ts: NOW - 11, values: { ph: 14, salinity: 0, rssi: -150 } });
  });

  it('accepts a timestamp exactly at the skew limit and at the retention limit', () => {
    expect(decode({ ts: NOW + MAX_FUTURE_SKEW_MS, values: { do: 5 } }).readings).toHaveLength(1);
    expect(decode({ ts: ctx.oldestAcceptedTs, values: { do: 5 } }).readings).toHaveLength(1);
  });
});

describe('decodeTelemetry: rejections with specific details', () => {
  it('malformed_json: not JSON, not UTF-8, empty', () => {
    expect(decode('{"values": {"do": 5').rejections).toEqual([
      { reason: 'malformed_json', detail: expect.stringMatching(/^invalid JSON: /) },
    ]);
    expect(decodeTelemetry(Buffer.from([0xff, 0xfe, 0x7b]), ctx).rejections).toEqual([
      { reason: 'malformed_json', detail: 'payload is not valid UTF-8 text' },
    ]);
    expect(decodeTelemetry(Buffer.alloc(0), ctx).rejections).toEqual([{ reason: 'malformed_json', detail: 'empty payload' }]);
  });

  it('invalid_payload: JSON of the wrong shape', () => {
    expect(decode(42).rejections).toEqual([{ reason: 'invalid_payload', detail: 'expected a JSON object or array, got a number' }]);
    expect(decode('null').rejections[0]?.detail).toBe('expected a JSON object or array, got null');
    expect(decode([]).rejections[0]).toMatchObject({ reason: 'invalid_payload', detail: expect.stringContaining('empty array') });
    expect(decode({ ts: NOW, values: [1, 2] }).rejections[0]).toEqual({
      reason: 'invalid_payload',
      detail: '"values" must be an object of metric → number, got an array',
    });
    expect(decode({ ts: NOW, values: {} }).rejections[0]).toEqual({ reason: 'invalid_payload', detail: 'no values' });
    expect(decode({ n: 'do', v: 5 }).rejections[0]?.detail).toContain('single SenML record');
  });

  it('invalid_payload: ts that is not epoch milliseconds, ISO strings included', () => {
    const result = decode({ ts: '2025-06-01T12:00:00Z', values: { do: 5 } });
    expect(result.readings).toEqual([]);
    expect(result.rejections).toEqual([
      {
        reason: 'invalid_payload',
        detail: 'ts must be epoch milliseconds as a JSON number, got a string ("2025-06-01T12:00:00Z") (ISO-8601 strings are not accepted)',
      },
    ]);
  });

  it('unknown_metric names the key and hints at case mistakes', () => {
    expect(decode({ values: { oxygen: 5 } }).rejections).toEqual([{ reason: 'unknown_metric', detail: "unknown metric 'oxygen'" }]);
    expect(decode({ values: { pH: 7 } }).rejections[0]?.detail).toBe(
      "unknown metric 'pH' (metric ids are case-sensitive: did you mean 'ph'?)",
    );
  });

  it('unknown_metric details are truncated and escaped', () => {
    const detail = decode({ values: { [`x\n${'y'.repeat(500)}`]: 1 } }).rejections[0]?.detail ?? '';
    expect(detail).toContain('\\u000a');
    expect(detail).not.toContain('\n');
    expect(detail.length).toBeLessThan(120);
  });

  it.each([
    ['a string', '"5"', 'do is a string ("5"), not a finite number'],
    ['null', 'null', 'do is null, not a finite number'],
    ['a boolean', 'true', 'do is a boolean (true), not a finite number'],
    ['an object', '{"v": 5}', 'do is an object, not a finite number'],
    ['an array', '[5]', 'do is an array, not a finite number'],
    ['Infinity (1e400 overflows in JSON.parse)', '1e400', 'do is Infinity (not finite), not a finite number'],
    ['the string "NaN"', '"NaN"', 'do is a string ("NaN"), not a finite number'],
  ])('wrong_type: %s', (_label, json, detail) => {
    const result = decode(`{"values": {"do": ${json}, "ph": 7.2}}`);
    expect(result.rejections).toEqual([{ reason: 'wrong_type', detail }]);
    expect(result.readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW, values: { ph: 7.2 } }]);
  });

  it('out_of_range: pH 15, negative salinity, with the range and unit', () => {
    const result = decode({ values: { ph: 15, salinity: -1, do: 6 } });
    expect(result.rejections).toEqual([
      { reason: 'out_of_range', detail: 'ph = 15 is outside 0–14' },
      { reason: 'out_of_range', detail: 'salinity = -1 ‰ is outside 0–50 ‰' },
    ]);
    expect(result.readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW, values: { do: 6 } }]);
  });

  it('timestamp_in_future: more than 5 minutes ahead drops the entry', () => {
    const ts = NOW + MAX_FUTURE_SKEW_MS + 60_000;
    expect(decode({ ts, values: { do: 5 } })).toEqual({
      readings: [],
      rejections: [
        {
          reason: 'timestamp_in_future',
          detail: `ts ${new Date(ts).toISOString()} is 360 s ahead of the platform clock (at most 300 s allowed)`,
        },
      ],
    });
  });

  it('timestamp_too_old: before retention, with a hint when it looks like seconds', () => {
    const old = ctx.oldestAcceptedTs - 1;
    expect(decode({ ts: old, values: { do: 5 } }).rejections).toEqual([
      {
        reason: 'timestamp_too_old',
        detail: `ts ${new Date(old).toISOString()} is before the oldest accepted time ${new Date(ctx.oldestAcceptedTs).toISOString()} (retention)`,
      },
    ]);
    const seconds = Math.floor(NOW / 1000);
    expect(decode({ ts: seconds, values: { do: 5 } }).rejections[0]?.detail).toContain(
      'it looks like epoch seconds; ts is epoch milliseconds',
    );
  });

  it('too_many_entries: keeps the first maxEntries and reports the rest', () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({ ts: NOW - i * 1000, values: { do: 5 } }));
    const result = decode(entries, { ...ctx, maxEntries: 3 });
    expect(result.readings).toHaveLength(3);
    expect(result.rejections).toEqual([
      { reason: 'too_many_entries', detail: '5 entries in one message, at most 3 accepted: entries 3–4 dropped' },
    ]);
  });
});

describe('decodeTelemetry: mixed batches keep the good', () => {
  it('drops only the bad values and entries of a backfill and says where each one was', () => {
    const result = decode([
      { ts: NOW - 3000, values: { do: 5.1, ph: 15 } },
      { ts: 'yesterday', values: { do: 5.2 } },
      { ts: NOW + 3_600_000, values: { do: 5.3 } },
      'not an object',
      { ts: NOW - 1000, values: { do: 5.4, oxygen: 1, salinity: '2' } },
    ]);
    expect(result.readings).toEqual([
      { siteId: 'KG-WQ-01', ts: NOW - 3000, values: { do: 5.1 } },
      { siteId: 'KG-WQ-01', ts: NOW - 1000, values: { do: 5.4 } },
    ]);
    expect(result.rejections.map((r) => [r.reason, r.detail.split(':')[0]])).toEqual([
      ['out_of_range', 'entry 0'],
      ['invalid_payload', 'entry 1'],
      ['timestamp_in_future', 'entry 2'],
      ['invalid_payload', 'entry 3'],
      ['unknown_metric', 'entry 4'],
      ['wrong_type', 'entry 4'],
    ]);
  });

  it('never throws on garbage', () => {
    const samples: Buffer[] = [
      Buffer.from('['.repeat(100_000)),
      Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)}`),
      Buffer.from(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`),
      Buffer.from('{"__proto__": {"do": 1}, "constructor": 5}'),
      Buffer.from('{"values": {"__proto__": 5}}'),
    ];
    for (let seed = 1; seed <= 50; seed++) {
      const random = Buffer.alloc(64 + seed * 7);
      let x = seed * 2_654_435_761;
      for (let i = 0; i < random.length; i++) {
        x = (x * 1_103_515_245 + 12_345) >>> 0;
        random[i] = x & 0xff;
      }
      samples.push(random);
    }
    for (const sample of samples) {
      const result = decodeTelemetry(sample, ctx);
      expect(result.readings.every((r) => Object.keys(r.values).every((k) => k !== '__proto__'))).toBe(true);
      expect(result.rejections.length + result.readings.length).toBeGreaterThan(0);
    }
    expect(({} as Record<string, unknown>).do).toBeUndefined();
  });
});
