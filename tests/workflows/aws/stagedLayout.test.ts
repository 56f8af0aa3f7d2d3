import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainFailure } from '../../../src/client/failures.js';
import type { RunReport } from '../../../src/domain/report.js';
import { BUCKET, createAwsHarness, SOURCE_ROWS, type AwsHarness } from '../../support/awsHarness.js';
import { startMoto, type Moto } from '../../support/moto.js';

/**
 * The staged-layout contract with the existing split jobs (README: "Staged layout"), end to end over
 * moto with the Glue job player standing in for the jobs: Flywheel looks where
 * `layout.stagedPrefix + layout.stagedPathTemplate` says, and when the jobs wrote elsewhere the table
 * fails at register with the location it listed, what is there, and the job run that should have
 * written it.
 */
describe('layout.stagedPathTemplate: where Flywheel looks for the split jobs output', () => {
  let moto: Moto;
  let h: AwsHarness;
  beforeAll(async () => {
    moto = await startMoto();
    h = await createAwsHarness(moto, { layout: { stagedPathTemplate: 'dt={snapshotDtCompact}/{tableLower}/' } });
  });
  afterAll(async () => {
    await h?.close();
    await moto?.stop();
  });

  const run = async (suffix: string) => {
    const worker = await h.startWorker();
    try {
      return await worker.worker.runUntil(
        h.client.workflow.execute('monthlyRefresh', {
          taskQueue: h.config.temporal.taskQueue!,
          workflowId: `${h.config.environment}-${suffix}`,
          args: [{ environment: h.config.environment }],
        }),
      );
    } finally {
      await worker.stop();
    }
  };

  it('jobs writing elsewhere: each table fails at register naming the listed location, what is there and the job run', async () => {
    // The jobs keep the production layout (<TABLE>/snapshot_dt=<dt>/): the configured template does not match it.
    const failure = explainFailure(await run('mismatch').catch((e: unknown) => e));
    expect(failure.type).toBe('RefreshFailed');
    const report = failure.details?.[0] as RunReport;
    const jobOf = (name: string) => report.jobs.find((j) => j.jobKey === (name === 'addressable_ids' ? 'addressableBucket' : 'infobaseSplitAndBucket'))!;
    for (const table of report.tables) {
      const job = jobOf(table.name);
      expect(table.stage, table.name).toBe('register');
      expect(table.lastError).toContain(
        `no staged data files for ${table.name} 2026-10-01: listed s3://${BUCKET}/omc_cleanroom_data/split/dt=20261001/${table.name.toLowerCase()}/ and found nothing there`,
      );
      // The template starts with the snapshot, so the tables' shared root is listed: the job's folder is there
      // (other jobs' folders too, depending on how far they are).
      expect(table.lastError).toMatch(new RegExp(`under s3://${BUCKET}/omc_cleanroom_data/split/ there is: [^.]*\\b${table.name}/`));
      expect(table.lastError).toContain(`It should have been written by ${job.jobName} run ${job.runId} (--SNAPSHOT_DT 2026-10-01, --TABLES_FILTER with ${table.name})`);
      expect(table.lastError).toContain('"omc_cleanroom_data/split/dt={snapshotDtCompact}/{tableLower}/"');
    }
  });

  it('jobs writing where the template says: registered there and the run succeeds', async () => {
    h.player.writesTo = (table, dt) => `dt=${dt.replaceAll('-', '')}/${table.toLowerCase()}/`;
    const report = (await run('match')) as RunReport;
    expect(report.status).toBe('succeeded');
    for (const table of report.tables) {
      expect(table.stagedLocation).toBe(`s3://${BUCKET}/omc_cleanroom_data/split/dt=20261001/${table.name.toLowerCase()}/`);
      expect(table.rowsStaged).toBe(SOURCE_ROWS[table.name]);
    }
  });
});
