/**
 * One DuckDB connection used by one task at a time. A DuckDB connection runs one statement at a
 * time and holds one transaction, so concurrent async callers must not interleave on it: tasks
 * queue here in call order. The store keeps one for writes (so writes never conflict) and one for
 * reads (which see committed data through DuckDB's MVCC and run alongside writes).
 */
import type { DuckDBAppender, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Row } from './row-values.js';

/** What a queued task may do with the connection. */
export interface ConnectionSession {
  /** Runs a prepared statement and returns every row as an object. */
  query(sql: string, params?: readonly DuckDBValue[]): Promise<Row[]>;
  /** Runs a prepared statement and returns the number of rows it changed. */
  execute(sql: string, params?: readonly DuckDBValue[]): Promise<number>;
  /** Runs `task` inside BEGIN … COMMIT; rolls back and rethrows when it fails. */
  transaction<T>(task: () => Promise<T>): Promise<T>;
  /**
   * An appender on `table` (bulk insert, far faster than INSERT per row); `temporary` for this
   * connection's temp tables. Close it before COMMIT.
   */
  appender(table: string, temporary?: boolean): Promise<DuckDBAppender>;
  /** Runs SQL text without parameters or caching (DDL, several statements separated by `;`). */
  run(sql: string): Promise<void>;
}

/**
 * A DuckDB connection plus a task queue. Statements are prepared per call, never cached: a plan
 * prepared against an empty table is optimised with its statistics and, re-run after the table
 * changed, returned corrupted rows (@duckdb/node-api 1.5; see tests/integration/platform/store).
 */
export class SerialConnection implements ConnectionSession {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly connection: DuckDBConnection) {}

  /** Queues `task`; it starts when every earlier task has settled. */
  exclusive<T>(task: (session: ConnectionSession) => Promise<T>): Promise<T> {
    const result = this.tail.then(() => task(this));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when every task queued so far has settled. */
  async drain(): Promise<void> {
    for (;;) {
      const tail = this.tail;
      await tail;
      if (tail === this.tail) return;
    }
  }

  /** Closes the connection (and its prepared statements); call after {@link drain}. */
  close(): void {
    this.connection.closeSync();
  }

  async query(sql: string, params: readonly DuckDBValue[] = []): Promise<Row[]> {
    const statement = await this.connection.prepare(sql);
    try {
      statement.bind([...params]);
      const reader = await statement.runAndReadAll();
      return reader.getRowObjects();
    } finally {
      statement.destroySync();
    }
  }

  async execute(sql: string, params: readonly DuckDBValue[] = []): Promise<number> {
    const statement = await this.connection.prepare(sql);
    try {
      statement.bind([...params]);
      const result = await statement.run();
      return result.rowsChanged;
    } finally {
      statement.destroySync();
    }
  }

  async transaction<T>(task: () => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const value = await task();
      await this.connection.run('COMMIT');
      return value;
    } catch (error) {
      // A failed COMMIT has already rolled back; then ROLLBACK fails with "no transaction" — ignored.
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  appender(table: string, temporary = false): Promise<DuckDBAppender> {
    return temporary ? this.connection.createAppender(table, 'main', 'temp') : this.connection.createAppender(table);
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }
}
