import { GetPartitionCommand, GetTableCommand, GetTablesCommand } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../../src/domain/report.js';
import { countParquetRows } from '../../support/athenaCountAnswers.js';
import {
  ADDRESSABLE_JOB,
  BUCKET,
  createAwsHarness,
  DATABASE,
  INFOBASE_JOB,
  runTagOf,
  SOURCE_ROWS,
  type AwsHarness,
} from '../../support/awsHarness.js';
import { startMoto, type Moto } from '../../support/moto.js';

/**
 * The workflow code the local backend runs, unchanged, with `backend: aws` over moto: S3 discovery,
 * Glue job runs (played by the GlueJobPlayer), Glue catalog registration, Athena CTAS (emulated) and
 * validation counts (answered from the data through moto static results).
 */
describe('monthlyRefresh with backend: aws over moto (Glue jobs played, Athena CTAS emulated)', () => {
  let moto: Moto;
  let h: AwsHarness;
  beforeAll(async () => {
    moto = await startMoto();
    h = await createAwsHarness(moto);
  });
  afterAll(async () => {
    await h?.close();
    await moto?.stop();
  });

  it('refreshes the newest complete snapshot: catalog, bucketed tables, counts, s3 locations, run ids', async () => {
    // Not a fault: observes the states the worker polled, to show moto's runs took several polls.
    const polled: string[] = [];
    const worker = await h.startWorker({
      layers: (clients) =>
        clients.glue.middlewareStack.add(
          (next) => async (args) => {
            const result = await next(args);
            const state = (result.output as { JobRun?: { JobRunState?: string } }).JobRun?.JobRunState;
            if (state) polled.push(state);
            return result;
          },
          { step: 'initialize', name: 'observeJobRunStates' },
        ),
    });
    const report = (await worker.worker.runUntil(
      h.client.workflow.execute('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId: `${h.config.environment}-e2e`,
        args: [{ environment: h.config.environment }],
      }),
    )) as RunReport;

    expect(report.status).toBe('succeeded');
    expect(report.snapshotDt).toBe('2026-10-01'); // 2026-11-01 is newer but only two tables have it
    const tables = Object.fromEntries(report.tables.map((t) => [t.name, t]));
    expect(Object.keys(tables).sort()).toEqual(['CLC_01', 'IBE_01', 'MIACS_01', 'addressable_ids']);

    // Jobs: one run each, SUCCEEDED, the report carrying Glue's run ids, each run played once.
    expect(report.jobs.map((j) => j.jobName).sort()).toEqual([ADDRESSABLE_JOB, INFOBASE_JOB].sort());
    for (const job of report.jobs) {
      const runs = await h.jobRuns(job.jobName);
      expect(runs.map((r) => r.Id), job.jobName).toEqual([job.runId]);
      expect(job.state).toBe('SUCCEEDED');
      // <batch workflow id>/<its run id>/<jobKey>/<the batch pipeline's job-attempt counter, shared by both jobs>
      expect(runTagOf(runs[0]!)).toMatch(new RegExp(`^${h.config.environment}-e2e-pass1-batch1/[0-9a-f-]+/${job.jobKey}/[12]$`));
      expect(runs[0]!.Arguments?.['--SNAPSHOT_DT']).toBe('2026-10-01');
    }
    expect(polled.filter((s) => s !== 'SUCCEEDED').length).toBeGreaterThanOrEqual(2 * 2);
    // The plan, per-table outputs and the full report live in the run manifest on S3, next to the bucketed data.
    expect(report.reportLocation).toMatch(new RegExp(`^s3://${h.config.layout.targetBucket}/${h.config.layout.bucketedPrefix}_flywheel_runs/${h.config.environment}-e2e/[0-9a-f-]+/report\\.json$`));
    expect(h.player.played.map((p) => p.runId).sort()).toEqual(report.jobs.map((j) => j.runId).sort());
    const infobaseRun = h.player.played.find((p) => p.jobName === INFOBASE_JOB)!;
    expect(Object.keys(infobaseRun.rows).sort()).toEqual(['CLC_01', 'IBE_01', 'MIACS_01']); // --TABLES_FILTER
    const fileCounts = { ...infobaseRun.files, ...h.player.played.find((p) => p.jobName === ADDRESSABLE_JOB)!.files };
    expect(Math.max(...Object.values(fileCounts))).toBeGreaterThan(1); // several files: --FILE_COUNTS is exercised

    for (const [name, table] of Object.entries(tables)) {
      const lower = name.toLowerCase();
      expect(table.state, `${name}: ${table.lastError ?? ''}`).toBe('succeeded');
      // Staged: registered in Glue with the snapshot partition at the files the job wrote.
      const stagedPrefix = `omc_cleanroom_data/split/${name}/snapshot_dt=2026-10-01/`;
      expect(table.stagedTable).toBe(`${DATABASE}.${lower}_staged`);
      expect(table.stagedLocation).toBe(`s3://${BUCKET}/${stagedPrefix}`);
      expect(table.stagedFiles).toBe(fileCounts[name]);
      const partition = await h.arrange.glue.send(
        new GetPartitionCommand({ DatabaseName: DATABASE, TableName: `${lower}_staged`, PartitionValues: ['2026-10-01'] }),
      );
      expect(partition.Partition?.StorageDescriptor?.Location).toBe(`s3://${BUCKET}/${stagedPrefix}`);
      const staged = await h.arrange.glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: `${lower}_staged` }));
      expect(staged.Table?.PartitionKeys?.map((k) => k.Name)).toEqual(['snapshot_dt']);
      expect(staged.Table?.StorageDescriptor?.Columns?.map((c) => c.Name)).toContain('customer_user_id');

      // Bucketed: the stable table serves this snapshot's s3:// location, bucketed by the configured column.
      expect(table.bucketedTable).toBe(`${DATABASE}.${lower}_bucketed`);
      expect(table.bucketedLocation).toBe(`s3://${BUCKET}/omc_cleanroom_data/bucketed/${lower}/snapshot_dt=2026-10-01/`);
      const stable = await h.arrange.glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: `${lower}_bucketed` }));
      expect(stable.Table?.StorageDescriptor?.Location).toBe(table.bucketedLocation);
      expect(stable.Table?.StorageDescriptor?.BucketColumns).toEqual(['customer_user_id']);
      expect(table.bucketFiles).toBe(3); // what the CTAS emulation writes

      // Counts: the chosen snapshot's rows, staged = bucketed, and the staged files really hold them.
      expect(table.rowsStaged).toBe(SOURCE_ROWS[name]);
      expect(table.rowsBucketed).toBe(table.rowsStaged);
      expect(await countParquetRows(h.arrange.s3, BUCKET, stagedPrefix)).toBe(SOURCE_ROWS[name]);
    }
    // Each table's validation asked Athena three counts, answered from the data (never a default).
    expect(worker.counts.answered).toHaveLength(3 * 4);

    const snapshotTables = ((await h.arrange.glue.send(new GetTablesCommand({ DatabaseName: DATABASE }))).TableList ?? [])
      .map((t) => t.Name!)
      .filter((n) => /_bucketed_\d{8}$/.test(n))
      .sort();
    expect(snapshotTables).toEqual(['addressable_ids_bucketed_20261001', 'clc_01_bucketed_20261001', 'ibe_01_bucketed_20261001', 'miacs_01_bucketed_20261001']);
    expect(report.lineage.status).toBe('published');
  });
});
