/**
 * Schema of the embedded database, as numbered migrations recorded in `schema_version`. Applying
 * them is idempotent: each runs once, in its own transaction, in order; a database written by a
 * newer build (a higher version than this code knows) is refused instead of being misread.
 *
 * Append new migrations at the end; never edit one that has shipped.
 *
 * Design notes for `readings`: no index and no primary key. An ART index on (site, metric, ts)
 * made bulk inserts ~10× slower (measured: 57k vs. 410k rows/s) and must stay in memory; instead
 * rows are appended in arrival order, which is roughly time order, so DuckDB's per-row-group
 * min/max statistics (zone maps) on `ts` skip everything outside a queried time range. Idempotent
 * overwrites are handled by the writer (see duckdb-telemetry-store.ts).
 */
import { numberColumn } from './row-values.js';
import type { ConnectionSession } from './serial-connection.js';

interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Every schema change, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'telemetry and registry tables',
    sql: `
      CREATE TABLE readings (
        site_id VARCHAR NOT NULL,
        metric VARCHAR NOT NULL,
        ts BIGINT NOT NULL,         -- epoch ms
        value DOUBLE NOT NULL       -- catalog unit of the metric
      );
      CREATE TABLE events (
        site_id VARCHAR NOT NULL,
        ts BIGINT NOT NULL,         -- epoch ms
        type VARCHAR NOT NULL,
        severity VARCHAR NOT NULL,
        message VARCHAR,
        data JSON
      );
      CREATE TABLE device_credentials (
        site_id VARCHAR PRIMARY KEY,
        token_hash VARCHAR NOT NULL,
        issued_at BIGINT NOT NULL
      );
      CREATE TABLE users (
        username VARCHAR PRIMARY KEY,
        password_hash VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE sessions (
        id_hash VARCHAR PRIMARY KEY,
        username VARCHAR NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE site_status (
        site_id VARCHAR PRIMARY KEY,
        status VARCHAR NOT NULL,
        ts BIGINT NOT NULL,
        battery DOUBLE,             -- V
        rssi DOUBLE                 -- dBm
      );
      CREATE TABLE dead_letters (
        seq BIGINT NOT NULL,        -- append order; the log keeps the highest DEAD_LETTER_CAPACITY
        ts BIGINT NOT NULL,
        reason VARCHAR NOT NULL,
        topic VARCHAR NOT NULL,
        site_id VARCHAR,
        detail VARCHAR NOT NULL,
        payload_excerpt VARCHAR NOT NULL
      );
      CREATE TABLE rejection_totals (
        reason VARCHAR PRIMARY KEY,
        total BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'registered sites',
    sql: `
      CREATE TABLE sites (
        id VARCHAR PRIMARY KEY,
        definition VARCHAR NOT NULL,  -- the site as JSON (common/sites.ts siteSchema)
        source VARCHAR NOT NULL,      -- seed | api
        created_at BIGINT NOT NULL    -- epoch ms
      );
    `,
  },
  {
    version: 3,
    description: 'alerting: rules, alerts, per-site rule evaluation state',
    sql: `
      CREATE TABLE alert_rules (
        id VARCHAR PRIMARY KEY,
        definition VARCHAR NOT NULL,  -- JSON: common/alert-rules.ts ruleDefinitionSchema
        source VARCHAR NOT NULL,      -- seed | api
        created_at BIGINT NOT NULL,   -- epoch ms
        updated_at BIGINT NOT NULL,
        updated_by VARCHAR            -- username of the admin who last edited it
      );
      CREATE TABLE alerts (
        id VARCHAR PRIMARY KEY,
        site_id VARCHAR NOT NULL,
        rule_id VARCHAR NOT NULL,
        state VARCHAR NOT NULL,       -- ACTIVE_UNACK | ACTIVE_ACK | CLEARED_UNACK | CLEARED
        severity VARCHAR NOT NULL,
        raised_at BIGINT NOT NULL,    -- epoch ms
        updated_at BIGINT NOT NULL,
        cleared_at BIGINT,
        alert VARCHAR NOT NULL        -- JSON: common/alerts.ts alertSchema
      );
      CREATE TABLE alert_rule_states (
        site_id VARCHAR NOT NULL,
        rule_id VARCHAR NOT NULL,
        state VARCHAR NOT NULL,       -- JSON: alerting/evaluation/rule-state.ts RuleState
        updated_at BIGINT NOT NULL,   -- epoch ms
        PRIMARY KEY (site_id, rule_id)
      );
    `,
  },
  {
    version: 4,
    description: 'notifications: subscriptions, per-alert escalation state, outbox, in-app feed',
    sql: `
      CREATE TABLE notification_subscriptions (
        id VARCHAR PRIMARY KEY,
        username VARCHAR NOT NULL,
        definition VARCHAR NOT NULL,  -- JSON: common/notifications.ts subscriptionInputSchema
        created_at BIGINT NOT NULL,   -- epoch ms
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE notification_alerts (
        alert_id VARCHAR PRIMARY KEY,
        alert VARCHAR NOT NULL,       -- the latest Alert as JSON (common/alerts.ts)
        notified_severity VARCHAR NOT NULL,
        critical_since BIGINT,        -- epoch ms; null while not critical and unacknowledged
        next_reminder_at BIGINT,      -- epoch ms
        escalate_at BIGINT,           -- epoch ms
        escalated BOOLEAN NOT NULL,
        reminders INTEGER NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE notification_outbox (
        id VARCHAR PRIMARY KEY,
        created_at BIGINT NOT NULL,   -- epoch ms
        username VARCHAR NOT NULL,
        subscription_id VARCHAR NOT NULL,
        alert_id VARCHAR NOT NULL,
        site_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,        -- raised | severity_changed | reminder | escalation | acknowledged | cleared
        channel VARCHAR NOT NULL,     -- in-app | webhook | email | gateway
        target VARCHAR NOT NULL,      -- address: username, URL, e-mail, gateway recipient
        message VARCHAR NOT NULL,     -- the rendered message as JSON
        status VARCHAR NOT NULL,      -- pending | sent | dead
        attempts INTEGER NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        last_attempt_at BIGINT,
        last_error VARCHAR,
        sent_at BIGINT
      );
      CREATE TABLE notification_feed (
        id VARCHAR PRIMARY KEY,
        username VARCHAR NOT NULL,
        created_at BIGINT NOT NULL,   -- epoch ms
        alert_id VARCHAR NOT NULL,
        site_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        severity VARCHAR NOT NULL,
        language VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        body VARCHAR NOT NULL,
        link VARCHAR NOT NULL,
        read_at BIGINT
      );
    `,
  },
  {
    version: 5,
    description: 'device token rotation grace and site enablement',
    sql: `
      ALTER TABLE device_credentials ADD COLUMN previous_token_hash VARCHAR;  -- the replaced token, during its grace
      ALTER TABLE device_credentials ADD COLUMN previous_valid_until BIGINT;  -- epoch ms, exclusive
      CREATE TABLE disabled_sites (
        site_id VARCHAR PRIMARY KEY,
        disabled_at BIGINT NOT NULL   -- epoch ms
      );
    `,
  },
  {
    version: 6,
    description: 'operators: audit log and disabled accounts',
    sql: `
      ALTER TABLE users ADD COLUMN disabled_at BIGINT;  -- epoch ms; null while the account is enabled
      CREATE TABLE audit_log (
        id VARCHAR PRIMARY KEY,
        ts BIGINT NOT NULL,           -- epoch ms
        actor VARCHAR NOT NULL,       -- username
        actor_role VARCHAR NOT NULL,
        action VARCHAR NOT NULL,      -- common/audit.ts AUDIT_ACTIONS
        target VARCHAR,
        ip VARCHAR NOT NULL,
        user_agent VARCHAR NOT NULL,
        request_id VARCHAR NOT NULL,
        detail VARCHAR NOT NULL       -- JSON: common/audit.ts auditDetailSchema; never a secret
      );
    `,
  },
  {
    version: 7,
    description: 'removed sites, so the broker closes their open connections',
    sql: `
      CREATE TABLE removed_sites (
        site_id VARCHAR PRIMARY KEY,
        removed_at BIGINT NOT NULL    -- epoch ms; the row goes when the id is registered again
      );
    `,
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);

/** Applies pending migrations; returns the versions applied (empty when already current). */
export async function migrate(session: ConnectionSession, nowMs: number): Promise<number[]> {
  await session.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at BIGINT)');
  const [row] = await session.query('SELECT coalesce(max(version), 0) AS version FROM schema_version');
  const current = row ? numberColumn(row, 'version') : 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema version ${current} is newer than this build supports (${SCHEMA_VERSION}); upgrade Mekong IOC`);
  }
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    await session.transaction(async () => {
      await session.run(migration.sql);
      await session.execute('INSERT INTO schema_version VALUES ($1, $2, $3)', [migration.version, migration.description, BigInt(nowMs)]);
    });
    applied.push(migration.version);
  }
  return applied;
}
