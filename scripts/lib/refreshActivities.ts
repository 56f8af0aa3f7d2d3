import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

/**
 * The refresh's activities run in its batch child workflows (`<id>-pass<N>-batch<M>`, see
 * src/workflows/refreshBatch.ts) since the batched refresh; runs recorded before ran them in the refresh itself.
 * These helpers look at the refresh and its first pass's first batch, which is all the small test lakes have.
 */
export function refreshExecutions(client: Client, handle: WorkflowHandle): WorkflowHandle[] {
  return [handle, client.workflow.getHandle(`${handle.workflowId}-pass1-batch1`)];
}

/** Pending activities of the refresh and its batch (a batch not started yet has none). */
export async function pendingActivities(client: Client, handle: WorkflowHandle): Promise<temporal.api.workflow.v1.IPendingActivityInfo[]> {
  const found: temporal.api.workflow.v1.IPendingActivityInfo[] = [];
  for (const execution of refreshExecutions(client, handle)) {
    const description = await execution.describe().catch(() => undefined);
    found.push(...(description?.raw.pendingActivities ?? []));
  }
  return found;
}

/** History events of the refresh and its batch. */
export async function refreshEvents(client: Client, handle: WorkflowHandle): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  for (const execution of refreshExecutions(client, handle)) {
    const history = await execution.fetchHistory().catch(() => undefined);
    events.push(...(history?.events ?? []));
  }
  return events;
}
