import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import type { OperationContext } from '../ports/context.js';

/**
 * The running activity's heartbeat and cancellation, as the ports see them. `about` (e.g.
 * `{ table: 'IBE_01', stage: 'bucket' }`) goes into every heartbeat, so the UI's pending activity
 * says what it works on beside the adapter's step (`{"table":"IBE_01","stage":"bucket","step":"writing"}`).
 */
export function operationContext(about?: Record<string, string | number>): OperationContext {
  const ctx = Context.current();
  const heartbeat = (details?: unknown) => {
    if (!about) return ctx.heartbeat(details);
    const own = details === undefined ? {} : typeof details === 'object' && details !== null && !Array.isArray(details) ? details : { details };
    ctx.heartbeat({ ...about, ...own });
  };
  return { heartbeat, signal: ctx.cancellationSignal };
}

/**
 * A token the same for every retry of the running activity and different for every other activity
 * (a reprocessed table's registration is a new activity): workflow id + run id + activity id.
 */
export function activityRequestToken(): string {
  const info = Context.current().info;
  const owner = info.workflowExecution;
  return owner ? `${owner.workflowId}/${owner.runId}/${info.activityId}` : info.activityId;
}

/**
 * Runs an activity body and turns our domain errors into non-retryable ApplicationFailures with
 * the same type name, so the workflow sees `InvalidInput`, `JobRunFailed`… and Temporal does not
 * retry what cannot succeed. Anything else (I/O, throttling) stays retryable.
 */
export async function withFailureTypes<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ApplicationFailure) throw error;
    if (error instanceof Error && NON_RETRYABLE_ERROR_TYPES.includes(error.name)) {
      throw ApplicationFailure.create({ type: error.name, message: error.message, nonRetryable: true, cause: error });
    }
    throw error;
  }
}
