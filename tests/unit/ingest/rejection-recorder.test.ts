import { describe, expect, it } from 'vitest';
import type { Rejection } from '../../../common/api.js';
import type { RejectionReason } from '../../../common/rejections.js';
import { RejectionRecorder } from '../../../ingest/rejection-recorder.js';
import { silentLogger } from '../../../platform/logger.js';

function setup(maxEntriesPerMessage = 3) {
  const entries: Rejection[] = [];
  const counts = new Map<RejectionReason, number>();
  const recorder = new RejectionRecorder({
    sink: (batch) => entries.push(...batch),
    count: (reason) => counts.set(reason, (counts.get(reason) ?? 0) + 1),
    logger: silentLogger(),
    maxEntriesPerMessage,
  });
  return { recorder, entries, counts };
}

const message = {
  topic: 'sites/KG-WQ-01/telemetry',
  siteId: 'KG-WQ-01',
  receivedAt: 1_750_000_000_000,
  payload: Buffer.from('{"values":{"x":1}}'),
};

describe('RejectionRecorder', () => {
  it('turns each rejection into a dead-letter entry with topic, site, time and excerpt, and counts it', () => {
    const { recorder, entries, counts } = setup();
    recorder.record(message, [{ reason: 'unknown_metric', detail: "unknown metric 'x'" }]);
    expect(entries).toEqual([
      {
        ts: message.receivedAt,
        reason: 'unknown_metric',
        topic: message.topic,
        siteId: 'KG-WQ-01',
        detail: "unknown metric 'x'",
        payloadExcerpt: '{"values":{"x":1}}',
      },
    ]);
    expect(counts.get('unknown_metric')).toBe(1);
  });

  it('keeps a few entries per message and summarises the rest per reason, but counts them all', () => {
    const { recorder, entries, counts } = setup(2);
    const many = [
      ...Array.from({ length: 5 }, (_, i) => ({ reason: 'unknown_metric' as const, detail: `unknown metric 'k${i}'` })),
      { reason: 'wrong_type' as const, detail: 'do is null, not a finite number' },
    ];
    recorder.record(message, many);
    expect(entries.map((e) => [e.reason, e.detail])).toEqual([
      ['unknown_metric', "unknown metric 'k0'"],
      ['unknown_metric', "unknown metric 'k1'"],
      ['unknown_metric', "and 3 more unknown_metric rejections in this message, e.g. unknown metric 'k2'"],
      ['wrong_type', 'and 1 more wrong_type rejections in this message, e.g. do is null, not a finite number'],
    ]);
    expect(counts.get('unknown_metric')).toBe(5);
    expect(counts.get('wrong_type')).toBe(1);
  });

  it('clips hostile topics and escapes control characters', () => {
    const { recorder, entries } = setup();
    recorder.record({ ...message, topic: `a\n${'b'.repeat(1000)}`, siteId: null }, [{ reason: 'unknown_site', detail: 'x' }]);
    expect(entries[0]?.topic.length).toBeLessThanOrEqual(256);
    expect(entries[0]?.topic).not.toContain('\n');
    expect(entries[0]?.siteId).toBeNull();
  });
});
