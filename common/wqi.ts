/**
 * VN_WQI, the Vietnamese water-quality index (Decision 1460/QĐ-TCMT, 2019, as summarised in
 * docs/alerting.md), computed from the parameters one automatic station reports. Pure, so the web
 * server (REST and the live stream) and the browser compute the same number.
 *
 * Each parameter gets a sub-index q (10–100) by linear interpolation between breakpoints. Group I
 * (pH) multiplies; group IV (organics and nutrients: DO as % saturation, COD, N-NH₄, P-PO₄) is
 * averaged. The Decision combines WQI = (I/100)·(II/100)·(III/100)·[IV²·V]^(1/3); a station reports
 * no pesticides (II), metals (III) or microbes (V), so II and III are left out and V is taken equal
 * to IV, which gives WQI = (I/100)·IV. A WQI from a few sensor parameters is therefore **indicative
 * only** — every result says so.
 */
import { z } from 'zod';
import { localizedTextSchema } from './alerts.js';

/**
 * A piecewise-linear sub-index: `points` are (concentration, q) pairs with non-decreasing
 * concentrations; a value equal to a breakpoint takes the first pair's q (so a repeated breakpoint
 * is a step); between breakpoints q is interpolated; `below`/`above` apply outside.
 */
export interface SubIndexCurve {
  readonly points: readonly (readonly [number, number])[];
  readonly below: number;
  readonly above: number;
}

/** Parameters the index uses, by metric id (catalog units: mg/L, pH). */
export const WQI_PARAMETERS = ['ph', 'do', 'cod', 'nh4', 'po4'] as const;
export type WqiParameter = (typeof WQI_PARAMETERS)[number];

/**
 * Breakpoints of Decision 1460/QĐ-TCMT (marked [verify] in the project's domain notes; see
 * docs/alerting.md). DO is in % saturation, the others in mg/L.
 */
export const VN_WQI_CURVES: Readonly<Record<WqiParameter, SubIndexCurve>> = {
  ph: {
    points: [
      [5.5, 50],
      [6, 100],
      [8.5, 100],
      [9, 50],
    ],
    below: 10,
    above: 10,
  },
  do: {
    points: [
      [20, 25],
      [50, 50],
      [75, 75],
      [88, 100],
      [112, 100],
      [125, 75],
      [150, 50],
      [200, 25],
    ],
    below: 10,
    above: 10,
  },
  cod: {
    points: [
      [10, 100],
      [15, 75],
      [30, 50],
      [50, 25],
      [150, 10],
    ],
    below: 100,
    above: 10,
  },
  nh4: {
    points: [
      [0.3, 100],
      [0.3, 75],
      [0.6, 50],
      [0.9, 25],
      [5, 10],
    ],
    below: 100,
    above: 10,
  },
  po4: {
    points: [
      [0.1, 100],
      [0.2, 75],
      [0.3, 50],
      [0.5, 25],
      [4, 10],
    ],
    below: 100,
    above: 10,
  },
};

/** Sub-index q of `value` on `curve` (see {@link SubIndexCurve}). */
export function subIndex(curve: SubIndexCurve, value: number): number {
  const first = curve.points[0];
  if (!first || value < first[0]) return curve.below;
  if (value === first[0]) return first[1];
  for (let i = 1; i < curve.points.length; i++) {
    const from = curve.points[i - 1];
    const to = curve.points[i];
    if (!from || !to || !(value > from[0] && value <= to[0])) continue;
    return from[1] + ((to[1] - from[1]) * (value - from[0])) / (to[0] - from[0]);
  }
  return curve.above;
}

/**
 * Oxygen solubility in fresh water at temperature `t` (°C), mg/L — the polynomial Decision 1460
 * prescribes: 14.652 − 0.41022·T + 0.0079910·T² − 0.000077774·T³.
 */
export function doSaturationMgL(t: number): number {
  return 14.652 - 0.41022 * t + 0.007991 * t ** 2 - 0.000077774 * t ** 3;
}

/** Dissolved oxygen as % of saturation at `temperature` (°C), from mg/L. */
export function doPercentSaturation(doMgL: number, temperature: number): number {
  return (doMgL / doSaturationMgL(temperature)) * 100;
}

/** Bands of the index, best first, with the Decision's colours. */
export const WQI_BANDS = [
  { band: 'very-good', min: 91, color: '#3333FF', label: { vi: 'Rất tốt', en: 'Very good' } },
  { band: 'good', min: 76, color: '#00E400', label: { vi: 'Tốt', en: 'Good' } },
  { band: 'medium', min: 51, color: '#FFFF00', label: { vi: 'Trung bình', en: 'Medium' } },
  { band: 'poor', min: 26, color: '#FF7E00', label: { vi: 'Kém', en: 'Poor' } },
  { band: 'bad', min: 10, color: '#FF0000', label: { vi: 'Ô nhiễm nặng', en: 'Bad' } },
  { band: 'heavily-polluted', min: Number.NEGATIVE_INFINITY, color: '#7E0023', label: { vi: 'Ô nhiễm rất nặng', en: 'Heavily polluted' } },
] as const;
export const WQI_BAND_IDS = ['very-good', 'good', 'medium', 'poor', 'bad', 'heavily-polluted'] as const;
export type WqiBand = (typeof WQI_BAND_IDS)[number];

/** The band of a (rounded) index value. */
export function wqiBandOf(value: number): (typeof WQI_BANDS)[number] {
  return WQI_BANDS.find((band) => value >= band.min) ?? WQI_BANDS[5];
}

export const wqiResultSchema = z.object({
  /** VN_WQI, rounded to a whole number (≤ 100). */
  value: z.number().int(),
  band: z.enum(WQI_BAND_IDS),
  /** The band's colour, `#RRGGBB`. */
  color: z.string(),
  label: localizedTextSchema,
  /** Always true: computed from a station's few parameters, not the full Decision 1460 set. */
  indicative: z.literal(true),
  /** Sub-index q (10–100) of each parameter used, one decimal; `do` is from % saturation. */
  subIndexes: z.record(z.string(), z.number()),
  /** Epoch ms of the newest and oldest value used. */
  ts: z.number(),
  oldestTs: z.number(),
});
export type WqiResult = z.infer<typeof wqiResultSchema>;

/** A latest value of one metric; `ts` epoch ms. */
export interface WqiInput {
  readonly value: number;
  readonly ts: number;
}

/** Values older than this before the newest one used are left out, ms (6 h): they no longer describe the same water. */
export const WQI_MAX_SPREAD_MS = 6 * 3600 * 1000;

/**
 * VN_WQI from a site's latest values (catalog units, keyed by metric id), or null when pH or every
 * group IV parameter is missing. DO needs the water temperature for its saturation. Values more
 * than {@link WQI_MAX_SPREAD_MS} older than the newest candidate are ignored.
 */
export function computeVnWqi(latest: Readonly<Partial<Record<string, WqiInput>>>): WqiResult | null {
  const candidates = [...WQI_PARAMETERS, 'temperature'].flatMap((id) => {
    const input = latest[id];
    return input && Number.isFinite(input.value) ? [input.ts] : [];
  });
  if (candidates.length === 0) return null;
  const newest = Math.max(...candidates);
  const fresh = (id: string): WqiInput | undefined => {
    const input = latest[id];
    return input && Number.isFinite(input.value) && newest - input.ts <= WQI_MAX_SPREAD_MS ? input : undefined;
  };

  const ph = fresh('ph');
  if (!ph) return null;
  const used: WqiInput[] = [ph];
  const groupIv: Record<string, number> = {};
  const oxygen = fresh('do');
  const temperature = fresh('temperature');
  if (oxygen && temperature) {
    groupIv.do = subIndex(VN_WQI_CURVES.do, doPercentSaturation(oxygen.value, temperature.value));
    used.push(oxygen, temperature);
  }
  for (const id of ['cod', 'nh4', 'po4'] as const) {
    const input = fresh(id);
    if (!input) continue;
    groupIv[id] = subIndex(VN_WQI_CURVES[id], input.value);
    used.push(input);
  }
  const ivValues = Object.values(groupIv);
  if (ivValues.length === 0) return null;

  const qPh = subIndex(VN_WQI_CURVES.ph, ph.value);
  const iv = ivValues.reduce((sum, q) => sum + q, 0) / ivValues.length;
  const value = Math.round((qPh / 100) * iv);
  const band = wqiBandOf(value);
  const subIndexes: Record<string, number> = { ph: round1(qPh) };
  for (const [id, q] of Object.entries(groupIv)) subIndexes[id] = round1(q);
  return {
    value,
    band: band.band,
    color: band.color,
    label: { vi: band.label.vi, en: band.label.en },
    indicative: true,
    subIndexes,
    ts: Math.max(...used.map((input) => input.ts)),
    oldestTs: Math.min(...used.map((input) => input.ts)),
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
