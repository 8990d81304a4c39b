/**
 * Persistence of the alert engine: rules (seeded and admin-edited), alerts (open and history) and
 * the evaluation state of every rule at every site. The engine owns these rows; it writes alerts and
 * states in one transaction per flush, so what a restart reads back is consistent.
 */

import type { RuleSource } from '../../common/alert-rules.js';
import type { Alert } from '../../common/alerts.js';
import type { AlertQuery } from '../../platform/store/types.js';

/** A stored rule before validation: the engine checks `definition` and skips (and logs) bad rows. */
export interface StoredRuleRow {
  readonly id: string;
  /** Parsed JSON of the definition. */
  readonly definition: unknown;
  readonly source: RuleSource;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly updatedBy: string | null;
}

/** A rule to store (already validated). */
export interface RuleRow {
  readonly id: string;
  readonly definition: object;
  readonly source: RuleSource;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly updatedBy: string | null;
}

/** One rule's evaluation state at one site, as JSON (validated by the engine when read back). */
export interface RuleStateRow {
  readonly siteId: string;
  readonly ruleId: string;
  readonly state: unknown;
  /** Epoch ms. */
  readonly updatedAt: number;
}

/** Everything one flush writes, in one transaction. */
export interface AlertStoreBatch {
  readonly alerts: readonly Alert[];
  readonly states: readonly RuleStateRow[];
  readonly deletedStates: readonly { readonly siteId: string; readonly ruleId: string }[];
}

export type { AlertQuery };

export interface AlertStore {
  listRules(): Promise<StoredRuleRow[]>;
  /** Creates or replaces rules. */
  saveRules(rules: readonly RuleRow[]): Promise<void>;
  deleteRules(ids: readonly string[]): Promise<void>;
  listRuleStates(): Promise<RuleStateRow[]>;
  /** Alerts in state ACTIVE_UNACK or ACTIVE_ACK. */
  listActiveAlerts(): Promise<Alert[]>;
  /** Creates or replaces the alerts and states, deletes the listed states — all or nothing. */
  commit(batch: AlertStoreBatch): Promise<void>;
  getAlert(id: string): Promise<Alert | undefined>;
  /** Newest first by `raisedAt`. */
  queryAlerts(query: AlertQuery): Promise<Alert[]>;
  /** Deletes alerts cleared before `beforeMs`; returns how many. */
  purgeClearedBefore(beforeMs: number): Promise<number>;
}
