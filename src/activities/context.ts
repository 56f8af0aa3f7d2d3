import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import type { OperationContext } from '../ports/context.js';

/** What an activity works on (e.g. `{ table: 'IBE_01', stage: 'bucket' }`), carried in every heartbeat. */
export type HeartbeatAbout = Record<string, string | number>;

/** `about` beside the adapter's own details, so the UI's pending activity says what it works on. */
function withAbout(about: HeartbeatAbout | undefined, details: unknown): unknown {
  if (!about) return details;
  const own = details === undefined ? {} : typeof details === 'object' && details !== null && !Array.isArray(details) ? details : { details };
  return { ...about, ...own };
}

/**
 * The running activity's heartbeat and cancellation, as the ports see them, for short operations that need no
 * timer (see {@link withOperationContext} for long ones). `about` goes into every heartbeat
 * (`{"table":"IBE_01","stage":"bucket","step":"writing"}`).
 */
export function operationContext(about?: HeartbeatAbout): OperationContext {
  const ctx = Context.current();
  return { heartbeat: (details?: unknown) => ctx.heartbeat(withAbout(about, details)), signal: ctx.cancellationSignal };
}

/** How often a kept-alive activity heartbeats: a few times per heartbeat timeout, at most every 5 s. */
export function keepAliveIntervalMs(heartbeatTimeoutMs: number | undefined): number | undefined {
  if (!heartbeatTimeoutMs) return undefined;
  return Math.max(100, Math.min(5_000, Math.floor(heartbeatTimeoutMs / 4)));
}

/**
 * Runs `body` with the activity's heartbeat and cancellation as the ports see them, and heartbeats on
 * a timer while it runs, re-sending the latest details. The heartbeat timeout then measures only
 * whether this worker is alive: a DuckDB statement, an Athena or Glue wait, an AWS retry back-off
 * gives no natural point to heartbeat from, and none needs one. (The SDK throttles what reaches the
 * server.) Until the body reports something, the previous attempt's details are kept, so a retry that
 * dies early does not erase what it re-attaches by (a job run id).
 */
export async function withOperationContext<T>(body: (ctx: OperationContext) => Promise<T>, about?: HeartbeatAbout): Promise<T> {
  const activity = Context.current();
  let latest: unknown = activity.info.heartbeatDetails ?? (about ? { ...about } : undefined);
  const every = keepAliveIntervalMs(activity.info.heartbeatTimeoutMs);
  const timer = every ? setInterval(() => activity.heartbeat(latest), every) : undefined;
  try {
    return await body({
      heartbeat: (details) => {
        latest = withAbout(about, details);
        activity.heartbeat(latest);
      },
      signal: activity.cancellationSignal,
    });
  } finally {
    if (timer) clearInterval(timer);
  }
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
