import { describe, expect, it } from 'vitest';
import { Acl } from '../../../broker/acl.js';
import { deviceIdentity, serviceIdentity } from '../../../broker/client-identity.js';
import { topicFilters, topics } from '../../../common/topics.js';

const SITE = 'KG-SAL-01';
const OTHER = 'KG-SAL-02';
const acl = new Acl();
const device = deviceIdentity(SITE);
const ingest = serviceIdentity('ingest');
const web = serviceIdentity('web');
const sim = serviceIdentity('simulator');

describe('device ACL', () => {
  it.each([topics.telemetry(SITE), topics.status(SITE), topics.events(SITE)])('may publish on its own %s', (topic) => {
    expect(acl.canPublish(device, topic)).toBe(true);
  });

  it.each([
    topics.telemetry(OTHER),
    topics.status(OTHER),
    topics.commands(SITE),
    topics.platformReadings(SITE),
    topics.platformSiteStatus(SITE),
    `${topics.telemetry(SITE)}/extra`,
    '$SYS/broker/uptime',
    '',
  ])('may not publish on %j', (topic) => {
    expect(acl.canPublish(device, topic)).toBe(false);
  });

  it('may subscribe only to its own commands topic, with no wildcard', () => {
    expect(acl.canSubscribe(device, topics.commands(SITE))).toBe(true);
    for (const filter of [topics.commands(OTHER), topicFilters.allDeviceCommands, topics.telemetry(SITE), '#', '+/+/+']) {
      expect(acl.canSubscribe(device, filter)).toBe(false);
    }
  });
});

describe('service ACL', () => {
  it('ingest reads device topics and publishes validated platform topics only', () => {
    for (const filter of [
      topicFilters.allDeviceTelemetry,
      topicFilters.allDeviceStatus,
      topicFilters.allDeviceEvents,
      topics.telemetry(SITE),
    ]) {
      expect(acl.canSubscribe(ingest, filter)).toBe(true);
    }
    expect(acl.canSubscribe(ingest, topicFilters.allDeviceCommands)).toBe(false);
    expect(acl.canSubscribe(ingest, '#')).toBe(false);
    expect(acl.canPublish(ingest, topics.platformReadings(SITE))).toBe(true);
    expect(acl.canPublish(ingest, topics.platformSiteStatus(SITE))).toBe(true);
    expect(acl.canPublish(ingest, topics.telemetry(SITE))).toBe(false);
    expect(acl.canPublish(ingest, topics.commands(SITE))).toBe(false);
  });

  it('web reads platform topics and publishes commands only', () => {
    expect(acl.canSubscribe(web, topicFilters.allPlatformReadings)).toBe(true);
    expect(acl.canSubscribe(web, topicFilters.allPlatformSiteStatus)).toBe(true);
    expect(acl.canSubscribe(web, topicFilters.allDeviceTelemetry)).toBe(false);
    expect(acl.canPublish(web, topics.commands(SITE))).toBe(true);
    expect(acl.canPublish(web, topics.platformReadings(SITE))).toBe(false);
  });

  it("the simulator publishes any site's device topics and reads commands", () => {
    for (const topic of [topics.telemetry(OTHER), topics.status(SITE), topics.events(OTHER)]) {
      expect(acl.canPublish(sim, topic)).toBe(true);
    }
    expect(acl.canPublish(sim, topics.commands(SITE))).toBe(false);
    expect(acl.canPublish(sim, topics.platformReadings(SITE))).toBe(false);
    expect(acl.canSubscribe(sim, topicFilters.allDeviceCommands)).toBe(true);
    expect(acl.canSubscribe(sim, topicFilters.allDeviceTelemetry)).toBe(false);
  });

  it('gives the same answer from its memo as on first sight, and keeps answering past the memo capacity', () => {
    const fresh = new Acl();
    for (let i = 0; i < 12_000; i++) {
      expect(fresh.canPublish(sim, `junk/${i}`)).toBe(false);
    }
    expect(fresh.canPublish(sim, topics.telemetry(SITE))).toBe(true);
    expect(fresh.canPublish(sim, topics.telemetry(SITE))).toBe(true);
    expect(fresh.canPublish(sim, topics.platformReadings(SITE))).toBe(false);
  });
});
