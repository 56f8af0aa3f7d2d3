import type { AssessedBucketSkew } from '../domain/bucketSkew.js';
import { withBucketSkew } from '../domain/qualityChecks.js';
import type { TableQualityResult } from '../domain/qualityResult.js';
import type { OperationContext } from '../ports/context.js';
import type { TableQualityChecker } from '../ports/tableQuality.js';
import type { TableStageInput } from './tableStages.js';

/** The gate's input: a table stage's, plus validation's bucket skew when the check runs after it. */
export type CheckTableQualityInput = TableStageInput & { bucketSkew?: AssessedBucketSkew };

/**
 * The quality gate's checks of one staged table against the last published snapshot (issue 15):
 * the backend measures, src/domain judges. `verdict: fail` means the workflow holds the table.
 */
export async function checkTableQuality(
  checker: TableQualityChecker,
  ctx: OperationContext,
  input: CheckTableQualityInput,
  options: { includeBucketSkew: boolean },
): Promise<TableQualityResult> {
  const result = await checker.checkStagedTable({ table: input.table, snapshotDt: input.snapshotDt, bucketColumn: input.bucketColumn }, ctx);
  return input.bucketSkew && options.includeBucketSkew && result.checks.length > 0 ? withBucketSkew(result, input.bucketSkew) : result;
}
