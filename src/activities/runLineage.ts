import type { LineageStatus } from '../domain/report.js';
import { FAILED_NAMES_SHOWN, failedOf } from '../lineage/parts.js';
import type { OperationContext } from '../ports/context.js';
import type { LineageOutcome, LineagePublisher, LineageRun } from '../ports/lineage.js';
import type { RunManifests } from '../ports/runManifests.js';
import { lineageTables, readPlan, TABLE_PAGE, tablePages } from './runManifest.js';

export interface PublishRunLineageInput {
  runKey: string;
  header: Omit<LineageRun, 'tables'>;
}

/** Worst first: the run's lineage is only as delivered as its least delivered part. */
const SEVERITY: LineageStatus[] = ['failed', 'pending', 'disabled', 'published'];

/** One outcome for the parts of a run: the worst status (with its first reason), events summed. */
export function combineOutcomes(outcomes: readonly LineageOutcome[]): LineageOutcome {
  const worst = SEVERITY.find((status) => outcomes.some((o) => o.status === status)) ?? 'published';
  const first = outcomes.findIndex((o) => o.status === worst);
  const reason = outcomes[first]?.reason;
  const events = outcomes.reduce((sum, o) => sum + (o.events ?? 0), 0);
  return {
    status: worst,
    ...(reason ? { reason: outcomes.length > 1 ? `part ${first + 1} of ${outcomes.length}: ${reason}` : reason } : {}),
    events,
  };
}

/**
 * Publishes a refresh's lineage from its manifest (the workflow sends only the header). Up to TABLE_PAGE
 * tables it is one run, as always; beyond, one part per page (src/ports/lineage.ts LineagePart), each
 * built, published and kept in the outbox on its own, so the worker never holds every table's lineage at
 * once (5,000 tables were one ~100 MB document before).
 */
export async function publishRunLineage(manifests: RunManifests, lineage: LineagePublisher, input: PublishRunLineageInput, ctx: OperationContext): Promise<LineageOutcome> {
  const plan = await readPlan(manifests, input.runKey);
  const count = Math.max(1, Math.ceil(plan.tables.length / TABLE_PAGE));
  const outcomes: LineageOutcome[] = [];
  const failed: string[] = [];
  let failedTotal = 0;
  let index = 0;
  for await (const page of tablePages(manifests, input.runKey, plan, true)) {
    const tables = lineageTables(plan, page);
    for (const t of tables) {
      if (t.state !== 'failed') continue;
      failedTotal += 1;
      if (failed.length < FAILED_NAMES_SHOWN) failed.push(t.name);
    }
    const last = index === count - 1;
    const part = count === 1 ? undefined : { index, count, ...(last ? { failedTables: failedOf(failed, failedTotal) } : {}) };
    outcomes.push(await lineage.publish({ ...input.header, tables, ...(part ? { part } : {}) }, ctx));
    ctx.heartbeat({ lineage: `part ${index + 1} of ${count}` });
    index += 1;
  }
  if (outcomes.length === 0) outcomes.push(await lineage.publish({ ...input.header, tables: [] }, ctx));
  return combineOutcomes(outcomes);
}
