import { describe, expect, it } from 'vitest';
import { SALINITY_COLORS, STATUS_COLOR } from '../../../../web/app/src/model/colors.js';
import { SiteModel, STATUS_CODES } from '../../../../web/app/src/model/site-model.js';
import { activeAt, alertDensity, buildReplayVisual, countActiveAt } from '../../../../web/app/src/replay/replay-visual.js';
import { alert } from './alert-fixture.js';

const AT = 10 * 3600_000;

describe('replay visual', () => {
  it('knows which alerts were active at a moment', () => {
    expect(activeAt({ raisedAt: 5, clearedAt: null }, 5)).toBe(true);
    expect(activeAt({ raisedAt: 5, clearedAt: 8 }, 8)).toBe(false);
    expect(activeAt({ raisedAt: 5, clearedAt: 8 }, 4)).toBe(false);
    const alerts = [
      alert({ id: 'a', severity: 'critical', raisedAt: 0, clearedAt: 100 }),
      alert({ id: 'b', severity: 'minor', raisedAt: 50, clearedAt: null }),
    ];
    expect(countActiveAt(alerts, 60)).toEqual({ critical: 1, major: 0, minor: 1, warning: 0 });
    expect(countActiveAt(alerts, 200)).toEqual({ critical: 0, major: 0, minor: 1, warning: 0 });
    expect(alertDensity(alerts, 0, 200, 4)).toEqual([1, 2, 1, 1]);
  });

  it('colours the map from a past frame and the alerts of that moment', () => {
    const model = new SiteModel();
    const base = {
      name: 'x',
      lat: 9.8,
      lon: 105,
      province: { former: 'a', current: 'b' },
      reportingIntervalSec: 60,
      status: 'unknown' as const,
      reportedStatus: null,
      lastSeen: null,
      latest: {},
    };
    model.load(
      [
        { ...base, id: 'S1', kind: 'salinity' },
        { ...base, id: 'S2', kind: 'salinity' },
        { ...base, id: 'W1', kind: 'water-quality' },
      ],
      AT,
    );
    const frame = {
      at: AT,
      from: AT - 1800_000,
      siteIds: ['S1', 'W1'],
      lastSeen: [AT - 30_000, AT - 20 * 60_000],
      values: { salinity: [4.5, null], ph: [null, 7.6], do: [null, 6.5], temperature: [null, 29], cod: [null, 8] },
    };
    const visual = buildReplayVisual(model.sites, frame, [
      alert({ id: 'a', siteId: 'S2', severity: 'major', raisedAt: AT - 60_000, clearedAt: null }),
    ]);
    expect(STATUS_CODES[visual.status[0] ?? 4]).toBe('online');
    expect(visual.fill[0]).toBe(SALINITY_COLORS[2]);
    expect(visual.label[0]).toBe(4.5);
    expect(STATUS_CODES[visual.status[1] ?? 0]).toBe('unknown');
    expect(visual.fill[1]).toBe(STATUS_COLOR.unknown);
    expect(visual.severity[1]).toBe(3);
    // Silent for 20 min with a 60 s interval: stale at that moment, drawn faded.
    expect(STATUS_CODES[visual.status[2] ?? 4]).toBe('stale');
  });
});
