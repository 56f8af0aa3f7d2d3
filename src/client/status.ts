import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../workflows/definitions.js';
import type { RefreshStatus, RunState } from '../workflows/refreshTracker.js';

/** Polls the `status` query until the run is in one of `states` (or the timeout passes). */
export async function waitForRunState(
  handle: WorkflowHandle,
  states: readonly RunState[],
  { timeoutMs = 60_000, intervalMs = 200 } = {},
): Promise<RefreshStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: RefreshStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (states.includes(last.state)) return last;
    } catch {
      // not queryable yet (first workflow task pending)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${handle.workflowId} did not reach ${states.join('/')} within ${timeoutMs} ms (last: ${last?.state ?? 'unknown'})`);
}
