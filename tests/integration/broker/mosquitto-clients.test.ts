/**
 * A client we did not write: Debian's mosquitto_pub (libmosquitto) publishing with an issued device
 * token, refused with a wrong one, and dropped (yet acknowledged) on another site's topic.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { topicFilters, topics } from '../../../common/topics.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { describeWithExecutable } from '../../support/system-deps.js';
import { BrokerFixture, subscribe, waitForMessage } from './broker-fixture.js';

const run = promisify(execFile);
const SITE = 'HG-SAL-01';
const OTHER_SITE = 'HG-SAL-02';

describeWithExecutable('mosquitto_pub', 'mosquitto-clients', 'broker with mosquitto_pub', (mosquittoPub) => {
  let fixture: BrokerFixture;

  beforeEach(async () => {
    fixture = await new BrokerFixture().start();
  });

  afterEach(async () => {
    await fixture.stop();
  });

  /** Runs mosquitto_pub once (QoS 1, so it waits for PUBACK); resolves with its exit code and stderr. */
  async function mosquittoPublish(username: string, password: string, topic: string, message: string) {
    const args = ['-h', '127.0.0.1', '-p', String(fixture.broker.port), '-V', 'mqttv311', '-q', '1'];
    args.push('-u', username, '-P', password, '-t', topic, '-m', message);
    try {
      const { stderr } = await run(mosquittoPub, args, { timeout: 10_000 });
      return { code: 0, stderr };
    } catch (error) {
      const failure = error as { code?: number | string; stderr?: string };
      return { code: failure.code ?? 'unknown', stderr: failure.stderr ?? '' };
    }
  }

  it('publishes telemetry with the issued token', async () => {
    const ingest = await fixture.connectService(SERVICE_USERS.ingest);
    await subscribe(ingest, [topicFilters.allDeviceTelemetry]);
    const token = await fixture.credentials.issue(SITE);

    const result = await mosquittoPublish(SITE, token, topics.telemetry(SITE), '{"values":{"salinity":1.8}}');

    expect(result).toEqual({ code: 0, stderr: '' });
    await waitForMessage(ingest, topics.telemetry(SITE), '{"values":{"salinity":1.8}}');
  });

  it('is refused with a wrong token', async () => {
    await fixture.credentials.issue(SITE);

    const result = await mosquittoPublish(SITE, 'not-the-token', topics.telemetry(SITE), '{}');

    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/not authori[sz]ed/i);
    expect(await fixture.metric('ioc_broker_auth_failures_total', { reason: 'wrong_token' })).toBe(1);
  });

  it("has a publish under another site's topic acknowledged, dropped and counted", async () => {
    const ingest = await fixture.connectService(SERVICE_USERS.ingest);
    await subscribe(ingest, [topicFilters.allDeviceTelemetry]);
    const token = await fixture.credentials.issue(SITE);

    const forged = await mosquittoPublish(SITE, token, topics.telemetry(OTHER_SITE), '{"values":{"salinity":30}}');
    expect(forged).toEqual({ code: 0, stderr: '' });
    expect(await fixture.metric('ioc_broker_publish_denied_total', { reason: 'topic_not_allowed' })).toBe(1);

    await mosquittoPublish(SITE, token, topics.telemetry(SITE), 'after');
    await waitForMessage(ingest, topics.telemetry(SITE), 'after');
    expect(ingest.received.map((m) => m.topic)).toEqual([topics.telemetry(SITE)]);
  });
});
