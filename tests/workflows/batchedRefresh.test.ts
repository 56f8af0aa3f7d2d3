import { copyFile, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { outputFileCount } from '../../src/domain/fileSizing.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corruptSourceFile } from '../../scripts/lib/corruptSource.js';
import { waitForRunState } from '../../src/client/status.js';
import type { RunReport } from '../../src/domain/report.js';
import { refreshWorkflowId } from '../../src/domain/workflowIds.js';
import { reprocessSignal, reprocessUpdate, statusQuery } from '../../src/workflows/definitions.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const TABLES = ['IBE_01', 'IBE_02', 'MIACS_01', 'MIACS_02', 'NEW_01'];

/**
 * The refresh split into `refreshBatch` children (2 tables each, 2 at once), its plan, outputs and
 * report in the run manifest, and a parked run continuing as new (threshold set low) while the
 * operator interface keeps answering under the same workflow id.
 */
describe('batched refresh', () => {
  let h: RefreshHarness;
  beforeAll(async () => {
    h = await createRefreshHarness({
      tables: TABLES,
      rows: 200,
      bucketCount: 16,
      config: {
        reprocess: { waitHours: 1 },
        // One staged file per KiB of source, so a re-delivered file of another size changes the file count.
        fileSizing: { filesPerGb: 1024 ** 2, maxFiles: 256, minFiles: 1 },
        scale: { batchSize: 2, batchConcurrency: 2, progressSeconds: 0.1, continueAsNewAfterEvents: 20 },
      },
    });
  });
  afterAll(() => h?.close());

  it('runs batches as children, continues as new while parked, and completes after a reprocess', async () => {
    const broken = await corruptSourceFile(h.config, h.home, 'MIACS_02', '2026-10-01');
    const workflowId = refreshWorkflowId(h.config.environment, '2026-10-01');
    let expectedStagedFiles = 0;
    const report = await h.withWorker(async () => {
      const started = await h.client.workflow.start('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId,
        args: [{ environment: h.config.environment, snapshotDt: '2026-10-01' }],
      });
      const handle = h.client.workflow.getHandle(workflowId); // follows continue-as-new
      const parked = await waitForRunState(handle, ['awaiting-reprocess', 'failed', 'succeeded']);
      expect(parked.state).toBe('awaiting-reprocess');
      expect(parked.tableCount).toBe(6);
      expect(parked.tables[0]).toMatchObject({ name: 'MIACS_02', state: 'failed', stage: 'split', attempts: 1 }); // failed first
      expect(parked.tables.filter((t) => t.state === 'succeeded')).toHaveLength(5);

      // Three batches of at most two tables, each a child with its own job run(s).
      const children = [];
      for await (const wf of h.client.workflow.list({ query: `WorkflowType = "refreshBatch" AND FlywheelEnvironment = "${h.config.environment}"` })) {
        children.push(wf.workflowId);
      }
      expect(children.sort()).toEqual([1, 2, 3].map((b) => `${workflowId}-pass1-batch${b}`));
      expect(parked.jobCount).toBe(4); // an infobase job per batch + the addressable job

      // The parked run continues as new (history over 20 events): same id, new run, same deadline and state.
      let described = await handle.describe();
      for (let i = 0; i < 50 && described.runId === started.firstExecutionRunId; i++) {
        await new Promise((r) => setTimeout(r, 100));
        described = await handle.describe();
      }
      expect(described.runId).not.toBe(started.firstExecutionRunId);
      for (let i = 0; i < 6; i++) await handle.signal(reprocessSignal, { tables: [`NOPE_${i}`] });
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 50 && status.rejectedSignalCount < 6; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await handle.query(statusQuery);
      }
      expect(status).toMatchObject({ state: "awaiting-reprocess", reprocessDeadline: parked.reprocessDeadline, rejectedSignalCount: 6, tableCount: 6, jobCount: 4 });
      expect(status.tables[0]).toMatchObject({ name: 'MIACS_02', state: 'failed' });

      // The vendor re-delivers MIACS_02 with a second file: the reprocess must re-discover its size.
      await broken.restore();
      const partition = path.dirname(broken.file);
      await copyFile(broken.file, path.join(partition, 'part-00099.parquet'));
      let bytes = 0;
      for (const f of await readdir(partition)) if (f.endsWith('.parquet')) bytes += (await stat(path.join(partition, f))).size;
      expectedStagedFiles = outputFileCount(bytes, h.config.fileSizing);
      const accepted = await handle.executeUpdate(reprocessUpdate, { args: [{}] });
      expect(accepted).toMatchObject({ accepted: true, tables: ['MIACS_02'] });
      return (await handle.result()) as RunReport;
    });

    expect(report.status).toBe('succeeded');
    expect(report.tableCount).toBe(6);
    const miacs = report.tables.find((t) => t.name === 'MIACS_02')!;
    expect(miacs).toMatchObject({ state: 'succeeded', attempts: 2, bucketFiles: 16, stagedFiles: expectedStagedFiles });
    expect(miacs.rowsBucketed).toBeGreaterThan(200); // the re-delivered file's rows are in
    expect(miacs.rowsBucketed).toBe(miacs.rowsSource);
    expect(expectedStagedFiles).toBeGreaterThan(1);
    expect(report.tables.filter((t) => t.attempts === 1)).toHaveLength(5);
    expect(report.jobs.map((j) => j.state).sort()).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // Every job run stays in the report; the failed one says which run superseded it.
    const failedRun = report.jobs.find((j) => j.state === 'FAILED')!;
    const rerun = report.jobs.at(-1)!;
    expect(rerun.tables).toEqual(['MIACS_02']);
    expect(failedRun).toMatchObject({ supersededBy: rerun.runId, tables: expect.arrayContaining(['MIACS_02']) });
    expect(report.lineage.status).toBe('published');
    // The complete report is in the run's manifest under FLYWHEEL_HOME.
    expect(report.reportLocation).toMatch(new RegExp(`${h.home}/runs/${workflowId}/.+/report\\.json$`));
    const full = JSON.parse(await readFile(report.reportLocation!, 'utf8')) as RunReport;
    expect(full.tables.map((t) => t.name)).toEqual([...TABLES, 'addressable_ids']);
    expect(full.tables.every((t) => t.state === 'succeeded' && t.bucketedTable)).toBe(true);
    expect(report.jobCount).toBe(5);
    expect(full.jobs).toEqual(report.jobs);
  });
});
