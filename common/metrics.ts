/**
 * The metric catalog: the one list of measurable quantities the platform knows, with their
 * canonical units. Devices, ingest, stores, the REST API and the browser all key readings by
 * these ids, so a value is never stored or shown in the wrong unit.
 */

/** Canonical metric ids, as used in telemetry payloads (`values.<id>`) and in REST. */
export const METRIC_IDS = [
  'temperature',
  'ph',
  'do',
  'salinity',
  'conductivity',
  'turbidity',
  'tss',
  'cod',
  'bod',
  'nh4',
  'no2',
  'no3',
  'po4',
  'h2s',
  'alkalinity',
  'orp',
  'water_level',
  'battery',
  'rssi',
  'vehicle_count',
  'crowd_level',
] as const;

export type MetricId = (typeof METRIC_IDS)[number];

/** What a metric is for, so the UI can group it (water quality vs. device health). */
export type MetricGroup = 'water' | 'device' | 'traffic';

export interface MetricDefinition {
  readonly id: MetricId;
  /** Canonical unit symbol as stored and displayed (UCUM-like; `‰` for salinity, empty for pH). */
  readonly unit: string;
  readonly label: { readonly en: string; readonly vi: string };
  readonly group: MetricGroup;
  /**
   * Physically possible range in the canonical unit. A value outside it is a sensor fault or a
   * forged message, never a reading: ingest rejects it with reason `out_of_range`.
   */
  readonly min: number;
  readonly max: number;
  /** Decimal places worth showing. */
  readonly decimals: number;
}

const define = (
  id: MetricId,
  unit: string,
  en: string,
  vi: string,
  group: MetricGroup,
  min: number,
  max: number,
  decimals: number,
): MetricDefinition => ({ id, unit, label: { en, vi }, group, min, max, decimals });

/** Every metric by id. Ranges are physical limits, not alert thresholds (those live in seeds/rules). */
export const METRICS: Readonly<Record<MetricId, MetricDefinition>> = {
  temperature: define('temperature', '°C', 'Water temperature', 'Nhiệt độ nước', 'water', -5, 50, 1),
  ph: define('ph', '', 'pH', 'pH', 'water', 0, 14, 2),
  do: define('do', 'mg/L', 'Dissolved oxygen', 'Oxy hòa tan (DO)', 'water', 0, 25, 2),
  salinity: define('salinity', '‰', 'Salinity', 'Độ mặn', 'water', 0, 50, 2),
  conductivity: define('conductivity', 'µS/cm', 'Conductivity', 'Độ dẫn điện', 'water', 0, 100_000, 0),
  turbidity: define('turbidity', 'NTU', 'Turbidity', 'Độ đục', 'water', 0, 4_000, 1),
  tss: define('tss', 'mg/L', 'Total suspended solids', 'Tổng chất rắn lơ lửng (TSS)', 'water', 0, 10_000, 1),
  cod: define('cod', 'mg/L', 'Chemical oxygen demand', 'Nhu cầu oxy hóa học (COD)', 'water', 0, 2_000, 1),
  bod: define('bod', 'mg/L', 'Biochemical oxygen demand (BOD₅)', 'Nhu cầu oxy sinh hóa (BOD₅)', 'water', 0, 1_000, 1),
  nh4: define('nh4', 'mg/L', 'Ammonium (N-NH₄)', 'Amoni (N-NH₄)', 'water', 0, 100, 2),
  no2: define('no2', 'mg/L', 'Nitrite (NO₂⁻)', 'Nitrit (NO₂⁻)', 'water', 0, 100, 3),
  no3: define('no3', 'mg/L', 'Nitrate (N-NO₃)', 'Nitrat (N-NO₃)', 'water', 0, 500, 2),
  po4: define('po4', 'mg/L', 'Phosphate (P-PO₄)', 'Phosphat (P-PO₄)', 'water', 0, 100, 3),
  h2s: define('h2s', 'mg/L', 'Hydrogen sulfide (H₂S)', 'Hydro sunfua (H₂S)', 'water', 0, 50, 3),
  alkalinity: define('alkalinity', 'mg/L', 'Alkalinity (as CaCO₃)', 'Độ kiềm (CaCO₃)', 'water', 0, 1_000, 0),
  orp: define('orp', 'mV', 'Oxidation-reduction potential', 'Thế oxy hóa khử (ORP)', 'water', -2_000, 2_000, 0),
  water_level: define('water_level', 'm', 'Water level', 'Mực nước', 'water', -10, 20, 2),
  battery: define('battery', 'V', 'Battery voltage', 'Điện áp pin', 'device', 0, 60, 2),
  rssi: define('rssi', 'dBm', 'Signal strength', 'Cường độ tín hiệu', 'device', -150, 0, 0),
  vehicle_count: define('vehicle_count', 'count', 'Vehicles counted', 'Số phương tiện', 'traffic', 0, 1_000_000, 0),
  crowd_level: define('crowd_level', '%', 'Crowd level', 'Mật độ người', 'traffic', 0, 100, 0),
};

const metricIdSet: ReadonlySet<string> = new Set(METRIC_IDS);

/** Narrows an arbitrary key from a payload to a catalog metric id. */
export function isMetricId(key: string): key is MetricId {
  return metricIdSet.has(key);
}

/** A partial map of metric id → value in the metric's canonical unit. */
export type MetricValues = Partial<Record<MetricId, number>>;
