import { ApplicationFailure, patched } from '@temporalio/workflow';
import type { RunReport } from '../domain/report.js';
import { batchedRefresh } from './batchedRefresh.js';
import { describeIssues, MonthlyRefreshInputSchema, type MonthlyRefreshInput } from './input.js';
import { monthlyRefreshV1 } from './legacy/monthlyRefreshV1.js';

/**
 * The monthly cleanroom refresh: discover → split/bucket jobs (in parallel) → per table register →
 * bucketed CTAS → validate (bounded concurrency) → lineage. When tables fail, what succeeded is
 * kept and the run waits in `awaiting-reprocess` for a `reprocess` signal/update or `abandon`.
 * Knows nothing about AWS or DuckDB.
 *
 * Runs started before batching replay on `monthlyRefreshV1`; new runs take `batchedRefresh`
 * (children per batch of tables, manifest by key, continue-as-new while parked).
 */
export async function monthlyRefresh(rawInput: MonthlyRefreshInput): Promise<RunReport> {
  const parsed = MonthlyRefreshInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `invalid monthlyRefresh input: ${describeIssues(parsed.error)}` });
  }
  if (!patched('flywheel-batched-refresh')) return monthlyRefreshV1(parsed.data);
  return batchedRefresh(parsed.data);
}
