import { condition } from '@temporalio/workflow';
import type { RefreshControl } from './refreshHandlers.js';
import type { RefreshTracker, RunState } from './refreshTracker.js';
import type { QualityApproval } from '../domain/qualityResult.js';
import type { ReprocessWork } from './reprocessRequests.js';

/** Approved tables of one pass → the approval each continues with. */
export type Approvals = Map<string, QualityApproval>;

export interface ReprocessLoopOptions {
  tracker: RefreshTracker;
  control: RefreshControl;
  reprocessWaitSeconds: number;
  /** Resolves a request into work or throws RequestRejected (recorded as a rejection). */
  workFor(request: RefreshControl['requests'][number]): ReprocessWork;
  setState(state: RunState): void;
  /** Re-checks an accepted approval now (a table may have moved on): its held tables, or throws RequestRejected. */
  tablesToApprove?(tables: string[], reason: string): string[];
  /** Runs one reprocess pass over `work`; approved tables restart at `check` with their approval. */
  runPass(work: ReprocessWork, approvals: Approvals): Promise<void>;
  /** New runs: the deadline is fixed when the run parks (`patched`); old runs restart the wait on every wake. */
  fixedDeadline: boolean;
  /** A deadline carried over from the previous run (continue-as-new), epoch ms. */
  deadline?: number;
  /** While parked: called on every wake; may continue the run as new (never returns then). */
  whileParked?: (deadline: number) => Promise<void>;
  /** Wakes the wait early (e.g. the history has grown enough to continue as new). */
  wakeWhen?: () => boolean;
}

/**
 * The reprocess loop: apply queued requests and approvals; with failures or tables held at the
 * quality gate left, wait (bounded) for the operator. Returns whether the wait ran out.
 */
export async function reprocessLoop(options: ReprocessLoopOptions): Promise<{ timedOut: boolean }> {
  const { tracker, control } = options;
  let deadline = options.deadline;
  for (;;) {
    const work: ReprocessWork = new Map();
    for (const request of control.requests.splice(0)) {
      try {
        for (const [table, stage] of options.workFor(request)) work.set(table, stage);
      } catch (error) {
        control.reject('reprocess', (error as Error).message);
      }
    }
    const approvals: Approvals = new Map();
    for (const { tables, approval } of control.approvals.splice(0)) {
      try {
        for (const table of options.tablesToApprove?.(tables, approval.reason) ?? []) {
          if (work.has(table)) continue; // reprocessed in the same breath: the source was fixed, the gate runs again
          work.set(table, 'check');
          approvals.set(table, approval);
        }
      } catch (error) {
        control.reject('approve', (error as Error).message);
      }
    }
    if (control.abandonedBecause) return { timedOut: false };
    if (work.size > 0) {
      deadline = undefined;
      options.setState('running');
      await options.runPass(work, approvals);
      continue;
    }
    const held = tracker.awaitingApproval().length;
    if ((tracker.failedTables().length === 0 && held === 0) || options.reprocessWaitSeconds === 0) return { timedOut: false };
    const waitMs = options.reprocessWaitSeconds * 1000;
    if (deadline === undefined || !options.fixedDeadline) deadline = Date.now() + waitMs;
    tracker.reprocessDeadline = new Date(deadline).toISOString();
    options.setState(held > 0 ? 'awaiting-approval' : 'awaiting-reprocess');
    await options.whileParked?.(deadline);
    const remainingMs = options.fixedDeadline ? deadline - Date.now() : waitMs;
    const woken = () =>
      control.requests.length > 0 || control.approvals.length > 0 || control.abandonedBecause !== undefined || (options.wakeWhen?.() ?? false);
    if (remainingMs <= 0 || !(await condition(woken, remainingMs))) return { timedOut: true };
  }
}
