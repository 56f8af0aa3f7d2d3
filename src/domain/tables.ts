import { assertSourceTableName } from './identifiers.js';
import { compactSnapshotDt } from './snapshotDate.js';

/**
 * The two families of source data. Infobase tables live under `<infobasePrefix>/<TABLE>/snapshot_dt=…/`,
 * the addressable ids under `<addressablePrefix>/snapshot_dt=…/`; each family has its own Glue job.
 */
export type TableKind = 'infobase' | 'addressable';

export interface SourceTable {
  /** Name as it appears in the lake, e.g. `IBE_01`, or `addressable_ids`. */
  name: string;
  kind: TableKind;
}

export const ADDRESSABLE_TABLE_NAME = 'addressable_ids';

/**
 * Stage names in run order. `check` is the quality gate (issue 15): a table that fails it waits at
 * `awaiting-approval` before its bucketed CTAS repoints the stable table. Also used by status queries
 * and `fromStage` in reprocess requests.
 */
export const STAGES = ['discover', 'split', 'register', 'check', 'bucket', 'validate', 'lineage'] as const;
export type Stage = (typeof STAGES)[number];

/** Catalog tables are lower case (Glue lowercases names anyway). */
export function catalogBaseName(table: SourceTable): string {
  return assertSourceTableName(table.name).toLowerCase();
}

export function stagedTableName(table: SourceTable): string {
  return `${catalogBaseName(table)}_staged`;
}

/** The stable name consumers query. */
export function bucketedTableName(table: SourceTable): string {
  return `${catalogBaseName(table)}_bucketed`;
}

/** `ibe_01_bucketed_20261001`: the per-snapshot table the stable name is repointed to (AWS), whose properties hold the quality baseline. */
export function snapshotTableName(table: SourceTable, snapshotDt: string): string {
  return `${bucketedTableName(table)}_${compactSnapshotDt(snapshotDt)}`;
}

/**
 * Applies an operator's table filter (case-insensitive) to the expected tables. Unknown names are
 * returned so the caller can reject them with a message that lists them.
 */
export function filterTables(
  expected: readonly SourceTable[],
  filter: readonly string[] | undefined,
): { selected: SourceTable[]; unknown: string[] } {
  if (!filter || filter.length === 0) return { selected: [...expected], unknown: [] };
  const wanted = new Map(filter.map((name) => [name.toLowerCase(), name]));
  const selected = expected.filter((t) => wanted.delete(t.name.toLowerCase()));
  return { selected, unknown: [...wanted.values()] };
}
