import type { OperationContext } from '../ports/context.js';
import type { LineageOutcome, LineagePublisher, LineageRun } from '../ports/lineage.js';
import { asSinkError, statusForFailure } from './errors.js';
import { readRecord, saveRecord, type LineageRecord } from './outbox.js';
import type { LineageSink } from './sink.js';

/**
 * Wraps a sink with the outbox: a run whose lineage cannot be delivered is written to
 * `<home>/lineage/outbox/` and reported as pending/failed with the reason; a delivered run is recorded
 * under `published/`. `publish` never throws: lineage must never cost the data run.
 */
export class DurablePublisher implements LineagePublisher {
  constructor(
    private readonly sink: LineageSink,
    private readonly home: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publish(run: LineageRun, ctx: OperationContext, options: { force?: boolean } = {}): Promise<LineageOutcome> {
    let previous: LineageRecord | undefined;
    try {
      previous = await readRecord(this.home, run.workflowId, run.runId, run.part);
    } catch (error) {
      return { status: 'pending', reason: `cannot read the lineage outbox: ${(error as Error).message}` };
    }
    // A retried activity (or a second catch-up) must not publish a delivered run twice.
    if (previous?.status === 'published' && previous.sink === this.sink.name && !options.force) {
      return { status: 'published', events: previous.events ?? 0 };
    }
    const sameSink = previous?.sink === this.sink.name;
    const done = new Set(sameSink ? previous!.done : []);
    const at = this.now().toISOString();
    const base = {
      version: 1 as const,
      workflowId: run.workflowId,
      runId: run.runId,
      snapshotDt: run.snapshotDt,
      environment: run.environment,
      sink: this.sink.name,
      attempts: (sameSink ? previous!.attempts : 0) + 1,
      firstAttemptAt: sameSink ? previous!.firstAttemptAt : at,
      lastAttemptAt: at,
      ...(run.part ? { part: { index: run.part.index, count: run.part.count } } : {}),
      run,
    };

    let outcome: LineageOutcome;
    let record: LineageRecord;
    try {
      const { events } = await this.sink.publish(run, ctx, done);
      outcome = { status: 'published', events };
      record = { ...base, status: 'published', done: [...done], events };
    } catch (error) {
      const failure = asSinkError(error);
      const status = statusForFailure(failure.kind);
      const reason = `${this.sink.name}: ${failure.message}`;
      outcome = { status, reason, events: done.size };
      record = { ...base, status, reason, done: [...done], events: done.size };
    }
    try {
      await saveRecord(this.home, record);
    } catch (error) {
      const note = `could not write the lineage outbox: ${(error as Error).message}`;
      return { ...outcome, reason: outcome.reason ? `${outcome.reason}; ${note}` : note };
    }
    return outcome;
  }
}
