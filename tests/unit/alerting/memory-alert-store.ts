/**
 * An in-memory AlertStore for unit tests of the engine's evaluation with fake timers (the DuckDB
 * store has its own integration tests). JSON round-trips every row, as the database does, so state
 * that would not survive a restart does not survive here either. `failNextCommits` simulates a
 * failing database.
 */

import type { AlertQuery, AlertStore, AlertStoreBatch, RuleRow, RuleStateRow, StoredRuleRow } from '../../../alerting/store/alert-store.js';
import type { Alert } from '../../../common/alerts.js';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class MemoryAlertStore implements AlertStore {
  readonly rules = new Map<string, StoredRuleRow>();
  readonly alerts = new Map<string, Alert>();
  readonly states = new Map<string, RuleStateRow>();
  commits = 0;
  failNextCommits = 0;

  async listRules(): Promise<StoredRuleRow[]> {
    return [...this.rules.values()].map(copy);
  }

  async saveRules(rules: readonly RuleRow[]): Promise<void> {
    for (const rule of rules) this.rules.set(rule.id, copy(rule));
  }

  async deleteRules(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.rules.delete(id);
  }

  async listRuleStates(): Promise<RuleStateRow[]> {
    return [...this.states.values()].map(copy);
  }

  async listActiveAlerts(): Promise<Alert[]> {
    return [...this.alerts.values()].filter((alert) => alert.state === 'ACTIVE_UNACK' || alert.state === 'ACTIVE_ACK').map(copy);
  }

  async commit(batch: AlertStoreBatch): Promise<void> {
    if (this.failNextCommits > 0) {
      this.failNextCommits--;
      throw new Error('simulated store failure');
    }
    this.commits++;
    for (const alert of batch.alerts) this.alerts.set(alert.id, copy(alert));
    for (const { siteId, ruleId } of batch.deletedStates) this.states.delete(`${siteId}|${ruleId}`);
    for (const row of batch.states) this.states.set(`${row.siteId}|${row.ruleId}`, copy(row));
  }

  async getAlert(id: string): Promise<Alert | undefined> {
    const alert = this.alerts.get(id);
    return alert && copy(alert);
  }

  async queryAlerts(query: AlertQuery): Promise<Alert[]> {
    return [...this.alerts.values()]
      .filter((alert) => !query.states?.length || query.states.includes(alert.state))
      .filter((alert) => query.siteId === undefined || alert.siteId === query.siteId)
      .sort((a, b) => b.raisedAt - a.raisedAt)
      .slice(0, query.limit)
      .map(copy);
  }

  async purgeClearedBefore(beforeMs: number): Promise<number> {
    let purged = 0;
    for (const [id, alert] of this.alerts) {
      if (alert.clearedAt !== null && alert.clearedAt < beforeMs) {
        this.alerts.delete(id);
        purged++;
      }
    }
    return purged;
  }
}
