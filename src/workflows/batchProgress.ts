import { condition, getExternalWorkflowHandle, log, workflowInfo } from '@temporalio/workflow';
import { progressOf } from './batchInput.js';
import { batchProgressSignal, type TableProgress } from './definitions.js';
import type { RefreshTracker } from './refreshTracker.js';

const keyOf = (p: TableProgress) => `${p.stage}|${p.state}|${p.attempts}|${p.lastError ?? ''}`;

/**
 * Tells the parent refresh how a batch's tables progress, so its `status`, UI details and
 * `flywheel run` stay live. Coalesced: at most one signal per interval, carrying only the tables
 * that changed, so the parent's history grows with time, not with the number of tables.
 */
export class BatchProgressReporter {
  private pending = false;
  private stopped = false;
  private readonly sent = new Map<string, string>();
  private readonly loop: Promise<void>;

  constructor(
    private readonly tracker: RefreshTracker,
    private readonly batchId: string,
    private readonly intervalMs: number,
  ) {
    const parent = workflowInfo().parent;
    this.loop = parent ? this.run(parent.workflowId) : Promise.resolve();
  }

  /** Something changed; it goes out with the next signal. */
  changed(): void {
    this.pending = true;
  }

  /** Stops reporting (the batch's result tells the rest) and waits for a signal in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(parentId: string): Promise<void> {
    const parent = getExternalWorkflowHandle(parentId);
    try {
      for (;;) {
        await condition(() => this.pending || this.stopped);
        if (this.stopped || (await condition(() => this.stopped, this.intervalMs))) return;
        this.pending = false;
        const changes = this.tracker.tableReports().map(progressOf).filter((p) => this.sent.get(p.name) !== keyOf(p));
        if (changes.length === 0) continue;
        for (const p of changes) this.sent.set(p.name, keyOf(p));
        await parent.signal(batchProgressSignal, { batchId: this.batchId, tables: changes });
      }
    } catch (error) {
      // Progress is a courtesy: the batch's result carries the truth, so a lost signal only costs liveness.
      log.warn('batch progress not delivered; continuing without', { error: (error as Error).message });
    }
  }
}
