import type { OperationContext } from '../ports/context.js';
import type { LineageRun } from '../ports/lineage.js';

/**
 * One lineage destination. `publish` either resolves with what it wrote or throws a SinkError.
 * `done` holds keys of steps already delivered for this run (kept in the outbox between attempts);
 * a sink skips those and adds each step it completes, so a catch-up sends exactly what is missing.
 */
export interface LineageSink {
  /** Short name recorded in the outbox, e.g. `file`, `openlineage`, `openmetadata`. */
  readonly name: string;
  publish(run: LineageRun, ctx: OperationContext, done: Set<string>): Promise<{ events: number }>;
}
