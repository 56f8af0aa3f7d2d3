import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RefreshPlan } from '../domain/plan.js';
import type { TableState } from '../domain/report.js';
import type { Stage } from '../domain/tables.js';
import type { RefreshStatus } from './refreshTracker.js';

/** Query `status`: run state, per-table stage/state/attempts/last error, rejected signals. */
export const statusQuery = defineQuery<RefreshStatus>('status');

/**
 * Signal `reprocess` with JSON `{"tables": [...], "snapshotDt": "YYYY-MM-DD", "fromStage": "split"}`
 * (all optional). Payloads are taken as `unknown` and validated in the workflow: a bad one is
 * recorded as rejected and never crashes the run.
 */
export const reprocessSignal = defineSignal<[unknown?]>('reprocess');

/** Signal `abandon` with `{"reason": "..."}` (or a plain string): ends a waiting run as failed. */
export const abandonSignal = defineSignal<[unknown?]>('abandon');

export interface ReprocessAccepted {
  accepted: true;
  tables: string[];
  fromStage: string;
}

/** Update `reprocess`: same payload as the signal, validated synchronously (rejections reach the caller). */
export const reprocessUpdate = defineUpdate<ReprocessAccepted, [unknown]>('reprocess');

/**
 * Signal `approve` with `{"tables": ["IBE_04"], "reason": "..."}` (both required): tables held at the
 * quality gate continue (bucket → validate) and keep the reason in their report and lineage. A bad
 * payload, or a table that is not held, is recorded as rejected.
 */
export const approveSignal = defineSignal<[unknown?]>('approve');

export interface ApprovalAccepted {
  accepted: true;
  tables: string[];
  reason: string;
}

/** Update `approve`: same payload as the signal, validated synchronously (unknown or not-held tables are refused). */
export const approveUpdate = defineUpdate<ApprovalAccepted, [unknown]>('approve');

/** One table's progress as a running batch reports it to its refresh. */
export interface TableProgress {
  name: string;
  stage: Stage;
  state: TableState;
  attempts: number;
  lastError?: string;
}

/**
 * Signal `batchProgress` (internal, child → refresh): a running `refreshBatch` reports the tables
 * whose stage or state changed, at most every `scale.progressSeconds`. Validated like any signal.
 */
export const batchProgressSignal = defineSignal<[unknown]>('batchProgress');

/** Update `plan` of `planRefresh` (no arguments): the plan, or the discovery's failure (e.g. `InvalidInput`). */
export const planUpdate = defineUpdate<RefreshPlan, []>('plan');
