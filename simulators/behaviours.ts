/**
 * Device behaviours: what a simulated device of each kind sends, turning the pure physics models
 * into MQTT messages. A behaviour owns its random stream (and, for cameras, the last analytics it
 * reported), but knows nothing about connections or timers — {@link SimulatedDevice} does that.
 */
import type { MetricValues } from '../common/metrics.js';
import type { EventPayload, StatusPayload } from '../common/payloads.js';
import type { Site } from '../common/sites.js';
import { type CameraAnalytics, CROWD_WARNING_LEVEL, cameraAnalytics } from './models/camera.js';
import { deviceHealth } from './models/device-health.js';
import type { ModelSite } from './models/model-site.js';
import { salinityStationValues } from './models/salinity-station.js';
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
  /** The retained `online` status published each time the device (re)connects. */
  onlineStatus(tMs: number): StatusPayload;
  /** The messages of one reporting interval at epoch ms `tMs`. */
  tick(tMs: number): OutgoingMessage[];
}

/** The last analytics a camera reported, with its epoch-ms time: what its snapshot shows. */
export interface CameraObservation {
  readonly analytics: CameraAnalytics;
  readonly ts: number;
}

abstract class BaseBehaviour<P extends SiteProfile> implements DeviceBehaviour {
  protected readonly rng: Random;
  protected readonly model: ModelSite<P>;

  constructor(siteId: string, profile: P, seed: number) {
    this.rng = mulberry32(deriveSeed(seed, siteId, 'samples'));
    this.model = { id: siteId, profile, seed: deriveSeed(seed, siteId, 'slow') };
  }

  onlineStatus(tMs: number): StatusPayload {
    return { status: 'online', ts: tMs, ...deviceHealth(tMs, this.model.profile.device, this.rng), firmware: SIMULATOR_FIRMWARE };
  }

  abstract tick(tMs: number): OutgoingMessage[];
}

class WaterQualityBehaviour extends BaseBehaviour<WaterQualityProfile> {
  tick(tMs: number): OutgoingMessage[] {
    return [{ channel: 'telemetry', payload: { ts: tMs, values: waterQualityValues(tMs, this.model, this.rng) } }];
  }
}

class SalinityBehaviour extends BaseBehaviour<SalinityProfile> {
  tick(tMs: number): OutgoingMessage[] {
    return [{ channel: 'telemetry', payload: { ts: tMs, values: salinityStationValues(tMs, this.model, this.rng) } }];
  }
}

/**
 * A camera: a retained status heartbeat every interval and, now and then, an analytics event
 * (`vehicle_count` or `crowd_level`) with the same value as telemetry, so it is charted too.
 */
export class CameraBehaviour extends BaseBehaviour<CameraProfile> {
  private last: CameraObservation | undefined;

  /** What the camera watches: vehicles on a street, or a crowd on a waterfront. */
  get watches(): CameraProfile['analytics'] {
    return this.model.profile.analytics;
  }

  /** The last analytics reported, or undefined before the first. */
  get lastObservation(): CameraObservation | undefined {
    return this.last;
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
