import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';

export interface ExplainedFailure {
  /** ApplicationFailure type of the root cause, e.g. `InvalidInput`, `RefreshFailed`. */
  type?: string;
  message: string;
  details?: unknown[];
}

/** Digs the operator-relevant cause out of Temporal's wrapping (workflow → activity → application). */
export function explainFailure(error: unknown): ExplainedFailure {
  let current: unknown = (error instanceof WorkflowFailedError || error instanceof WorkflowUpdateFailedError) && error.cause ? error.cause : error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure) {
    return { type: current.type ?? undefined, message: current.message, details: current.details ?? undefined };
  }
  return { message: current instanceof Error ? current.message : String(current) };
}
