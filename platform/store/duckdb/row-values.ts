/**
 * Typed reads of DuckDB result rows. DuckDB returns BIGINT/HUGEINT as JS `bigint`; the store's
 * interfaces speak plain numbers (epoch ms, counts), so every column is converted here, with a
 * clear error when the database holds something the code does not expect.
 */
import type { DuckDBValue } from '@duckdb/node-api';

/** One result row, column name → value. */
export type Row = Readonly<Record<string, DuckDBValue>>;

function unexpected(column: string, value: unknown, expected: string): Error {
  return new Error(`store column ${column}: expected ${expected}, got ${typeof value}`);
}

/** A numeric column (INTEGER, BIGINT, DOUBLE) as a JS number. */
export function numberColumn(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw unexpected(column, value, 'a number');
}

/** A nullable numeric column; SQL NULL becomes `undefined`. */
export function optionalNumberColumn(row: Row, column: string): number | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : numberColumn(row, column);
}

/** A VARCHAR (or JSON) column. */
export function stringColumn(row: Row, column: string): string {
  const value = row[column];
  if (typeof value === 'string') return value;
  throw unexpected(column, value, 'a string');
}

/** A nullable VARCHAR column; SQL NULL becomes `undefined`. */
export function optionalStringColumn(row: Row, column: string): string | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : stringColumn(row, column);
}

/** A VARCHAR column whose value must be one of `allowed` (enums stored as text). */
export function enumColumn<const T extends string>(row: Row, column: string, allowed: readonly T[]): T {
  const value = stringColumn(row, column);
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw new Error(`store column ${column}: unexpected value ${JSON.stringify(value)}`);
  return match;
}
