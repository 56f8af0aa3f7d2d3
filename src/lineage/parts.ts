import type { LineageRun } from '../ports/lineage.js';

/** The run's own START belongs to its first part (or to the whole run). */
export function opensRun(run: LineageRun): boolean {
  return !run.part || run.part.index === 0;
}

/** The run's COMPLETE/FAIL and pipeline status belong to its last part (or to the whole run). */
export function closesRun(run: LineageRun): boolean {
  return !run.part || run.part.index === run.part.count - 1;
}

/** How many failed-table names a run-level message carries before "and N more". */
export const FAILED_NAMES_SHOWN = 20;

/** `failed tables: A, B, … and 37 more`: a bounded message however many tables failed. */
export function failedTablesMessage(run: LineageRun): string | undefined {
  const failed = run.part?.failedTables ?? failedOf(run.tables.filter((t) => t.state === 'failed').map((t) => t.name));
  if (failed.total === 0) return undefined;
  const shown = failed.names.slice(0, FAILED_NAMES_SHOWN);
  const more = failed.total - shown.length;
  return `failed tables: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** The first names kept, the total counted (for a part's `failedTables`). */
export function failedOf(names: readonly string[], total = names.length): { names: string[]; total: number } {
  return { names: names.slice(0, FAILED_NAMES_SHOWN), total };
}
