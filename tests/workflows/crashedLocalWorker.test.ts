import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { afterAll, describe, inject, it } from 'vitest';
import type { RunReport } from '../../src/domain/report.js';
import { HoldPoints, processRuns, waitUntilGone } from '../../scripts/lib/holdPoints.js';
import { auditTables, jobRunsOf, leftovers } from '../../scripts/lib/lakeAudit.js';
import { pendingActivities, refreshExecutions } from '../../scripts/lib/refreshActivities.js';
import { startWorkerProcess } from '../../scripts/lib/workerProcess.js';
import { createRefreshHarness } from '../support/refreshHarness.js';

const TABLES = ['IBE_01', 'MIACS_01', 'addressable_ids'];
const ROWS = 300;

/** Activity types that retried, from the run's histories (a retried attempt's start event says which attempt). */
async function retriedActivities(client: Client, handle: WorkflowHandle): Promise<string[]> {
  const types: string[] = [];
  for (const execution of refreshExecutions(client, handle)) {
    const events = (await execution.fetchHistory()).events ?? [];
    const scheduled = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType!.name!]));
    for (const started of events.map((e) => e.activityTaskStartedEventAttributes)) {
      if (started && (started.attempt ?? 1) > 1) types.push(scheduled.get(String(started.scheduledEventId))!);
    }
  }
  return types;
}

interface Crash {
  when: string;
  /** Where the worker dies (a hold point of src/backends/local/testHolds.ts). */
  point: string;
  /** The activity running there. */
  activity: string;
  /** Also SIGKILL the process holding there: the split job's own process (the run must be taken over). */
  killHolderToo?: boolean;
}

/**
 * A worker is a real child process (`flywheel worker`) on the shared dev server; it is SIGKILLed while
 * a stage is in the middle of its work. Nobody helps afterwards: a new worker starts and the run must
 * finish by itself, with the data right (read back independently), one job run per job and nothing left
 * over. FAULT INJECTION: the hold layer (FLYWHEEL_TEST_HOLDS) makes the process wait at a named point
 * mid-stage, so the kill lands there on every run — no sleeps, no races.
 */
describe('a local worker SIGKILLed mid-stage: a new worker completes the run unattended', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  // Concurrent: each case has its own lake, environment and task queue, and spends most of its time
  // waiting for the heartbeat timeout and the retry back-off.
  const crashes: Crash[] = [
    { when: 'during the split job (the job process lives on)', point: 'split-MIACS_01', activity: 'runGlueJob' },
    { when: 'during the split job, and the job process dies too', point: 'split-IBE_01', activity: 'runGlueJob', killHolderToo: true },
    { when: 'during a CTAS', point: 'ctas-IBE_01', activity: 'createBucketedTable' },
    { when: 'during validation', point: 'validate-MIACS_01', activity: 'validateBucketedTable' },
  ];
  it.concurrent.for(crashes)('killed $when', { timeout: 180_000 }, async ({ point, activity, killHolderToo }, { expect }) => {
    const h = await createRefreshHarness({ tables: ['IBE_01', 'MIACS_01'], rows: ROWS }); // heartbeat timeout: the local default (10 s)
    cleanups.push(() => h.close());
    const holds = new HoldPoints(path.join(h.home, 'test-holds'));
    const startWorker = async () => {
      const started = await startWorkerProcess({ home: h.home, config: h.config, bundlePath: inject('workflowBundlePath'), env: holds.env });
      cleanups.push(() => started.kill('SIGKILL'));
      return started;
    };
    await holds.arm(point);
    const first = await startWorker();
    const handle = await h.client.workflow.start('monthlyRefresh', {
      taskQueue: h.config.temporal.taskQueue!,
      workflowId: `${h.config.environment}-crash-${point}`,
      args: [{ environment: h.config.environment }],
    });
    const holder = await holds.held(point);
    // Mid-stage, as the server sees it: the stage's activity is pending.
    const pending = await pendingActivities(h.client, handle);
    expect(pending.map((a) => a.activityType?.name)).toContain(activity);
    // The split runs in the job's own process; CTAS and validation in the worker.
    if (activity === 'runGlueJob') expect(holder).not.toBe(first.pid);
    else expect(holder).toBe(first.pid);

    await first.kill('SIGKILL');
    if (killHolderToo) {
      process.kill(holder, 'SIGKILL');
      await waitUntilGone(holder);
    } else if (activity === 'runGlueJob') {
      expect(processRuns(holder), 'the job run outlives the worker').toBe(true);
    }
    if (activity === 'createBucketedTable') {
      expect(await leftovers(h.home), 'the killed CTAS left its half-built folder').toContainEqual(expect.stringMatching(/_tmp-ctas-snapshot_dt=/));
    }
    await holds.release(point);

    await startWorker(); // the new worker
    const report = (await handle.result()) as RunReport;

    expect(report.status).toBe('succeeded');
    expect(report.tables.map((t) => [t.name, t.state])).toEqual(expect.arrayContaining(TABLES.map((t) => [t, 'succeeded'])));
    expect(await retriedActivities(h.client, handle), 'the interrupted activity was retried on the new worker').toContain(activity);

    const runs = await jobRunsOf(h.config, h.home, handle.workflowId, report.runId);
    expect(runs.map((r) => r.jobName).sort(), 'one job run per job').toEqual([h.config.jobs.addressableBucket, h.config.jobs.infobaseSplitAndBucket]);
    expect(runs.map((r) => r.runId).sort()).toEqual(report.jobs.map((j) => j.runId).sort());
    expect(runs.every((r) => r.state === 'SUCCEEDED')).toBe(true);
    const infobase = runs.find((r) => r.jobName === h.config.jobs.infobaseSplitAndBucket)!;
    expect(infobase.attempt, 'a dead job process is replaced under the same run id').toBe(killHolderToo ? 2 : 1);

    for (const audit of await auditTables(h.config, h.home, report.snapshotDt, TABLES)) {
      expect(audit.stagedRows, audit.table).toBe(audit.sourceRows);
      expect(audit.bucketedRows, audit.table).toBe(audit.sourceRows);
      expect(audit.bucketFiles, audit.table).toBe(256);
      expect(audit.customersInSeveralBuckets, audit.table).toBe(0);
    }
    expect((await auditTables(h.config, h.home, report.snapshotDt, ['IBE_01']))[0]!.bucketedRows).toBe(ROWS);
    expect(await leftovers(h.home)).toEqual([]);
  });
});
