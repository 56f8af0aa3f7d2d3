import type { FlywheelConfig } from '../config/schema.js';
import { NO_CONTEXT, type OperationContext } from '../ports/context.js';
import type { LineageStatus } from '../domain/report.js';
import { createLineagePublisher } from './createPublisher.js';
import { readOutbox, readPublished, type LineageRecord } from './outbox.js';

/** One workflow run's lineage as the ledger knows it (what `flywheel lineage status` prints): its record without the payload. */
export type LineageEntry = Omit<LineageRecord, 'version' | 'done' | 'run'>;

export interface PublishPendingResult {
  workflowId: string;
  runId: string;
  snapshotDt: string;
  /** Status in the outbox before this attempt. */
  previous: 'pending' | 'failed';
  /** Which part of the run (absent: the whole run). */
  part?: { index: number; count: number };
  status: LineageStatus;
  reason?: string;
  events?: number;
}

export interface PublishPendingOptions {
  /** Only runs of this snapshot. */
  snapshotDt?: string;
  /** Also retry runs that failed (auth, contract): an operator asking to publish has usually fixed the cause. Default true. */
  includeFailed?: boolean;
  env?: NodeJS.ProcessEnv;
  ctx?: OperationContext;
}

function entry(record: LineageRecord): LineageEntry {
  const { run: _run, done: _done, version: _version, ...rest } = record;
  return rest;
}

/** Newest snapshot first, then most recent attempt first. */
function byRecency(a: LineageEntry, b: LineageEntry): number {
  return b.snapshotDt.localeCompare(a.snapshotDt) || b.lastAttemptAt.localeCompare(a.lastAttemptAt);
}

/** Every run the ledger under `<home>/lineage/` knows: published, pending and failed, with reasons. */
export async function listLineage(home: string, options: { snapshotDt?: string } = {}): Promise<LineageEntry[]> {
  const records = [...(await readOutbox(home)), ...(await readPublished(home))];
  return records
    .filter((r) => !options.snapshotDt || r.snapshotDt === options.snapshotDt)
    .map(entry)
    .sort(byRecency);
}

/**
 * Publishes what the outbox holds, oldest snapshot first, through the configured sink. Idempotent:
 * steps already delivered are skipped, delivered runs move to `published/`, and a second call finds
 * nothing left. Never throws for sink problems: each run's outcome is returned.
 */
export async function publishPending(config: FlywheelConfig, home: string, options: PublishPendingOptions = {}): Promise<PublishPendingResult[]> {
  const includeFailed = options.includeFailed ?? true;
  const publisher = createLineagePublisher(config, home, options.env ?? process.env);
  const todo = (await readOutbox(home))
    .filter((r) => r.status === 'pending' || (includeFailed && r.status === 'failed'))
    .filter((r) => !options.snapshotDt || r.snapshotDt === options.snapshotDt)
    .sort((a, b) => a.snapshotDt.localeCompare(b.snapshotDt) || a.firstAttemptAt.localeCompare(b.firstAttemptAt));
  const results: PublishPendingResult[] = [];
  for (const record of todo) {
    const outcome = await publisher.publish(record.run, options.ctx ?? NO_CONTEXT);
    results.push({
      workflowId: record.workflowId,
      runId: record.runId,
      snapshotDt: record.snapshotDt,
      previous: record.status as 'pending' | 'failed',
      ...(record.part ? { part: record.part } : {}),
      ...outcome,
    });
  }
  return results;
}
