/** Plain-text tables and number formats for the benchmark report. Missing values (NaN, null, undefined) print as `–`. */

export type Align = 'left' | 'right';

const MISSING = '–';

function present(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Integer with thousands separators: 12,345. */
export function int(value: number | null | undefined): string {
  return present(value) ? Math.round(value).toLocaleString('en-US') : MISSING;
}

/** Fixed decimals: 1.23. */
export function fixed(value: number | null | undefined, digits = 1): string {
  return present(value) ? value.toFixed(digits) : MISSING;
}

/** Milliseconds with precision that suits their size: 0.42, 3.6, 148. */
export function ms(value: number | null | undefined): string {
  if (!present(value)) return MISSING;
  if (value < 1) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

/** A ratio: 0.93×. */
export function ratio(value: number | null | undefined): string {
  return present(value) ? `${value.toFixed(2)}×` : MISSING;
}

/** A percentage: 87 %. */
export function percent(value: number | null | undefined, digits = 0): string {
  return present(value) ? `${value.toFixed(digits)} %` : MISSING;
}

/** `a / b` of two milliseconds. */
export function msPair(a: number | null | undefined, b: number | null | undefined): string {
  return present(a) || present(b) ? `${ms(a)} / ${ms(b)}` : MISSING;
}

/**
 * Lays rows out in columns padded to the widest cell; `align` per column (default: first column
 * left, the rest right). A row with a single cell is a section heading across the table.
 */
export function formatTable(rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const columns = Math.max(0, ...rows.filter((row) => row.length > 1).map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(0, ...rows.filter((row) => row.length > 1).map((row) => [...(row[c] ?? '')].length)),
  );
  return rows
    .map((row) => {
      if (row.length <= 1) return row[0] ?? '';
      return widths
        .map((width, c) => {
          const cell = row[c] ?? '';
          const pad = ' '.repeat(Math.max(0, width - [...cell].length));
          const side = align?.[c] ?? (c === 0 ? 'left' : 'right');
          return side === 'left' ? cell + pad : pad + cell;
        })
        .join('  ')
        .trimEnd();
    })
    .join('\n');
}
