import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
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
