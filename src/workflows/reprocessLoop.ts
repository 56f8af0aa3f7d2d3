import { condition } from '@temporalio/workflow';
import type { RefreshControl } from './refreshHandlers.js';
import type { RefreshTracker, RunState } from './refreshTracker.js';
import type { ReprocessWork } from './reprocessRequests.js';

export interface ReprocessLoopOptions {
  tracker: RefreshTracker;
  control: RefreshControl;
  reprocessWaitSeconds: number;
  /** Resolves a request into work or throws RequestRejected (recorded as a rejection). */
  workFor(request: RefreshControl['requests'][number]): ReprocessWork;
  setState(state: RunState): void;
  /** Runs one reprocess pass over `work`. */
  runPass(work: ReprocessWork): Promise<void>;
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
 * The reprocess loop: apply queued requests; with failures left, wait (bounded) for the operator.
 * Returns whether the wait ran out.
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
    if (control.abandonedBecause) return { timedOut: false };
    if (work.size > 0) {
      deadline = undefined;
      options.setState('running');
      await options.runPass(work);
      continue;
    }
    if (tracker.failedTables().length === 0 || options.reprocessWaitSeconds === 0) return { timedOut: false };
    const waitMs = options.reprocessWaitSeconds * 1000;
    if (deadline === undefined || !options.fixedDeadline) deadline = Date.now() + waitMs;
    tracker.reprocessDeadline = new Date(deadline).toISOString();
    options.setState('awaiting-reprocess');
    await options.whileParked?.(deadline);
    const remainingMs = options.fixedDeadline ? deadline - Date.now() : waitMs;
    const woken = () => control.requests.length > 0 || control.abandonedBecause !== undefined || (options.wakeWhen?.() ?? false);
    if (remainingMs <= 0 || !(await condition(woken, remainingMs))) return { timedOut: true };
  }
}
