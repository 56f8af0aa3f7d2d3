import type { PlannedTable } from '../domain/plan.js';
import type { TableReport } from '../domain/report.js';
import type { BucketedTable } from '../ports/bucketedTables.js';
import type { RegisteredTable } from '../ports/catalog.js';
import type { LineageTable } from '../ports/lineage.js';

/** What a table's stages produced: the registered staged table, the bucketed table, the job run. */
export interface TableOutputs {
  staged?: RegisteredTable;
  bucketed?: BucketedTable;
  job?: { name: string; runId: string };
}

/** source → staged → bucketed of one table, as the lineage sinks want it. Pure: the workflow and activities share it. */
export function lineageTable(
  settings: { bucketColumn: string; bucketCount: number },
  table: PlannedTable,
  report: Pick<TableReport, 'state' | 'lastError' | 'rowsStaged' | 'rowsBucketed'> & Partial<Pick<TableReport, 'bucketSkew' | 'quality' | 'approval'>>,
  out: TableOutputs,
): LineageTable {
  const columns = out.staged?.columns ?? [];
  return {
    name: table.name,
    kind: table.kind,
    state: report.state === 'succeeded' ? 'succeeded' : 'failed',
    error: report.lastError,
    source: { name: table.name, location: table.sourceLocation, columns },
    staged: out.staged && {
      database: out.staged.database,
      name: out.staged.tableName,
      location: out.staged.location,
      columns,
    },
    bucketed: out.bucketed && {
      database: out.bucketed.database,
      name: out.bucketed.tableName,
      location: out.bucketed.location,
      columns,
      sql: out.bucketed.sql,
      bucketColumn: settings.bucketColumn,
      bucketCount: settings.bucketCount,
    },
    job: out.job,
    rowsStaged: report.rowsStaged,
    rowsBucketed: report.rowsBucketed,
    // Set only when present, so lineage of runs without them is unchanged.
    ...(report.bucketSkew ? { bucketSkew: report.bucketSkew } : {}),
    ...(report.quality ? { quality: report.quality } : {}),
    ...(report.approval ? { approval: report.approval } : {}),
  };
}
