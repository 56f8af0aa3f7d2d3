import { z } from 'zod';
import type { UsageTotals } from '../domain/cost.js';
import type { JobRunReport, StageTiming, TableReport } from '../domain/report.js';
import { STAGES } from '../domain/tables.js';
import { clip } from '../domain/summarize.js';
import type { TableProgress } from './definitions.js';
import { APPROVAL_REASON_MAX } from './approvalRequests.js';
import { snapshotDtSchema, tableNameSchema } from './input.js';

const stageSchema = z.enum(STAGES);

/** The input of a `refreshBatch` child: its tables (names, bounded) and the refresh's settings. */
export const RefreshBatchInputSchema = z
  .object({
    runKey: z.string().min(1).max(1000),
    environment: z.string().min(1).max(64),
    snapshotDt: snapshotDtSchema,
    /** Reprocess pass (1 = the first run of every table) and batch number within it, for ids and labels. */
    pass: z.number().int().min(1),
    batch: z.number().int().min(1),
    batches: z.number().int().min(1),
    work: z
      .array(
        z
          .object({
            table: tableNameSchema,
            from: stageSchema,
            attempts: z.number().int().min(0),
            /** An operator's approval past a failed quality gate (the table restarts at `check`). */
            approval: z.object({ reason: z.string().min(1).max(APPROVAL_REASON_MAX), approvedAt: z.string().max(40) }).strict().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(200),
    bucketColumn: z.string().min(1),
    bucketCount: z.number().int().min(1),
    tableConcurrency: z.number().int().min(1),
    progressSeconds: z.number().positive(),
    /** The plan's heartbeat timeout for the batch's activities (absent in batches started before it was passed: 30 s). */
    heartbeatTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
  })
  .strict();
export type RefreshBatchInput = z.infer<typeof RefreshBatchInputSchema>;

/** What a batch returns: its tables' reports and what they cost, all bounded by the batch size. */
export interface BatchResult {
  tables: TableReport[];
  jobs: JobRunReport[];
  athena: Pick<UsageTotals, 'athenaBytesScanned' | 'athenaBytesBilled'>;
  stages: StageTiming[];
}

export const LAST_ERROR_MAX = 2000;

const TableProgressSchema = z
  .object({
    name: tableNameSchema,
    stage: stageSchema,
    state: z.enum(['pending', 'running', 'awaiting-approval', 'succeeded', 'failed']),
    attempts: z.number().int().min(0).max(1_000_000),
    lastError: z.string().max(LAST_ERROR_MAX).optional(),
  })
  .strict();

export const BatchProgressSchema = z.object({ batchId: z.string().min(1).max(300), tables: z.array(TableProgressSchema).max(200) }).strict();
export type BatchProgress = z.infer<typeof BatchProgressSchema>;

/** A table's report as progress: the fields the refresh's status and UI show while the batch runs. */
export function progressOf(t: TableReport): TableProgress {
  return {
    name: t.name,
    stage: t.stage,
    state: t.state,
    attempts: t.attempts,
    ...(t.lastError ? { lastError: clip(t.lastError, LAST_ERROR_MAX) } : {}),
  };
}
