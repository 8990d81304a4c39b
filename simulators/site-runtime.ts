/**
 * One simulated device's brain: at each reporting tick it measures (the site's behaviour under the
 * environment its plan scripts), lets the active faults change what it reads or whether it sends,
 * and returns the actions for its MQTT link — messages to publish, an abrupt disconnect (the
 * broker then publishes its Last Will), a reconnection. It never touches the network or a timer,
 * so the same ticks always give the same actions: runs are reproducible, and a dry run prints
 * exactly what a live run publishes.
 */
import type { MetricValues } from '../common/metrics.js';
import type { StatusPayload } from '../common/payloads.js';
import type { DeviceStatus, Site } from '../common/sites.js';
import {
  CameraBehaviour,
  createBehaviour,
  type DeviceBehaviour,
  type OutgoingMessage,
  type TelemetryMessagePayload,
} from './behaviours.js';
import type { ScheduledFault } from './faults/fault-spec.js';
import { malformedTelemetry } from './faults/malformed-payloads.js';
import { createValueFault, type ValueFault } from './faults/value-faults.js';
import { CALM, forcingAt, type SiteEnvironment, weatherSeedFor } from './models/environment.js';
import { deriveSeed, mulberry32, type Random } from './random.js';
import type { SitePlan } from './scenarios/simulation-plan.js';

/** Device channels a simulated device publishes on. */
export type PublishChannel = 'telemetry' | 'status' | 'events';

/** What the device's link must do. */
export type SimAction =
  | { readonly kind: 'publish'; readonly channel: PublishChannel; readonly body: string; readonly retain: boolean }
  /** Drop the connection without DISCONNECT (power cut, radio loss): the broker publishes the Last Will; stay down. */
  | { readonly kind: 'cut' }
  /** Connect again and publish `onlineStatus` (retained) first. */
  | { readonly kind: 'restore'; readonly onlineStatus: string };

/** Readings per backfill message: well under ingest's 10,000 entries and the 256 KiB payload limit. */
export const BACKFILL_CHUNK = 500;

/** Readings a device keeps during a gap; older ones are lost (a real logger's ring buffer). */
export const GAP_BUFFER_LIMIT = 20_000;

export interface SiteRuntimeOptions {
  readonly site: Site;
  /** Seed of the run: every random choice of the device derives from it and the site id. */
  readonly seed: number;
  /** What is scripted for the site. */
  readonly plan: SitePlan;
  /**
   * Publish a status heartbeat when this much simulated time has passed since the last status
   * (ms). Accelerated runs stamp readings with simulated (past) times, so the heartbeat — stamped
   * by ingest on receipt — is what keeps the site from looking stale. Undefined: stations send
   * their status only on (re)connection; cameras heartbeat at every tick anyway.
   */
  readonly heartbeatEveryMs?: number;
}

/** Per-tick counters a runtime reports, for run summaries and tests. */
export interface SiteRuntimeCounters {
  /** Readings taken and sent (live or as backfill). */
  readonly readings: number;
  /** Readings replaced by a malformed payload. */
  readonly malformed: number;
  /** Readings kept during a gap and sent as backfill. */
  readonly backfilled: number;
  /** Ticks the device was off (offline fault, browned out). */
  readonly offTicks: number;
}

export class SiteRuntime {
  readonly site: Site;
  readonly behaviour: DeviceBehaviour;
  private readonly environment: SiteEnvironment;
  private readonly plan: SitePlan;
  private readonly faultRng: Random;
  private readonly valueFaults = new Map<ScheduledFault, ValueFault>();
  private readonly heartbeatEveryMs: number | undefined;
  private lastTickMs = Number.NEGATIVE_INFINITY;
  private lastStatusMs = Number.NEGATIVE_INFINITY;
  private previousValues: MetricValues | undefined;
  private linkCut = false;
  private brownedOut = false;
  private reportedStatus: DeviceStatus = 'online';
  private malformedIndex = 0;
  private gapBuffer: TelemetryMessagePayload[] = [];
  private counters = { readings: 0, malformed: 0, backfilled: 0, offTicks: 0 };

  constructor(options: SiteRuntimeOptions) {
    const { site, seed, plan } = options;
    this.site = site;
    this.plan = plan;
    this.behaviour = createBehaviour(site, seed);
    this.faultRng = mulberry32(deriveSeed(seed, site.id, 'faults'));
    this.heartbeatEveryMs = options.heartbeatEveryMs;
    this.environment = {
      weatherSeed: weatherSeedFor(seed, site.lat, site.lon),
      naturalRain: plan.naturalRain,
      rains: plan.rains,
      doCrashes: plan.doCrashes,
      intrusions: plan.salinityIntrusions,
    };
  }

  get stats(): SiteRuntimeCounters {
    return { ...this.counters };
  }

  /** The camera behaviour, when the site is a camera (for snapshots). */
  get camera(): CameraBehaviour | undefined {
    return this.behaviour instanceof CameraBehaviour ? this.behaviour : undefined;
  }

  /** Faults in effect at simulated epoch ms `tMs`. */
  activeFaults(tMs: number): ScheduledFault[] {
    return this.plan.faults.filter((scheduled) => scheduled.startMs <= tMs && tMs < scheduled.endMs);
  }

  /** The status body the device publishes (retained) when it connects at simulated `tMs`. */
  onlineStatusBody(tMs: number): string {
    return JSON.stringify(this.statusPayload(tMs, this.activeFaults(tMs)));
  }

  /** The actions of the reporting tick at simulated epoch ms `tMs` (ticks must come in time order). */
  tick(tMs: number): SimAction[] {
    const previousTickMs = this.lastTickMs;
    this.lastTickMs = tMs;
    const faults = this.activeFaults(tMs);
    const actions: SimAction[] = [];

    const sag = faults.find((f) => f.fault.type === 'battery-sag');
    this.updateBrownout(tMs, sag);
    const offline = this.brownedOut || faults.some((f) => f.fault.type === 'offline');
    const gap = faults.find((f) => f.fault.type === 'gap');
    const linkDown = offline || (gap?.fault.type === 'gap' && gap.fault.disconnect);
    const status: DeviceStatus = faults.some((f) => f.fault.type === 'calibration') ? 'maintenance' : 'online';

    if (linkDown && !this.linkCut) {
      actions.push({ kind: 'cut' });
      this.linkCut = true;
    } else if (!linkDown && this.linkCut) {
      this.linkCut = false;
      this.reportedStatus = status;
      this.lastStatusMs = tMs;
      actions.push({ kind: 'restore', onlineStatus: JSON.stringify(this.statusPayload(tMs, faults)) });
    }
    if (offline) {
      this.counters.offTicks++;
      return actions;
    }

    if (!gap && this.gapBuffer.length > 0) actions.push(...this.flushBackfill());

    const messages = this.measure(tMs, previousTickMs, faults);
    if (status !== this.reportedStatus && !linkDown) {
      this.reportedStatus = status;
      messages.unshift({ channel: 'status', payload: this.statusPayload(tMs, faults) });
    }
    const heartbeatDue =
      this.heartbeatEveryMs !== undefined &&
      tMs - this.lastStatusMs >= this.heartbeatEveryMs &&
      !messages.some((m) => m.channel === 'status');
    if (heartbeatDue) messages.unshift({ channel: 'status', payload: this.statusPayload(tMs, faults) });

    for (const message of messages) {
      if (gap) {
        // Measuring, not sending: keep readings for the backfill; statuses and events are lost.
        if (message.channel === 'telemetry' && gap.fault.type === 'gap' && gap.fault.backfill) this.keepForBackfill(message.payload);
        continue;
      }
      actions.push(this.toAction(message, tMs, faults));
    }
    return actions;
  }

  private updateBrownout(tMs: number, sag: ScheduledFault | undefined): void {
    if (sag?.fault.type !== 'battery-sag') {
      this.brownedOut = false;
      return;
    }
    const voltage = this.behaviour.health(tMs, sag.fault.sagV).battery;
    if (!this.brownedOut && voltage < sag.fault.cutoffV) this.brownedOut = true;
    else if (this.brownedOut && voltage >= sag.fault.recoverV) this.brownedOut = false;
  }

  private statusPayload(tMs: number, faults: readonly ScheduledFault[]): StatusPayload {
    const sag = faults.find((f) => f.fault.type === 'battery-sag');
    const sagV = sag?.fault.type === 'battery-sag' ? sag.fault.sagV : 0;
    const calibrating = faults.some((f) => f.fault.type === 'calibration');
    return this.behaviour.onlineStatus(tMs, sagV, calibrating ? 'maintenance' : 'online');
  }

  /** The behaviour's messages of this tick with value faults applied, plus scripted camera intrusions. */
  private measure(tMs: number, previousTickMs: number, faults: readonly ScheduledFault[]): OutgoingMessage[] {
    const forcing = this.site.kind === 'camera' ? CALM : forcingAt(tMs, this.environment);
    const messages = this.behaviour.tick(tMs, forcing);
    const camera = this.camera;
    if (camera) {
      for (const intrusion of this.plan.cameraIntrusions) {
        if (intrusion.atMs > previousTickMs && intrusion.atMs <= tMs) messages.push(camera.intrusion(tMs, intrusion));
      }
    }
    const sag = faults.find((f) => f.fault.type === 'battery-sag');
    return messages.map((message) => {
      if (message.channel !== 'telemetry') return message;
      let values = message.payload.values;
      for (const scheduled of faults) {
        const fault = this.valueFaultOf(scheduled);
        if (fault)
          values = fault.apply({
            tMs,
            values,
            previous: this.previousValues,
            rng: this.faultRng,
            tideLevel: this.behaviour.tideLevel(tMs),
          });
      }
      if (sag?.fault.type === 'battery-sag') values = { ...values, battery: this.behaviour.health(tMs, sag.fault.sagV).battery };
      this.previousValues = values;
      return { channel: 'telemetry', payload: { ts: message.payload.ts, values } };
    });
  }

  private valueFaultOf(scheduled: ScheduledFault): ValueFault | undefined {
    let fault = this.valueFaults.get(scheduled);
    if (!fault) {
      fault = createValueFault(scheduled);
      if (!fault) return undefined;
      this.valueFaults.set(scheduled, fault);
    }
    return fault;
  }

  private toAction(message: OutgoingMessage, tMs: number, faults: readonly ScheduledFault[]): SimAction {
    if (message.channel === 'status') {
      this.lastStatusMs = tMs;
      return { kind: 'publish', channel: 'status', body: JSON.stringify(message.payload), retain: true };
    }
    if (message.channel === 'events') return { kind: 'publish', channel: 'events', body: JSON.stringify(message.payload), retain: false };
    const malformed = faults.find((f) => f.fault.type === 'malformed');
    if (malformed?.fault.type === 'malformed' && this.faultRng() < malformed.fault.probability) {
      const kinds = malformed.fault.payloads;
      const kind = kinds[this.malformedIndex % kinds.length];
      this.malformedIndex++;
      if (kind !== undefined) {
        this.counters.malformed++;
        return {
          kind: 'publish',
          channel: 'telemetry',
          body: malformedTelemetry(kind, tMs, message.payload.values, this.site.id),
          retain: false,
        };
      }
    }
    this.counters.readings++;
    return { kind: 'publish', channel: 'telemetry', body: JSON.stringify(message.payload), retain: false };
  }

  private keepForBackfill(payload: TelemetryMessagePayload): void {
    this.gapBuffer.push(payload);
    if (this.gapBuffer.length > GAP_BUFFER_LIMIT) this.gapBuffer.shift();
  }

  /** The kept readings as backfill arrays (original timestamps, oldest first). */
  private flushBackfill(): SimAction[] {
    const actions: SimAction[] = [];
    for (let i = 0; i < this.gapBuffer.length; i += BACKFILL_CHUNK) {
      const chunk = this.gapBuffer.slice(i, i + BACKFILL_CHUNK);
      actions.push({ kind: 'publish', channel: 'telemetry', body: JSON.stringify(chunk), retain: false });
    }
    this.counters.readings += this.gapBuffer.length;
    this.counters.backfilled += this.gapBuffer.length;
    this.gapBuffer = [];
    return actions;
  }
}
