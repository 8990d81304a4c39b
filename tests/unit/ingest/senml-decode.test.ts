import { describe, expect, it } from 'vitest';
import { decodeTelemetry, type TelemetryDecodeContext } from '../../../ingest/decode/telemetry.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const NOW_S = NOW / 1000;
const ctx: TelemetryDecodeContext = { siteId: 'KG-WQ-01', receivedAt: NOW, oldestAcceptedTs: NOW - 90 * 86_400_000 };
const decode = (pack: unknown) => decodeTelemetry(Buffer.from(JSON.stringify(pack)), ctx);

describe('SenML: resolution (RFC 8428 §4.5–4.6)', () => {
  it('resolves bn + n to the metric, bt + t in seconds, and merges records with the same time', () => {
    const result = decode([
      { bn: 'urn:dev:KG-WQ-01:', bt: NOW_S - 60, n: 'do', u: 'mg/l', v: 5.2 },
      { n: 'temperature', u: 'Cel', v: 29.1 },
      { n: 'ph', v: 7.6 },
      { n: 'do', t: 30, v: 5.4 },
    ]);
    expect(result.rejections).toEqual([]);
    expect(result.readings).toEqual([
      { siteId: 'KG-WQ-01', ts: NOW - 60_000, values: { do: 5.2, temperature: 29.1, ph: 7.6 } },
      { siteId: 'KG-WQ-01', ts: NOW - 30_000, values: { do: 5.4 } },
    ]);
  });

  it('takes the part after the last "/" too, and a name without bn', () => {
    expect(decode([{ bn: 'KG-WQ-01/sensors/', n: 'salinity', v: 2.5, t: NOW_S }]).readings[0]?.values).toEqual({ salinity: 2.5 });
    expect(decode([{ n: 'rssi', u: 'dBm', v: -80, t: NOW_S }]).readings[0]?.values).toEqual({ rssi: -80 });
  });

  it('treats times below 2^28 s as relative to the receive time, missing time as now', () => {
    const result = decode([
      { n: 'do', v: 5, t: -120 },
      { n: 'ph', v: 7 },
    ]);
    expect(result.readings.map((r) => [r.ts, r.values])).toEqual([
      [NOW - 120_000, { do: 5 }],
      [NOW, { ph: 7 }],
    ]);
  });

  it('rounds fractional seconds to milliseconds', () => {
    expect(decode([{ n: 'do', v: 5, t: NOW_S - 1.2344 }]).readings[0]?.ts).toBe(NOW - 1234);
  });

  it('applies bv and bu as base value and unit, and a later bn/bt/bu replaces the earlier', () => {
    const result = decode([
      { bn: 'dev:', bt: NOW_S, bu: 'mV', bv: 3000, n: 'battery', v: 700 },
      { bn: 'other:', bu: 'V', bv: 0, bt: NOW_S - 10, n: 'battery', v: 3.6 },
    ]);
    expect(result.rejections).toEqual([]);
    expect(result.readings.map((r) => [r.ts, r.values])).toEqual([
      [NOW - 10_000, { battery: 3.6 }],
      [NOW, { battery: 3.7 }],
    ]);
  });

  it('accepts a header record of base fields only', () => {
    const result = decode([
      { bn: 'urn:dev:KG-WQ-01:', bt: NOW_S, bver: 10 },
      { n: 'do', v: 5 },
    ]);
    expect(result).toEqual({ readings: [{ siteId: 'KG-WQ-01', ts: NOW, values: { do: 5 } }], rejections: [] });
  });
});

describe('SenML: units', () => {
  it.each([
    ['Cel → °C', 'temperature', 'Cel', 28.5, 28.5],
    ['K → °C (−273.15)', 'temperature', 'K', 300, 26.85],
    ['S/m → µS/cm (×10 000)', 'conductivity', 'S/m', 0.0123, 123],
    ['mS/cm → µS/cm (×1000)', 'conductivity', 'mS/cm', 45.2, 45_200],
    ['uS/cm', 'conductivity', 'uS/cm', 850, 850],
    ['mV → V for battery (÷1000)', 'battery', 'mV', 3712, 3.712],
    ['V → mV for orp (×1000)', 'orp', 'V', 0.25, 250],
    ['/1000 (per mille) → ‰', 'salinity', '/1000', 4.2, 4.2],
    ['g/kg → ‰', 'salinity', 'g/kg', 12, 12],
    ['‰', 'salinity', '‰', 1.5, 1.5],
    ['mg/l → mg/L', 'do', 'mg/l', 6.1, 6.1],
    ['g/l → mg/L (×1000)', 'tss', 'g/l', 0.045, 45],
    ['kg/m3 → mg/L (×1000)', 'cod', 'kg/m3', 0.02, 20],
    ['ug/l → mg/L (÷1000)', 'nh4', 'ug/l', 250, 0.25],
    ['cm → m', 'water_level', 'cm', 135, 1.35],
    ['mm → m', 'water_level', 'mm', 1350, 1.35],
    ['dBW → dBm (+30)', 'rssi', 'dBW', -110, -80],
    ['pH', 'ph', 'pH', 7.2, 7.2],
    ['NTU', 'turbidity', 'NTU', 85, 85],
    ['/100 → % for crowd level', 'crowd_level', '/100', 40, 40],
    ['count', 'vehicle_count', 'count', 12, 12],
  ])('%s', (_label, metric, unit, sent, stored) => {
    const result = decode([{ n: metric, u: unit, v: sent, t: NOW_S }]);
    expect(result.rejections).toEqual([]);
    expect(result.readings[0]?.values).toEqual({ [metric]: stored });
  });

  it.each([
    ['DO saturation in %', 'do', '%', 'oxygen saturation (%) is a different quantity from concentration (mg/L)'],
    ['ppt (parts per trillion in SenML) for salinity', 'salinity', 'ppt', "'ppt' is parts per trillion in the SenML registry"],
    ['PSU for salinity', 'salinity', 'PSU', 'practical salinity (PSU) is not exactly ‰'],
    ['g/l for salinity', 'salinity', 'g/l', 'needs the water density'],
    ['ppm for a mg/L metric', 'cod', 'ppm', 'ppm is a mass fraction'],
    ['FNU for turbidity', 'turbidity', 'FNU', 'FNU (ISO 7027, infrared) is not exactly NTU'],
    ['a temperature in degF', 'temperature', 'degF', 'not a SenML unit'],
    ['seconds for a level', 'water_level', 's', 'accepted:'],
    ['case matters', 'conductivity', 'ms/cm', 'does not match'],
  ])('unit_mismatch: %s', (_label, metric, unit, fragment) => {
    const result = decode([
      { n: metric, u: unit, v: 5, t: NOW_S },
      { n: 'battery', u: 'V', v: 12.5, t: NOW_S },
    ]);
    expect(result.rejections).toHaveLength(1);
    expect(result.rejections[0]?.reason).toBe('unit_mismatch');
    expect(result.rejections[0]?.detail).toContain(`record 0: ${metric}: unit '${unit}' does not match`);
    expect(result.rejections[0]?.detail).toContain(fragment);
    expect(result.readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW, values: { battery: 12.5 } }]);
  });

  it('applies the range check to the converted value and shows both', () => {
    const result = decode([{ n: 'temperature', u: 'K', v: 400, t: NOW_S }]);
    expect(result.rejections).toEqual([
      { reason: 'out_of_range', detail: 'record 0: temperature = 400 K (126.85 °C) is outside -5–50 °C' },
    ]);
  });
});

describe('SenML: rejections', () => {
  it('refuses non-numeric values as wrong_type and keeps the numeric ones', () => {
    const result = decode([
      { bn: 'urn:dev:KG-WQ-01:', bt: NOW_S, n: 'do', vs: 'high' },
      { n: 'ph', vb: true },
      { n: 'salinity', v: '2.5' },
      { n: 'temperature', v: 28 },
    ]);
    expect(result.rejections).toEqual([
      { reason: 'wrong_type', detail: 'record 0: do has a string value (vs); only numeric values (v) are accepted' },
      { reason: 'wrong_type', detail: 'record 1: ph has a boolean value (vb); only numeric values (v) are accepted' },
      { reason: 'wrong_type', detail: 'record 2: salinity is a string ("2.5"), not a finite number' },
    ]);
    expect(result.readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW, values: { temperature: 28 } }]);
  });

  it('unknown_metric for names outside the catalog, invalid_payload for nameless or valueless records', () => {
    const result = decode([
      { bn: 'urn:dev:KG-WQ-01:', bt: NOW_S, n: 'oxygen', v: 5 },
      { bn: '', n: '', v: 5 },
      { bn: 'urn:dev:KG-WQ-01:', v: 5 },
      { n: 'do' },
      { n: 'do', v: 5 },
    ]);
    expect(result.rejections).toEqual([
      { reason: 'unknown_metric', detail: "record 0: unknown metric 'oxygen'" },
      { reason: 'invalid_payload', detail: 'record 1: record has no name (n or bn)' },
      { reason: 'invalid_payload', detail: "record 2: name 'urn:dev:KG-WQ-01:' ends without a metric id" },
      { reason: 'invalid_payload', detail: "record 3: 'urn:dev:KG-WQ-01:do' has no value (v)" },
    ]);
    expect(result.readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW, values: { do: 5 } }]);
  });

  it('a bad time drops only its record', () => {
    const result = decode([
      { n: 'do', v: 5, t: NOW_S + 3600 },
      { n: 'do', v: 5, t: NOW_S - 100 * 86_400 },
      { n: 'ph', v: 7, t: NOW_S },
    ]);
    expect(result.rejections.map((r) => r.reason)).toEqual(['timestamp_in_future', 'timestamp_too_old']);
    expect(result.readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW, values: { ph: 7 } }]);
  });

  it('refuses records after an invalid base field instead of resolving them wrongly', () => {
    const result = decode([
      { n: 'ph', v: 7, t: NOW_S },
      { bt: 'yesterday', n: 'do', v: 5 },
      { n: 'do', v: 5 },
      { n: 'ph', v: 7 },
    ]);
    expect(result.readings).toEqual([{ siteId: 'KG-WQ-01', ts: NOW, values: { ph: 7 } }]);
    expect(result.rejections).toEqual([
      { reason: 'invalid_payload', detail: expect.stringMatching(/^record 1: bt: /) },
      { reason: 'invalid_payload', detail: 'records 2–3: refused because they depend on the invalid base fields of record 1' },
    ]);
  });

  it('refuses the whole pack for a must-understand field or an unsupported version', () => {
    const mustUnderstand = decode([
      { n: 'do', v: 5 },
      { n: 'ph', v: 7, foo_: 1 },
    ]);
    expect(mustUnderstand.readings).toEqual([]);
    expect(mustUnderstand.rejections).toEqual([
      {
        reason: 'invalid_payload',
        detail: "record 1: must-understand field 'foo_' is not supported, so the whole SenML pack is refused (RFC 8428 §4.4)",
      },
    ]);
    expect(decode([{ bver: 42, n: 'do', v: 5 }]).rejections[0]?.detail).toContain('SenML version');
    expect(decode([{ bver: 26, n: 'do', v: 5 }]).readings).toHaveLength(1);
  });

  it('reports records that are not objects and keeps going', () => {
    const result = decode([{ n: 'do', v: 5 }, 7, null]);
    expect(result.readings).toHaveLength(1);
    expect(result.rejections.map((r) => r.detail)).toEqual([
      'record 1: expected a SenML record object, got a number',
      'record 2: expected a SenML record object, got null',
    ]);
  });
});
