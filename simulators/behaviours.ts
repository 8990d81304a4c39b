/**
 * Device behaviours: what a simulated device of each kind measures and sends at one reporting
 * tick, turning the pure physics models into MQTT message payloads. A behaviour owns its random
 * stream (and, for cameras, the last analytics it reported), but knows nothing about faults,
 * connections or timers — {@link SiteRuntime} and the fleet do that.
 *
 * Status payloads carry no `ts`: a status is the device's state now, so ingest stamps it with its
 * receive time — also when a scenario plays simulated time from the past.
 */
import type { MetricValues } from '../common/metrics.js';
import type { EventPayload, StatusPayload } from '../common/payloads.js';
import type { Site } from '../common/sites.js';
import { type CameraAnalytics, CROWD_WARNING_LEVEL, cameraAnalytics } from './models/camera.js';
import { type DeviceHealth, deviceHealth } from './models/device-health.js';
import { CALM, type Forcing } from './models/environment.js';
import type { ModelSite } from './models/model-site.js';
import { salinityStationValues } from './models/salinity-station.js';
import { tideLevel } from './models/tide.js';
import { waterQualityValues } from './models/water-quality.js';
import { type CameraProfile, profileFor, type SalinityProfile, type SiteProfile, type WaterQualityProfile } from './profiles.js';
import { deriveSeed, mulberry32, type Random } from './random.js';

/** Firmware string simulated devices report in their status. */
export const SIMULATOR_FIRMWARE = 'mekong-ioc-sim/1';

/** Chance that a camera reports an analytics event on a heartbeat (the first heartbeat always does). */
export const CAMERA_EVENT_PROBABILITY = 0.3;

/** The telemetry form the simulators publish: `{ts, values}` with ts in epoch ms. */
export interface TelemetryMessagePayload {
  readonly ts: number;
  readonly values: MetricValues;
}

/** One message a device wants to publish, on one of its own channels. */
export type OutgoingMessage =
  | { readonly channel: 'telemetry'; readonly payload: TelemetryMessagePayload }
  | { readonly channel: 'status'; readonly payload: StatusPayload }
  | { readonly channel: 'events'; readonly payload: EventPayload };

export interface DeviceBehaviour {
  /** What the device is. */
  readonly kind: SiteProfile['kind'];
  /** Battery (V) and signal (dBm) at epoch ms `tMs`; `sagV` = extra night sag of a worn battery, V. */
  health(tMs: number, sagV?: number): DeviceHealth;
  /** The retained status published each time the device (re)connects: `online` unless told otherwise. */
  onlineStatus(tMs: number, sagV?: number, status?: StatusPayload['status']): StatusPayload;
  /** The messages of one reporting interval at epoch ms `tMs`, under `forcing` (default: calm). */
  tick(tMs: number, forcing?: Forcing): OutgoingMessage[];
  /** Normalised tide level (-1 … 1) at the site at `tMs`, or undefined where there is none (cameras). */
  tideLevel(tMs: number): number | undefined;
}

/** The last analytics a camera reported, with its epoch-ms time: what its snapshot shows. */
export interface CameraObservation {
  readonly analytics: CameraAnalytics;
  readonly ts: number;
}

/** An intrusion a camera's analytics detected (scripted by a scenario). */
export interface CameraIntrusion {
  /** Where in the scene, e.g. `sluice gate`. */
  readonly zone: string;
  /** People or boats detected. */
  readonly objects: number;
  readonly severity: 'warning' | 'critical';
}

/** The last intrusion a camera reported, with its epoch-ms time. */
export interface CameraIntrusionObservation extends CameraIntrusion {
  readonly ts: number;
}

abstract class BaseBehaviour<P extends SiteProfile> implements DeviceBehaviour {
  protected readonly rng: Random;
  protected readonly model: ModelSite<P>;
  private readonly healthSeed: number;

  constructor(siteId: string, profile: P, seed: number) {
    this.rng = mulberry32(deriveSeed(seed, siteId, 'samples'));
    this.healthSeed = deriveSeed(seed, siteId, 'health');
    this.model = { id: siteId, profile, seed: deriveSeed(seed, siteId, 'slow') };
  }

  get kind(): P['kind'] {
    return this.model.profile.kind;
  }

  /**
   * Pure in `tMs`: its noise comes from a generator seeded with the instant, not from the sample
   * stream, so a status published on an unplanned reconnection never shifts later readings.
   */
  health(tMs: number, sagV = 0): DeviceHealth {
    return deviceHealth(tMs, this.model.profile.device, mulberry32(deriveSeed(this.healthSeed, Math.floor(tMs))), sagV);
  }

  onlineStatus(tMs: number, sagV = 0, status: StatusPayload['status'] = 'online'): StatusPayload {
    return { status, ...this.health(tMs, sagV), firmware: SIMULATOR_FIRMWARE };
  }

  tideLevel(tMs: number): number | undefined {
    const profile: SiteProfile = this.model.profile;
    return profile.kind === 'camera' ? undefined : tideLevel(tMs, { regime: profile.tide, lagHours: profile.tideLagHours });
  }

  abstract tick(tMs: number, forcing?: Forcing): OutgoingMessage[];
}

class WaterQualityBehaviour extends BaseBehaviour<WaterQualityProfile> {
  tick(tMs: number, forcing: Forcing = CALM): OutgoingMessage[] {
    return [{ channel: 'telemetry', payload: { ts: tMs, values: waterQualityValues(tMs, this.model, this.rng, forcing) } }];
  }
}

class SalinityBehaviour extends BaseBehaviour<SalinityProfile> {
  tick(tMs: number, forcing: Forcing = CALM): OutgoingMessage[] {
    return [{ channel: 'telemetry', payload: { ts: tMs, values: salinityStationValues(tMs, this.model, this.rng, forcing) } }];
  }
}

/**
 * A camera: a retained status heartbeat every interval and, now and then, an analytics event
 * (`vehicle_count` or `crowd_level`) with the same value as telemetry, so it is charted too.
 */
export class CameraBehaviour extends BaseBehaviour<CameraProfile> {
  private last: CameraObservation | undefined;
  private lastIntrusionSeen: CameraIntrusionObservation | undefined;

  /** What the camera watches: vehicles on a street, or a crowd on a waterfront. */
  get watches(): CameraProfile['analytics'] {
    return this.model.profile.analytics;
  }

  /** The last analytics reported, or undefined before the first. */
  get lastObservation(): CameraObservation | undefined {
    return this.last;
  }

  /** The last intrusion reported, or undefined. */
  get lastIntrusion(): CameraIntrusionObservation | undefined {
    return this.lastIntrusionSeen;
  }

  /** The `intrusion` event of an intrusion detected at epoch ms `tMs`; remembered for the snapshot. */
  intrusion(tMs: number, intrusion: CameraIntrusion): OutgoingMessage {
    this.lastIntrusionSeen = { ...intrusion, ts: tMs };
    const { zone, objects, severity } = intrusion;
    return {
      channel: 'events',
      payload: {
        ts: tMs,
        type: 'intrusion',
        severity,
        message: `intrusion detected: ${objects} ${objects === 1 ? 'person' : 'people'} in ${zone}`,
        data: { zone, objects },
      },
    };
  }

  tick(tMs: number): OutgoingMessage[] {
    const messages: OutgoingMessage[] = [{ channel: 'status', payload: this.onlineStatus(tMs) }];
    if (this.last === undefined || this.rng() < CAMERA_EVENT_PROBABILITY) {
      const analytics = cameraAnalytics(tMs, this.model, this.rng);
      this.last = { analytics, ts: tMs };
      messages.push({ channel: 'events', payload: analyticsEvent(tMs, analytics) });
      messages.push({ channel: 'telemetry', payload: { ts: tMs, values: { [analytics.metric]: analytics.value } } });
    }
    return messages;
  }
}

function analyticsEvent(tMs: number, analytics: CameraAnalytics): EventPayload {
  if (analytics.metric === 'vehicle_count') {
    const count = analytics.value;
    return {
      ts: tMs,
      type: 'vehicle_count',
      severity: 'info',
      message: `${count} vehicle${count === 1 ? '' : 's'} in view`,
      data: { count },
    };
  }
  const level = analytics.value;
  return {
    ts: tMs,
    type: 'crowd_level',
    severity: level >= CROWD_WARNING_LEVEL ? 'warning' : 'info',
    message: `crowd level ${level} %`,
    data: { level },
  };
}

/** The behaviour of a site's device, from its kind and profile; deterministic for `seed`. */
export function createBehaviour(site: Site, seed: number): DeviceBehaviour {
  const profile = profileFor(site);
  switch (profile.kind) {
    case 'water-quality':
      return new WaterQualityBehaviour(site.id, profile, seed);
    case 'salinity':
      return new SalinityBehaviour(site.id, profile, seed);
    case 'camera':
      return new CameraBehaviour(site.id, profile, seed);
  }
}
