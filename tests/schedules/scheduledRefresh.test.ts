import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLake } from '../../src/backends/local/index.js';
import { explainFailure } from '../../src/client/failures.js';
import type { RunReport } from '../../src/domain/report.js';
import { refreshWorkflowId } from '../../src/domain/workflowIds.js';
import { abandonSignal, statusQuery } from '../../src/workflows/definitions.js';
import type { ScheduledRefreshResult } from '../../src/workflows/scheduledRefresh.js';
import { createRefreshHarness, TEST_SNAPSHOTS, type RefreshHarness } from '../support/refreshHarness.js';

/** Waits until a refresh (the current run of `workflowId`) sits in awaiting-reprocess. */
async function awaitingReprocess(handle: WorkflowHandle, notRunId?: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const description = await handle.describe();
      if (description.runId !== notRunId && (await handle.query(statusQuery)).state === 'awaiting-reprocess') return description.runId;
    } catch {
      // not started yet, or no workflow task processed yet
    }
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} never reached awaiting-reprocess`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The id-reuse decisions of scheduledRefresh: running → skip, failed → run again, and failures propagate. */
describe('scheduledRefresh and existing refreshes of the same snapshot', () => {
  let h: RefreshHarness;
  let victim: string;
  beforeAll(async () => {
    h = await createRefreshHarness({ tables: ['IBE_01', 'MIACS_01'], rows: 150, config: { reprocess: { waitHours: 1 } } });
    const dir = path.join(h.home, 'lake', 'test-lake', 'opus', 'infobase_attributes', 'MIACS_01', 'snapshot_dt=2026-10-01');
    victim = path.join(dir, (await readdir(dir)).find((f) => f.endsWith('.parquet'))!);
  });
  afterAll(() => h?.close());

  it('skips a snapshot whose refresh is running, reruns one that failed, and fails when its refresh fails', async () => {
    const env = h.config.environment;
    const childId = refreshWorkflowId(env, '2026-10-01');
    const taskQueue = h.config.temporal.taskQueue!;
    const child = h.client.workflow.getHandle(childId);
    await writeFile(victim, 'this is not parquet');

    await h.withWorker(async () => {
      // 1. A manual refresh of the snapshot waits for reprocessing: the scheduled run must not start another.
      await h.client.workflow.start('monthlyRefresh', { taskQueue, workflowId: childId, args: [{ environment: env, snapshotDt: '2026-10-01' }] });
      const manualRunId = await awaitingReprocess(child);
      const skipped = (await h.client.workflow.execute('scheduledRefresh', { taskQueue, workflowId: `${env}-sched-1`, args: [{ environment: env }] })) as ScheduledRefreshResult;
      expect(skipped).toMatchObject({ outcome: 'skipped', reason: 'already-running', snapshotDt: '2026-10-01', refreshWorkflowId: childId });
      await child.signal(abandonSignal, { reason: 'test' });
      await expect(child.result()).rejects.toThrow();

      // 2. That refresh failed, so the next scheduled run starts a new one (same id); the data is still
      //    broken, it is abandoned, and the scheduled run fails with the refresh's failure and report.
      const second = await h.client.workflow.start('scheduledRefresh', { taskQueue, workflowId: `${env}-sched-2`, args: [{ environment: env }] });
      const childRunId = await awaitingReprocess(child, manualRunId);
      expect(childRunId).not.toBe(manualRunId);
      await child.signal(abandonSignal, { reason: 'still corrupt' });
      const failure = explainFailure(await second.result().catch((e: unknown) => e));
      expect(failure.type).toBe('RefreshFailed');
      expect(failure.message).toMatch(new RegExp(`refresh ${childId} failed: .*abandoned: still corrupt`));
      expect((failure.details?.[0] as RunReport).tables.find((t) => t.name === 'MIACS_01')?.state).toBe('failed');
      expect((await child.describe()).status.name).toBe('FAILED');

      // 3. Data repaired: the next scheduled run refreshes it.
      await seedLake({ config: h.config, home: h.home, rows: 150, snapshots: TEST_SNAPSHOTS });
      const third = (await h.client.workflow.execute('scheduledRefresh', { taskQueue, workflowId: `${env}-sched-3`, args: [{ environment: env }] })) as ScheduledRefreshResult;
      expect(third).toMatchObject({ outcome: 'refreshed', snapshotDt: '2026-10-01' });
      expect(third.report?.status).toBe('succeeded');
      expect(third.maintenance).toBeUndefined();
    });
  });
});
