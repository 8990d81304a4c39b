/**
 * The open DuckDB database behind the embedded stores: one instance, a write connection and a read
 * connection, each running one task at a time (see serial-connection.ts). Writes are serialised so
 * they never conflict; reads run next to them on committed data. Every operation is timed into the
 * store metrics and refused with `unavailable` while the database is not open.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { type ConnectionSession, SerialConnection } from './serial-connection.js';
import type { StoreMetrics } from './store-metrics.js';

/**
 * Files opened by this process. DuckDB's file lock only stops *other* processes; a second
 * instance on the same file inside one process would silently corrupt it.
 */
const openFiles = new Set<string>();

type State = 'closed' | 'opening' | 'open' | 'closing';

/** One open database file with its write and read connections; see the module comment. */
export class DuckDbDatabase {
  private state: State = 'closed';
  private instance: DuckDBInstance | undefined;
  private writer: SerialConnection | undefined;
  private reader: SerialConnection | undefined;
  private closing: Promise<void> | undefined;
  private readonly file: string;

  constructor(
    file: string,
    private readonly metrics: StoreMetrics,
    private readonly logger: Logger,
  ) {
    this.file = path.resolve(file);
  }

  /** Absolute path of the database file. */
  get path(): string {
    return this.file;
  }

  /** True between a successful open() and the start of close(). */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Creates the parent directory, opens the file (created when missing) and runs `initialise`
   * (migrations, cache warm-up) on the write connection before any other operation is accepted.
   */
  async open(initialise: (session: ConnectionSession) => Promise<void>): Promise<void> {
    if (this.state !== 'closed') throw new Error(`database ${this.file} is ${this.state}`);
    if (openFiles.has(this.file)) {
      throw new AppError('conflict', `database ${this.file} is already open in this process`);
    }
    this.state = 'opening';
    openFiles.add(this.file);
    const connections: DuckDBConnection[] = [];
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      this.instance = await DuckDBInstance.create(this.file, {
        // Never fetch code from the Internet at runtime (IOC networks are often offline); json is built in.
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
      });
      connections.push(await this.instance.connect(), await this.instance.connect());
      const [writer, reader] = connections as [DuckDBConnection, DuckDBConnection];
      this.writer = new SerialConnection(writer);
      this.reader = new SerialConnection(reader);
      await this.writer.exclusive(initialise);
      this.state = 'open';
    } catch (error) {
      for (const connection of connections) connection.closeSync();
      this.instance?.closeSync();
      this.instance = undefined;
      this.writer = undefined;
      this.reader = undefined;
      openFiles.delete(this.file);
      this.state = 'closed';
      throw describeOpenError(this.file, error);
    }
  }

  /** Waits for queued work, checkpoints the WAL into the file and closes. Idempotent; concurrent calls share one close. */
  close(): Promise<void> {
    if (this.state === 'open') this.closing = this.closeNow();
    return this.closing ?? Promise.resolve();
  }

  private async closeNow(): Promise<void> {
    this.state = 'closing';
    const { writer, reader, instance } = this;
    try {
      await Promise.all([writer?.drain(), reader?.drain()]);
      await writer?.run('CHECKPOINT').catch((error: unknown) => this.logger.warn({ err: error }, 'checkpoint before close failed'));
    } finally {
      reader?.close();
      writer?.close();
      instance?.closeSync();
      this.instance = undefined;
      this.writer = undefined;
      this.reader = undefined;
      openFiles.delete(this.file);
      this.state = 'closed';
      this.closing = undefined;
    }
  }

  /** Queues a write on the write connection; timed as `ioc_store_write_seconds{operation}`. */
  write<T>(operation: string, task: (session: ConnectionSession) => Promise<T>): Promise<T> {
    return this.run(this.writer, this.metrics.writeSeconds, operation, task);
  }

  /** Queues a read on the read connection; timed as `ioc_store_query_seconds{operation}`. */
  read<T>(operation: string, task: (session: ConnectionSession) => Promise<T>): Promise<T> {
    return this.run(this.reader, this.metrics.querySeconds, operation, task);
  }

  /**
   * Queues a read on the write connection, ordered with the writes (for state that must match
   * exactly what has been written, such as the latest-values cache); timed as a query.
   */
  readInWriteOrder<T>(operation: string, task: (session: ConnectionSession) => Promise<T>): Promise<T> {
    return this.run(this.writer, this.metrics.querySeconds, operation, task);
  }

  private async run<T>(
    connection: SerialConnection | undefined,
    histogram: StoreMetrics['writeSeconds'],
    operation: string,
    task: (session: ConnectionSession) => Promise<T>,
  ): Promise<T> {
    if (this.state !== 'open' || !connection) {
      throw new AppError('unavailable', `store is not open (${this.state === 'closing' ? 'stopping' : 'not started'})`);
    }
    return connection.exclusive(async (session) => {
      const stopTimer = histogram.startTimer({ operation });
      try {
        return await task(session);
      } catch (error) {
        this.metrics.errors.inc({ operation });
        if (!(error instanceof AppError)) this.logger.error({ err: error, operation }, 'store operation failed');
        throw error;
      } finally {
        stopTimer();
      }
    });
  }
}

function describeOpenError(file: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/Could not set lock/i.test(message)) {
    return new AppError(
      'unavailable',
      `database ${file} is locked by another process (only one process may own it; in split mode ingest does): ${message}`,
    );
  }
  if (error instanceof AppError) return error;
  return new Error(`cannot open database ${file}: ${message}`, { cause: error });
}
