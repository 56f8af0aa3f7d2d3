import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import { quoteIdent } from '../../domain/identifiers.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { ADDRESSABLE_TABLE_NAME, type SourceTable } from '../../domain/tables.js';
import { DuckEngine, queryRows } from './duck.js';
import { LakePaths } from './paths.js';
import { DEFAULT_SEED_ROWS, seedFileCount, writeSeedPartition } from './seed.js';
import { addressableColumns, familyOf, infobaseColumns } from './seedColumns.js';

/** The drifts the quality gate must catch (issue 15), one per table. */
export const DRIFT_CASES = ['dropped-column', 'retyped-column', 'fewer-rows', 'empty-bucket-keys', 'added-column'] as const;
export type DriftCase = (typeof DRIFT_CASES)[number];

/** The demo's drifted month: the one after the default seed's newest snapshot. */
export const DEFAULT_DRIFT_SNAPSHOT = '2026-11-01';
/** `fewer-rows` keeps 42 % of the rows (−58 %); `empty-bucket-keys` blanks 35 % of the bucket column. */
export const DRIFT_KEPT_ROWS = 0.42;
export const DRIFT_EMPTY_KEYS = 0.35;
/** The column `added-column` adds (allowed by the default `quality.schemaDrift.added: allow`). */
export const DRIFT_ADDED_COLUMN = 'loyalty_tier';

export interface DriftSeedOptions {
  config: FlywheelConfig;
  home: string;
  /** The snapshot to write (every table of the config, so it is complete). */
  snapshotDt?: string;
  /** Rows per infobase table (as `flywheel seed --rows`; default 20,000). */
  rows?: number;
  /** Which table gets which drift; default: the 2nd…6th infobase tables (IBE_02…IBE_06 in config/local.yaml) in DRIFT_CASES order. */
  cases?: Record<string, DriftCase>;
}

export interface DriftedTable {
  table: string;
  drift: DriftCase | 'none';
  /** In words: `column is_homeowner dropped`, `rows 8,400 instead of 20,000 (−58 %)`. */
  detail: string;
  rows: number;
}

export interface DriftSeedSummary {
  snapshotDt: string;
  tables: DriftedTable[];
}

/** The default assignment: IBE_01 (the first table) stays clean as the control when there are six or more. */
export function defaultDriftCases(tables: readonly string[]): Record<string, DriftCase> {
  const pool = tables.length > DRIFT_CASES.length ? tables.slice(1) : tables;
  return Object.fromEntries(pool.slice(0, DRIFT_CASES.length).map((t, i) => [t, DRIFT_CASES[i]!]));
}

interface Variant {
  rows: number;
  /** The outer SELECT list over the generated columns (and the row number `__i`). */
  select: string;
  detail: string;
}

const n = (v: number) => v.toLocaleString('en-US');

async function variantOf(
  conn: Parameters<typeof queryRows>[0],
  drift: DriftCase | 'none',
  inner: string,
  rows: number,
  bucketColumn: string,
): Promise<Variant> {
  const described = await queryRows(conn, `DESCRIBE SELECT * EXCLUDE (__i) FROM (${inner.replace('{FROM}', '0').replace('{TO}', '1')})`);
  const columns = described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  const others = columns.filter((c) => c.name !== bucketColumn);
  const key = quoteIdent(bucketColumn, 'bucket column');
  switch (drift) {
    case 'none':
      return { rows, select: '* EXCLUDE (__i)', detail: 'unchanged' };
    case 'dropped-column': {
      const dropped = others.at(-1)!;
      return { rows, select: `* EXCLUDE (__i, ${quoteIdent(dropped.name)})`, detail: `column ${dropped.name} dropped` };
    }
    case 'retyped-column': {
      const retyped = others.find((c) => c.type !== 'VARCHAR') ?? others[0]!;
      return {
        rows,
        select: `* EXCLUDE (__i) REPLACE (CAST(${quoteIdent(retyped.name)} AS VARCHAR) AS ${quoteIdent(retyped.name)})`,
        detail: `column ${retyped.name} retyped ${retyped.type} → VARCHAR`,
      };
    }
    case 'fewer-rows': {
      const kept = Math.max(1, Math.round(rows * DRIFT_KEPT_ROWS));
      return { rows: kept, select: '* EXCLUDE (__i)', detail: `rows ${n(kept)} instead of ${n(rows)} (−${Math.round((1 - kept / rows) * 100)} %)` };
    }
    case 'empty-bucket-keys':
      return {
        rows,
        // Every row whose number mod 100 is below 35: exactly 35 % of each hundred, deterministic.
        select: `* EXCLUDE (__i) REPLACE (CASE WHEN __i % 100 < ${Math.round(DRIFT_EMPTY_KEYS * 100)} THEN '' ELSE ${key} END AS ${key})`,
        detail: `${bucketColumn} empty in ${Math.round(DRIFT_EMPTY_KEYS * 100)} % of rows`,
      };
    case 'added-column':
      return {
        rows,
        select: `* EXCLUDE (__i), ['bronze', 'silver', 'gold'][(1 + __i % 3)::INTEGER] AS ${quoteIdent(DRIFT_ADDED_COLUMN)}`,
        detail: `column ${DRIFT_ADDED_COLUMN} (VARCHAR) added`,
      };
  }
}

/**
 * Seeds one complete snapshot of the local lake in which some tables drifted from the regular seed
 * (`seedLake`): a dropped column, a retyped column, −58 % rows, 35 % empty bucket keys and an added column
 * (see DRIFT_CASES), the other tables as usual. Seed the regular months first and refresh them, so the gate
 * has a published baseline; then this month stops at the gate (`flywheel demo --scenario drift`).
 */
export async function seedDriftedSnapshot(options: DriftSeedOptions): Promise<DriftSeedSummary> {
  const { config, home } = options;
  const snapshotDt = assertSnapshotDt(options.snapshotDt ?? DEFAULT_DRIFT_SNAPSHOT);
  const rows = options.rows ?? DEFAULT_SEED_ROWS;
  if (!Number.isInteger(rows) || rows < 10 || rows > 100_000_000) throw new InvalidInputError(`rows must be an integer from 10 to 100000000, got ${rows}`);
  const paths = new LakePaths(config, home);
  const tables: SourceTable[] = config.tables.infobase.map((name) => ({ name, kind: 'infobase' }));
  if (config.tables.addressable) tables.push({ name: ADDRESSABLE_TABLE_NAME, kind: 'addressable' });
  const cases = options.cases ?? defaultDriftCases(config.tables.infobase);
  const unknown = Object.keys(cases).filter((t) => !config.tables.infobase.includes(t));
  if (unknown.length > 0) throw new InvalidInputError(`drift cases name tables not in tables.infobase: ${unknown.join(', ')}`);

  const engine = new DuckEngine({ database: ':memory:', threads: config.local.threads, memoryLimit: config.local.memoryLimit });
  const out: DriftedTable[] = [];
  try {
    await engine.withConnection(async (conn) => {
      for (const table of tables) {
        const seed = `${table.name}|${snapshotDt}`;
        const perCustomer = 3;
        const base = table.kind === 'addressable' ? rows * perCustomer : rows;
        const columns = table.kind === 'addressable' ? addressableColumns(seed, perCustomer) : infobaseColumns(familyOf(table.name), seed);
        const inner = `SELECT ${columns}, i AS __i FROM range({FROM}, {TO}) AS r(i)`;
        const drift = cases[table.name] ?? 'none';
        const variant = await variantOf(conn, drift, inner, base, config.bucketing.column);
        await writeSeedPartition(conn, paths.sourcePartition(table, snapshotDt), variant.rows, seedFileCount(table.name, variant.rows), (from, to) =>
          `SELECT ${variant.select} FROM (${inner.replace('{FROM}', String(from)).replace('{TO}', String(to))}) ORDER BY __i`,
        );
        out.push({ table: table.name, drift, detail: variant.detail, rows: variant.rows });
      }
    });
  } finally {
    await engine.close();
  }
  return { snapshotDt, tables: out };
}

