import { describe, expect, it } from 'vitest';
import { parseTopic, topicFilters, topics } from '../../../common/topics.js';

describe('topic builders', () => {
  it('builds the device and platform topics of the contract', () => {
    expect(topics.telemetry('KG-WQ-01')).toBe('sites/KG-WQ-01/telemetry');
    expect(topics.status('KG-WQ-01')).toBe('sites/KG-WQ-01/status');
    expect(topics.events('KG-CAM-01')).toBe('sites/KG-CAM-01/events');
    expect(topics.commands('HG-SAL-03')).toBe('sites/HG-SAL-03/commands');
    expect(topics.platformReadings('HG-SAL-03')).toBe('platform/readings/HG-SAL-03');
    expect(topics.platformSiteStatus('HG-SAL-03')).toBe('platform/site-status/HG-SAL-03');
  });

  it.each(['KG/WQ', 'KG-+', '#', 'kg-wq-01', '', 'svc:ingest', 'A'])('refuses to build a topic for the invalid site id %j', (siteId) => {
    expect(() => topics.telemetry(siteId)).toThrow();
  });

  it('has wildcard filters that match the built topics', () => {
    expect(topicFilters.allDeviceTelemetry).toBe('sites/+/telemetry');
    expect(topicFilters.allPlatformReadings).toBe('platform/readings/+');
  });
});

describe('parseTopic', () => {
  it('round-trips every builder', () => {
    expect(parseTopic(topics.telemetry('KG-WQ-01'))).toEqual({ scope: 'device', siteId: 'KG-WQ-01', channel: 'telemetry' });
    expect(parseTopic(topics.commands('KG-WQ-01'))).toEqual({ scope: 'device', siteId: 'KG-WQ-01', channel: 'commands' });
    expect(parseTopic(topics.platformReadings('HG-WQ-02'))).toEqual({ scope: 'platform', siteId: 'HG-WQ-02', channel: 'readings' });
    expect(parseTopic(topics.platformSiteStatus('HG-WQ-02'))).toEqual({ scope: 'platform', siteId: 'HG-WQ-02', channel: 'site-status' });
  });

  it.each([
    'sites/KG-WQ-01',
    'sites/KG-WQ-01/telemetry/extra',
    'sites/kg-wq-01/telemetry',
    'sites/+/telemetry',
    'sites/KG-WQ-01/unknown',
    'platform/readings/#',
    'other/KG-WQ-01/telemetry',
    '/sites/KG-WQ-01/telemetry',
    '',
  ])('returns undefined for %j', (topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });
});
