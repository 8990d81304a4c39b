/**
 * The `alerts/{siteId}` topic: parsed only through common/topics.ts, published only by ingest (where
 * the engine runs), subscribed to by web; devices and the simulator get neither.
 */
import { describe, expect, it } from 'vitest';
import { Acl } from '../../../broker/acl.js';
import { deviceIdentity, serviceIdentity } from '../../../broker/client-identity.js';
import { parseAlertTopic, parseTopic, topicFilters, topics } from '../../../common/topics.js';

const acl = new Acl();

describe('alert topics', () => {
  it('round-trips the builder and refuses anything else', () => {
    expect(topics.alerts('KG-WQ-01')).toBe('alerts/KG-WQ-01');
    expect(parseAlertTopic(topics.alerts('KG-WQ-01'))).toBe('KG-WQ-01');
    expect(parseTopic(topics.alerts('KG-WQ-01'))).toBeUndefined();
    for (const topic of ['alerts/+', 'alerts/#', 'alerts/kg-wq-01', 'alerts/KG-WQ-01/x', 'alerts', topics.telemetry('KG-WQ-01')]) {
      expect(parseAlertTopic(topic)).toBeUndefined();
    }
  });

  it('ingest publishes them, web subscribes to them, nobody else does either', () => {
    const ingest = serviceIdentity('ingest');
    const web = serviceIdentity('web');
    const sim = serviceIdentity('simulator');
    const device = deviceIdentity('KG-WQ-01');
    const topic = topics.alerts('KG-WQ-01');
    expect(acl.canPublish(ingest, topic)).toBe(true);
    expect(acl.canPublish(web, topic)).toBe(false);
    expect(acl.canPublish(sim, topic)).toBe(false);
    expect(acl.canPublish(device, topic)).toBe(false);
    expect(acl.canPublish(ingest, 'alerts/+')).toBe(false);
    expect(acl.canSubscribe(web, topicFilters.allAlerts)).toBe(true);
    expect(acl.canSubscribe(web, topic)).toBe(true);
    expect(acl.canSubscribe(web, 'alerts/#')).toBe(false);
    expect(acl.canSubscribe(ingest, topicFilters.allAlerts)).toBe(false);
    expect(acl.canSubscribe(device, topicFilters.allAlerts)).toBe(false);
    expect(acl.canSubscribe(sim, topic)).toBe(false);
    // The platform channels keep working as before.
    expect(acl.canPublish(ingest, topics.platformReadings('KG-WQ-01'))).toBe(true);
    expect(acl.canSubscribe(web, topicFilters.allPlatformReadings)).toBe(true);
  });
});
