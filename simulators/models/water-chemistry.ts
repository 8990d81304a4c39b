/** Relations between water properties shared by several models. */

/**
 * Conversion factor between salinity (‰, i.e. g/L of dissolved salts) and specific conductance
 * (µS/cm at 25 °C), the common field approximation TDS ≈ 0.64 × EC. Over 0–35 ‰ it stays within a
 * few per cent of PSS-78 (35 ‰ ↔ 53,000 µS/cm), ample for a simulator.
 */
export const SALINITY_PER_MICROSIEMENS = 0.00064;

/** Specific conductance in µS/cm (at 25 °C) of water with salinity `salinityPpt` ‰. */
export function specificConductance(salinityPpt: number): number {
  return Math.max(0, salinityPpt) / SALINITY_PER_MICROSIEMENS;
}
