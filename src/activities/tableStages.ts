import type { PlannedTable } from '../domain/plan.js';
import { ValidationFailedError } from '../domain/errors.js';
import type { BucketedTable, BucketedTableBuilder, TableValidation } from '../ports/bucketedTables.js';
import type { RegisteredTable, StagedTableCatalog } from '../ports/catalog.js';
import type { OperationContext } from '../ports/context.js';

export interface TableStageInput {
  table: PlannedTable;
  snapshotDt: string;
  bucketColumn: string;
  bucketCount: number;
  /** The refresh's manifest key: when given, the stage's output is also kept there (batched refreshes). */
  runKey?: string;
}

/** Stage 3: make the staged data queryable in the catalog. */
export function registerStagedTable(
  catalog: StagedTableCatalog,
  ctx: OperationContext,
  input: TableStageInput & { requestToken: string },
): Promise<RegisteredTable> {
  return catalog.registerStagedTable({ table: input.table, snapshotDt: input.snapshotDt, requestToken: input.requestToken }, ctx);
}

/** Stage 4: CTAS into bucketed Parquet. The request token makes a retried activity reuse the query. */
export function createBucketedTable(
  builder: BucketedTableBuilder,
  ctx: OperationContext,
  input: TableStageInput & { requestToken: string },
): Promise<BucketedTable> {
  return builder.createBucketedTable(
    {
      table: input.table,
      snapshotDt: input.snapshotDt,
      bucketColumn: input.bucketColumn,
      bucketCount: input.bucketCount,
      requestToken: input.requestToken,
    },
    ctx,
  );
}

/** Stage 5: staged rows = bucketed rows and a sane bucket layout, or the table fails with the reasons. */
export async function validateBucketedTable(
  builder: BucketedTableBuilder,
  ctx: OperationContext,
  input: TableStageInput,
): Promise<TableValidation> {
  const result = await builder.validateBucketedTable(
    { table: input.table, snapshotDt: input.snapshotDt, bucketColumn: input.bucketColumn, bucketCount: input.bucketCount },
    ctx,
  );
  if (result.problems.length > 0) {
    throw new ValidationFailedError(`${input.table.name}: ${result.problems.join('; ')}`);
  }
  return result;
}
