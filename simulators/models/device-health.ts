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

/** Battery voltage and signal strength at epoch ms `tMs`. */
export function deviceHealth(tMs: number, device: DeviceHealthProfile, rng: Random): DeviceHealth {
  const charge = diurnalWave(localHourOfDay(tMs), 6, 12.5);
  const battery = device.power === 'solar' ? 12.2 + 1.7 * charge + 0.02 * gaussian(rng) : 13.5 + 0.02 * gaussian(rng);
  const rssi = Math.min(-30, Math.max(-120, device.rssiDbm + 2 * gaussian(rng)));
  return { battery: roundTo(toCatalogValue('battery', battery), 2), rssi: toCatalogValue('rssi', rssi) };
}
