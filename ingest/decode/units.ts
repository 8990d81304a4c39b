/**
 * Units of SenML values (RFC 8428 §12.1 registry, RFC 8798 secondary units and the later IANA
 * additions such as `mg/l`). A value is stored only in its metric's catalog unit
 * (common/metrics.ts): a unit equal to it is taken as is, a unit with an EXACT conversion is
 * converted, and anything else is refused (`unit_mismatch`) — never stored wrongly.
 *
 * Deliberately refused, with an explanation in the detail:
 * - `ppt`: in the SenML registry it is parts per TRILLION (1e-12), not per mille; send `/1000` or `‰`.
 * - `PSU` (practical salinity) and `g/l` for salinity: not exactly ‰ (g/kg); the conversion needs
 *   the water's conductivity ratio or density.
 * - `ppm` for concentrations in mg/L: a mass fraction, equal to mg/L only at a density of 1 kg/L.
 * - `%` / `/100` for dissolved oxygen: saturation, a different quantity from mg/L.
 * - `FNU` for turbidity: infrared (ISO 7027), not exactly NTU.
 * - `°F` / `degF`: not SenML units.
 */
import { METRICS, type MetricId } from '../../common/metrics.js';
import { quote } from './detail-format.js';

type Convert = (value: number) => number;

/**
 * Removes binary floating-point noise that an exact decimal factor leaves behind
 * (0.0123 S/m × 10 000 = 123.00000000000001 µS/cm → 123): 12 significant digits are far more
 * than any sensor resolves.
 */
function clean(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(12)) : value;
}

const same: Convert = (v) => v;
const times =
  (factor: number): Convert =>
  (v) =>
    clean(v * factor);
const dividedBy =
  (divisor: number): Convert =>
  (v) =>
    clean(v / divisor);
const plus =
  (offset: number): Convert =>
  (v) =>
    clean(v + offset);

/** Mass concentrations, to mg/L (= g/m³). */
const MASS_CONCENTRATION: Readonly<Record<string, Convert>> = {
  'mg/L': same,
  'mg/l': same,
  'g/m3': same,
  'g/l': times(1000),
  'g/L': times(1000),
  'kg/m3': times(1000),
  'ug/l': dividedBy(1000),
  'ug/L': dividedBy(1000),
  'µg/L': dividedBy(1000),
  'ug/m3': dividedBy(1_000_000),
};

const MASS_CONCENTRATION_HINTS: Readonly<Record<string, string>> = {
  ppm: 'ppm is a mass fraction; it equals mg/L only at a water density of exactly 1 kg/L',
};

/** Accepted units per metric and how to convert each to the catalog unit. */
const CONVERSIONS: Readonly<Record<MetricId, Readonly<Record<string, Convert>>>> = {
  temperature: { '°C': same, Cel: same, K: plus(-273.15) },
  ph: { '': same, pH: same },
  do: MASS_CONCENTRATION,
  salinity: { '‰': same, '/1000': same, 'g/kg': same, '/100': times(10), '%': times(10), '/': times(1000), ppm: dividedBy(1000) },
  conductivity: {
    'µS/cm': same,
    'μS/cm': same,
    'uS/cm': same,
    'S/m': times(10_000),
    'mS/cm': times(1000),
    'dS/m': times(1000),
    'mS/m': times(10),
  },
  turbidity: { NTU: same },
  tss: MASS_CONCENTRATION,
  cod: MASS_CONCENTRATION,
  bod: MASS_CONCENTRATION,
  nh4: MASS_CONCENTRATION,
  no2: MASS_CONCENTRATION,
  no3: MASS_CONCENTRATION,
  po4: MASS_CONCENTRATION,
  h2s: MASS_CONCENTRATION,
  alkalinity: MASS_CONCENTRATION,
  orp: { mV: same, V: times(1000) },
  water_level: { m: same, cm: dividedBy(100), mm: dividedBy(1000), km: times(1000) },
  battery: { V: same, mV: dividedBy(1000) },
  rssi: { dBm: same, dBW: plus(30) },
  vehicle_count: { count: same },
  crowd_level: { '%': same, '/100': same, '/': times(100) },
};

/** Why a tempting unit is refused, per metric. */
const HINTS: Partial<Record<MetricId, Readonly<Record<string, string>>>> = {
  salinity: {
    ppt: "'ppt' is parts per trillion in the SenML registry; send per mille as '/1000' or '‰'",
    PSU: 'practical salinity (PSU) is not exactly ‰ (g/kg)',
    psu: 'practical salinity (PSU) is not exactly ‰ (g/kg)',
    'g/l': 'g/L is a mass concentration; converting it to ‰ (g/kg) needs the water density',
    'g/L': 'g/L is a mass concentration; converting it to ‰ (g/kg) needs the water density',
  },
  do: {
    ...MASS_CONCENTRATION_HINTS,
    '%': 'oxygen saturation (%) is a different quantity from concentration (mg/L)',
    '/100': 'oxygen saturation (%) is a different quantity from concentration (mg/L)',
  },
  turbidity: { FNU: 'FNU (ISO 7027, infrared) is not exactly NTU' },
  temperature: { '°F': "not a SenML unit; send 'Cel' or 'K'", degF: "not a SenML unit; send 'Cel' or 'K'" },
  tss: MASS_CONCENTRATION_HINTS,
  cod: MASS_CONCENTRATION_HINTS,
  bod: MASS_CONCENTRATION_HINTS,
  nh4: MASS_CONCENTRATION_HINTS,
  no2: MASS_CONCENTRATION_HINTS,
  no3: MASS_CONCENTRATION_HINTS,
  po4: MASS_CONCENTRATION_HINTS,
  h2s: MASS_CONCENTRATION_HINTS,
  alkalinity: MASS_CONCENTRATION_HINTS,
};

export type UnitConversionResult =
  | { readonly ok: true; readonly value: number; readonly converted: boolean }
  | { readonly ok: false; readonly detail: string };

/** Units accepted for a metric (the catalog unit first). */
export function acceptedUnits(metric: MetricId): readonly string[] {
  const catalogUnit = METRICS[metric].unit;
  return [catalogUnit, ...Object.keys(CONVERSIONS[metric]).filter((u) => u !== catalogUnit)].filter((u) => u !== '');
}

/**
 * Converts `value` given in `unit` to the catalog unit of `metric`. A missing (or empty) unit
 * means the catalog unit. Units are case-sensitive, as in SenML (`mS/m` is not `MS/m`).
 */
export function toCatalogUnit(metric: MetricId, value: number, unit: string | undefined): UnitConversionResult {
  const catalogUnit = METRICS[metric].unit;
  if (unit === undefined || unit === '' || unit === catalogUnit) return { ok: true, value, converted: false };
  const convert = Object.hasOwn(CONVERSIONS[metric], unit) ? CONVERSIONS[metric][unit] : undefined;
  if (convert) return { ok: true, value: convert(value), converted: convert !== same };
  const hint = HINTS[metric] && Object.hasOwn(HINTS[metric], unit) ? HINTS[metric][unit] : undefined;
  const expected = catalogUnit ? `the catalog unit '${catalogUnit}'` : 'the catalog (no unit)';
  const accepted = acceptedUnits(metric)
    .map((u) => `'${u}'`)
    .join(', ');
  return {
    ok: false,
    detail:
      `${metric}: unit ${quote(unit, 32)} does not match ${expected} and has no exact conversion` +
      (hint ? ` — ${hint}` : '') +
      (accepted ? ` (accepted: ${accepted})` : ''),
  };
}
