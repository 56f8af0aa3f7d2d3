import { assessBucketSkew, type AssessedBucketSkew, type BucketSkewPolicy } from '../domain/bucketSkew.js';
import type { PlannedTable } from '../domain/plan.js';
import { ValidationFailedError } from '../domain/errors.js';
import type { BucketedTable, BucketedTableBuilder, TableValidation } from '../ports/bucketedTables.js';
import type { RegisteredTable, StagedTableCatalog } from '../ports/catalog.js';
import type { OperationContext } from '../ports/context.js';
import type { TableQualityChecker } from '../ports/tableQuality.js';

export interface TableStageInput {
  table: PlannedTable;
  snapshotDt: string;
  bucketColumn: string;
  bucketCount: number;
  /** The refresh's manifest key: when given, the stage's output is also kept there (batched refreshes). */
  runKey?: string;
}

/** Registration also says which job run wrote the staged data (absent in histories from before it did). */
export type RegisterStageInput = TableStageInput & { producedBy?: { jobName: string; runId: string } };

/** Stage 3: make the staged data queryable in the catalog. */
export function registerStagedTable(
  catalog: StagedTableCatalog,
  ctx: OperationContext,
  input: RegisterStageInput & { requestToken: string },
): Promise<RegisteredTable> {
  const { table, snapshotDt, requestToken, producedBy } = input;
  return catalog.registerStagedTable({ table, snapshotDt, requestToken, producedBy }, ctx);
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

/** What validation hands the workflow: the backend's checks, with bucket skew judged against the policy. */
export interface ValidatedTable extends TableValidation {
  bucketSkew?: AssessedBucketSkew;
  /** Findings that do not fail the table (bucket skew with `onBucketSkew: warn`). */
  warnings: string[];
}

/**
 * Stage 5: staged rows = bucketed rows and a sane bucket layout, or the table fails with the reasons.
 * Bucket skew over `validation.maxBucketSkew` is a warning or a failure, as the policy says.
 */
export async function validateBucketedTable(
  builder: BucketedTableBuilder,
  ctx: OperationContext,
  input: TableStageInput,
  skewPolicy: BucketSkewPolicy,
  /** Given: a table that validates has its staged schema and rows recorded as the next run's quality baseline. */
  quality?: TableQualityChecker,
): Promise<ValidatedTable> {
  const result = await builder.validateBucketedTable(
    { table: input.table, snapshotDt: input.snapshotDt, bucketColumn: input.bucketColumn, bucketCount: input.bucketCount },
    ctx,
  );
  const warnings: string[] = [];
  const problems = [...result.problems];
  let bucketSkew: AssessedBucketSkew | undefined;
  if (result.bucketSkew) {
    const assessed = assessBucketSkew(result.bucketSkew, skewPolicy);
    bucketSkew = assessed.skew;
    if (assessed.warning) warnings.push(assessed.warning);
    if (assessed.problem) problems.push(assessed.problem);
  }
  if (problems.length > 0) {
    throw new ValidationFailedError(`${input.table.name}: ${problems.join('; ')}`);
  }
  await quality?.recordPublishedProfile({ table: input.table, snapshotDt: input.snapshotDt, rows: result.stagedRows }, ctx);
  return { ...result, bucketSkew, warnings };
}
