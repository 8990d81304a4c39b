/**
 * {@link AlertStore} on the embedded DuckDB database (tables of migration 3, see
 * platform/store/duckdb/migrations.ts). Alerts and rule states are written in bulk: rows go through
 * the appender into temp staging tables, then `INSERT OR REPLACE` moves them in — one transaction
 * per flush, however many rows.
 */
import type { DuckDBAppender, DuckDBValue } from '@duckdb/node-api';
import { RULE_SOURCES } from '../../common/alert-rules.js';
import { type Alert, alertSchema } from '../../common/alerts.js';
import type { DuckDbDatabase } from '../../platform/store/duckdb/duckdb-database.js';
import { enumColumn, numberColumn, optionalStringColumn, type Row, stringColumn } from '../../platform/store/duckdb/row-values.js';
import type { ConnectionSession } from '../../platform/store/duckdb/serial-connection.js';
import type { AlertQuery, AlertStore, AlertStoreBatch, RuleRow, RuleStateRow, StoredRuleRow } from './alert-store.js';

const ALERTS_STAGING = 'alerts_staging';
const STATES_STAGING = 'alert_rule_states_staging';

export class DuckDbAlertStore implements AlertStore {
  constructor(private readonly db: DuckDbDatabase) {}

  async listRules(): Promise<StoredRuleRow[]> {
    const rows = await this.db.read('alerting_list_rules', (s) => s.query('SELECT * FROM alert_rules ORDER BY id'));
    return rows.map((row) => ({
      id: stringColumn(row, 'id'),
      definition: parseJson(stringColumn(row, 'definition')),
      source: enumColumn(row, 'source', RULE_SOURCES),
      createdAt: numberColumn(row, 'created_at'),
      updatedAt: numberColumn(row, 'updated_at'),
      updatedBy: optionalStringColumn(row, 'updated_by') ?? null,
    }));
  }

  async saveRules(rules: readonly RuleRow[]): Promise<void> {
    if (rules.length === 0) return;
    await this.db.write('alerting_save_rules', (s) =>
      s.transaction(async () => {
        for (const rule of rules) {
          await s.execute(
            `INSERT INTO alert_rules VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, source = excluded.source,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
            [rule.id, JSON.stringify(rule.definition), rule.source, BigInt(rule.createdAt), BigInt(rule.updatedAt), rule.updatedBy],
          );
        }
      }),
    );
  }

  async deleteRules(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.write('alerting_delete_rules', (s) =>
      s.transaction(async () => {
        for (const id of ids) await s.execute('DELETE FROM alert_rules WHERE id = $1', [id]);
      }),
    );
  }

  async listRuleStates(): Promise<RuleStateRow[]> {
    const rows = await this.db.read('alerting_list_states', (s) => s.query('SELECT * FROM alert_rule_states'));
    return rows.map((row) => ({
      siteId: stringColumn(row, 'site_id'),
      ruleId: stringColumn(row, 'rule_id'),
      state: parseJson(stringColumn(row, 'state')),
      updatedAt: numberColumn(row, 'updated_at'),
    }));
  }

  async listActiveAlerts(): Promise<Alert[]> {
    const rows = await this.db.read('alerting_list_active', (s) =>
      s.query(`SELECT alert FROM alerts WHERE state IN ('ACTIVE_UNACK', 'ACTIVE_ACK') ORDER BY raised_at`),
    );
    return rows.map(alertOf);
  }

  async commit(batch: AlertStoreBatch): Promise<void> {
    if (batch.alerts.length === 0 && batch.states.length === 0 && batch.deletedStates.length === 0) return;
    await this.db.write('alerting_commit', async (s) => {
      await ensureStaging(s);
      await s.transaction(async () => {
        if (batch.alerts.length > 0) {
          await withAppender(s, ALERTS_STAGING, (appender) => {
            for (const alert of latestById(batch.alerts)) appendAlert(appender, alertSchema.parse(alert));
          });
          await s.execute(`INSERT OR REPLACE INTO alerts SELECT * FROM ${ALERTS_STAGING}`);
          await s.execute(`DELETE FROM ${ALERTS_STAGING}`);
        }
        for (const { siteId, ruleId } of batch.deletedStates) {
          await s.execute('DELETE FROM alert_rule_states WHERE site_id = $1 AND rule_id = $2', [siteId, ruleId]);
        }
        if (batch.states.length > 0) {
          await withAppender(s, STATES_STAGING, (appender) => {
            for (const row of latestByKey(batch.states)) {
              appender.appendVarchar(row.siteId);
              appender.appendVarchar(row.ruleId);
              appender.appendVarchar(JSON.stringify(row.state));
              appender.appendBigInt(BigInt(row.updatedAt));
              appender.endRow();
            }
          });
          await s.execute(`INSERT OR REPLACE INTO alert_rule_states SELECT * FROM ${STATES_STAGING}`);
          await s.execute(`DELETE FROM ${STATES_STAGING}`);
        }
      });
    });
  }

  async getAlert(id: string): Promise<Alert | undefined> {
    const [row] = await this.db.read('alerting_get_alert', (s) => s.query('SELECT alert FROM alerts WHERE id = $1', [id]));
    return row ? alertOf(row) : undefined;
  }

  async queryAlerts(query: AlertQuery): Promise<Alert[]> {
    const where: string[] = [];
    const params: DuckDBValue[] = [];
    const param = (value: DuckDBValue) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.states && query.states.length > 0) where.push(`state IN (${query.states.map((state) => param(state)).join(', ')})`);
    if (query.severities && query.severities.length > 0) {
      where.push(`severity IN (${query.severities.map((severity) => param(severity)).join(', ')})`);
    }
    if (query.siteId !== undefined) where.push(`site_id = ${param(query.siteId)}`);
    if (query.to !== undefined) where.push(`raised_at < ${param(BigInt(query.to))}`);
    if (query.from !== undefined) where.push(`(cleared_at IS NULL OR cleared_at >= ${param(BigInt(query.from))})`);
    const sql = `SELECT alert FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY raised_at DESC, id LIMIT ${param(BigInt(query.limit))}`;
    const rows = await this.db.read('alerting_query_alerts', (s) => s.query(sql, params));
    return rows.map(alertOf);
  }

  async purgeClearedBefore(beforeMs: number): Promise<number> {
    return this.db.write('alerting_purge', (s) =>
      s.execute(`DELETE FROM alerts WHERE state IN ('CLEARED', 'CLEARED_UNACK') AND cleared_at < $1`, [BigInt(beforeMs)]),
    );
  }
}

async function ensureStaging(session: ConnectionSession): Promise<void> {
  await session.run(
    `CREATE TEMP TABLE IF NOT EXISTS ${ALERTS_STAGING} AS SELECT * FROM alerts LIMIT 0;
     CREATE TEMP TABLE IF NOT EXISTS ${STATES_STAGING} AS SELECT * FROM alert_rule_states LIMIT 0;`,
  );
}

function appendAlert(appender: DuckDBAppender, alert: Alert): void {
  appender.appendVarchar(alert.id);
  appender.appendVarchar(alert.siteId);
  appender.appendVarchar(alert.ruleId);
  appender.appendVarchar(alert.state);
  appender.appendVarchar(alert.severity);
  appender.appendBigInt(BigInt(alert.raisedAt));
  appender.appendBigInt(BigInt(alert.updatedAt));
  if (alert.clearedAt === null) appender.appendNull();
  else appender.appendBigInt(BigInt(alert.clearedAt));
  appender.appendVarchar(JSON.stringify(alert));
  appender.endRow();
}

/** The last version of each alert in the batch (a key may appear once per INSERT OR REPLACE). */
function latestById(alerts: readonly Alert[]): Alert[] {
  return [...new Map(alerts.map((alert) => [alert.id, alert])).values()];
}

function latestByKey(states: readonly RuleStateRow[]): RuleStateRow[] {
  return [...new Map(states.map((row) => [`${row.siteId}|${row.ruleId}`, row])).values()];
}

async function withAppender(session: ConnectionSession, table: string, fill: (appender: DuckDBAppender) => void): Promise<void> {
  const appender = await session.appender(table, true);
  try {
    fill(appender);
  } catch (error) {
    appender.clear();
    appender.closeSync();
    throw error;
  }
  appender.closeSync();
}

function alertOf(row: Row): Alert {
  return alertSchema.parse(parseJson(stringColumn(row, 'alert')));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
