import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import type { OperationContext } from '../ports/context.js';

/** The running activity's heartbeat and cancellation, as the ports see them. */
export function operationContext(): OperationContext {
  const ctx = Context.current();
  return { heartbeat: (details) => ctx.heartbeat(details), signal: ctx.cancellationSignal };
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
