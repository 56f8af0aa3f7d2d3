/**
 * What a long operation gets from its caller (an activity, or a test): a way to report liveness and
 * a signal that fires when the work should stop. Adapters never import Temporal directly.
 */
export interface OperationContext {
  heartbeat(details?: unknown): void;
  signal: AbortSignal;
}

export const NO_CONTEXT: OperationContext = { heartbeat: () => {}, signal: new AbortController().signal };
