/**
 * Device health reported in status messages: battery voltage and radio signal strength. A
 * solar-powered 12 V station charges through the day (≈13.9 V at noon) and sags overnight
 * (≈12.2 V before dawn); a mains-powered one floats at ≈13.5 V.
 */
import type { DeviceHealthProfile } from '../profiles.js';
import { gaussian, type Random } from '../random.js';
import { roundTo, toCatalogValue } from './catalog-values.js';
import { diurnalWave, localHourOfDay } from './time.js';

export interface DeviceHealth {
  /** Battery voltage, V. */
  readonly battery: number;
  /** Received signal strength, dBm. */
  readonly rssi: number;
}

/** How charged a solar battery is at epoch ms `tMs`: 0 before dawn (06:00), 1 at 12:30. */
export function solarCharge(tMs: number): number {
  return diurnalWave(localHourOfDay(tMs), 6, 12.5);
}

/**
 * Battery voltage and signal strength at epoch ms `tMs`. `sagV` is the extra night-time sag of a
 * worn battery, V: the voltage drops by up to that much before dawn and recovers with the sun.
 */
export function deviceHealth(tMs: number, device: DeviceHealthProfile, rng: Random, sagV = 0): DeviceHealth {
  const charge = solarCharge(tMs);
  const nominal = device.power === 'solar' ? 12.2 + 1.7 * charge : 13.5;
  const battery = nominal - sagV * (1 - charge) + 0.02 * gaussian(rng);
  const rssi = Math.min(-30, Math.max(-120, device.rssiDbm + 2 * gaussian(rng)));
  return { battery: roundTo(toCatalogValue('battery', battery), 2), rssi: toCatalogValue('rssi', rssi) };
}
