import { describe, expect, it } from 'vitest';
import { AlertBook, compareForPanel, countActive, worstRankBySite } from '../../../../web/app/src/model/alert-book.js';
import { alert } from './alert-fixture.js';

describe('alert book', () => {
  it('orders the panel by severity, unacknowledged first, then newest first', () => {
    const alerts = [
      alert({ id: 'a', severity: 'minor', raisedAt: 5 }),
      alert({ id: 'b', severity: 'critical', raisedAt: 1, state: 'ACTIVE_ACK' }),
      alert({ id: 'c', severity: 'critical', raisedAt: 2 }),
      alert({ id: 'd', severity: 'critical', raisedAt: 3 }),
      alert({ id: 'e', severity: 'warning', raisedAt: 9 }),
    ];
    expect([...alerts].sort(compareForPanel).map((a) => a.id)).toEqual(['d', 'c', 'b', 'a', 'e']);
  });

  it('ignores changes older than what it holds and drops alerts that left the panel', () => {
    const book = new AlertBook();
    expect(book.apply(alert({ id: 'x', updatedAt: 10 }))).toBe(true);
    expect(book.apply(alert({ id: 'x', updatedAt: 5, severity: 'critical' }))).toBe(false);
    expect(book.get('x')?.severity).toBe('major');
    expect(book.apply(alert({ id: 'x', updatedAt: 20, state: 'CLEARED_UNACK', clearedAt: 20 }))).toBe(true);
    expect(book.panel()).toHaveLength(1);
    expect(book.worstBySite().size).toBe(0);
    expect(book.apply(alert({ id: 'x', updatedAt: 30, state: 'CLEARED', clearedAt: 20 }))).toBe(true);
    expect(book.panel()).toHaveLength(0);
    expect(book.apply(alert({ id: 'y', state: 'CLEARED' }))).toBe(false);
  });

  it('counts active alerts and finds the worst severity per site', () => {
    const alerts = [
      alert({ id: '1', siteId: 'A1', severity: 'minor' }),
      alert({ id: '2', siteId: 'A1', severity: 'critical', state: 'ACTIVE_ACK' }),
      alert({ id: '3', siteId: 'B2', severity: 'warning' }),
      alert({ id: '4', siteId: 'B2', severity: 'critical', state: 'CLEARED_UNACK' }),
    ];
    expect(countActive(alerts)).toEqual({ critical: 1, major: 0, minor: 1, warning: 1 });
    expect(worstRankBySite(alerts)).toEqual(
      new Map([
        ['A1', 4],
        ['B2', 1],
      ]),
    );
  });

  it('replaceAll keeps newer live changes and forgets alerts that ended', () => {
    const book = new AlertBook();
    book.apply(alert({ id: 'live', updatedAt: 50, severity: 'critical' }));
    book.apply(alert({ id: 'gone', updatedAt: 5 }));
    book.replaceAll([alert({ id: 'live', updatedAt: 40 }), alert({ id: 'new', updatedAt: 1 })]);
    expect(book.panel().map((a) => a.id)).toEqual(['live', 'new']);
    expect(book.get('live')?.severity).toBe('critical');
  });
});
