import { quoteIdent } from './identifiers.js';
import { parseHiveBucketType, type HiveBucketType } from './hiveBucketing.js';
import type { TableQualityPolicy } from './qualityPolicy.js';

export interface ProfileColumn {
  name: string;
  /** Engine type (DuckDB `VARCHAR`, Glue `string`); compared after normalizeColumnType. */
  type: string;
}

/** What the gate measured on a staged table. */
export interface ObservedProfile {
  rows: number;
  columns: ProfileColumn[];
  /** Per measured column: rows NULL or empty ('' or blanks, text columns only), and distinct values when asked. */
  stats: Record<string, ColumnStats>;
}

export interface ColumnStats {
  /** NULL plus empty. */
  nullOrEmpty: number;
  nulls: number;
  /** '' or blanks (text columns; 0 otherwise). */
  empty: number;
  distinct?: number;
}

/** What the last successful run published for a table (read back from catalog table properties). */
export interface BaselineProfile {
  snapshotDt: string;
  rows: number;
  columns: ProfileColumn[];
}

const ALIASES: Record<string, string> = {
  varchar: 'string',
  text: 'string',
  integer: 'int',
  int4: 'int',
  long: 'bigint',
  int8: 'bigint',
  short: 'smallint',
  int2: 'smallint',
  byte: 'tinyint',
  int1: 'tinyint',
  float8: 'double',
  real: 'float',
  float4: 'float',
  bool: 'boolean',
  blob: 'binary',
};

/** A type name both backends agree on: lower case, DuckDB/Glue aliases folded (`VARCHAR` → `string`). */
export function normalizeColumnType(type: string): string {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ');
  return ALIASES[t] ?? t;
}

/** The Hive bucketing type of a column type, or undefined when Hive v1 cannot bucket it. */
export function bucketableType(type: string): HiveBucketType | undefined {
  try {
    return parseHiveBucketType(normalizeColumnType(type));
  } catch {
    return undefined;
  }
}

/** One column the profile query measures. */
export interface ProfiledColumn {
  name: string;
  /** Text columns also count '' and blanks as empty. */
  text: boolean;
  distinct: boolean;
}

/** The columns to measure: the bucket column and every column with its own bounds that the table has. */
export function profiledColumns(policy: TableQualityPolicy, bucketColumn: string, columns: readonly ProfileColumn[]): ProfiledColumn[] {
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const wanted = new Map<string, ProfiledColumn>();
  const add = (name: string, distinct: boolean) => {
    const column = byName.get(name.toLowerCase());
    if (!column) return;
    const previous = wanted.get(column.name);
    wanted.set(column.name, { name: column.name, text: normalizeColumnType(column.type) === 'string', distinct: distinct || (previous?.distinct ?? false) });
  };
  add(bucketColumn, false);
  for (const [name, c] of Object.entries(policy.columns)) add(name, c.minDistinct !== undefined || c.maxDistinct !== undefined);
  return [...wanted.values()];
}

/**
 * One query for every count the gate needs (DuckDB and Athena/Trino both run it): `count(*)`, then per
 * column its NULL rows, its empty rows (text columns) and, when asked, its distinct values — in that order
 * (see parseProfileRow).
 */
export function profileSql(from: string, where: string | undefined, columns: readonly ProfiledColumn[]): string {
  const parts = ['count(*)'];
  for (const c of columns) {
    const q = quoteIdent(c.name, 'column');
    parts.push(`count(*) FILTER (WHERE ${q} IS NULL)`);
    if (c.text) parts.push(`count(*) FILTER (WHERE trim(${q}) = '')`);
    if (c.distinct) parts.push(`count(DISTINCT ${q})`);
  }
  return `SELECT ${parts.join(', ')} FROM ${from}${where ? ` WHERE ${where}` : ''}`;
}

/** The counts of profileSql's one row, by position. */
export function parseProfileRow(
  columns: readonly ProfiledColumn[],
  values: readonly (string | number | bigint | null | undefined)[],
): Pick<ObservedProfile, 'rows' | 'stats'> {
  let i = 0;
  const next = (what: string): number => {
    const raw = values[i++];
    const n = Number(raw);
    if (raw === undefined || raw === null || !Number.isSafeInteger(n) || n < 0) {
      throw new Error(`quality profile: expected a count for ${what}, got ${JSON.stringify(raw === undefined ? null : String(raw))}`);
    }
    return n;
  };
  const rows = next('rows');
  const stats: ObservedProfile['stats'] = {};
  for (const c of columns) {
    const nulls = next(`${c.name} nulls`);
    const empty = c.text ? next(`${c.name} empty`) : 0;
    const base = { nullOrEmpty: nulls + empty, nulls, empty };
    stats[c.name] = c.distinct ? { ...base, distinct: next(`${c.name} distinct`) } : base;
  }
  return { rows, stats };
}
