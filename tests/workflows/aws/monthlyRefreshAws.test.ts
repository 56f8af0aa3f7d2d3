import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateDatabaseCommand, GetPartitionCommand, GetTableCommand, GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainFailure } from '../../../src/client/failures.js';
import { PROJECT_ROOT } from '../../../src/config/home.js';
import type { RunReport } from '../../../src/domain/report.js';
import { countParquetRows } from '../../support/athenaCountAnswers.js';
import { createAwsHarness, runTagOf, SOURCE_ROWS, type AwsHarness, type AwsWorker } from '../../support/awsHarness.js';
import type { EnforcedRequest } from '../../support/iamEnforcement.js';
import { evaluate, type PolicyDocument, type PolicyStatement } from '../../support/iamPolicy.js';
import { startMoto, type Moto } from '../../support/moto.js';

/**
 * The workflow code the local backend runs, unchanged, with `backend: aws` and config/prod.yaml over
 * moto: S3 discovery, Glue job runs (played by the GlueJobPlayer), Glue catalog registration, Athena
 * CTAS (emulated) and validation counts (answered from the data through moto static results).
 *
 * The worker runs as an IAM user holding ONLY iam/flywheel-worker-policy.json, with IAM enforced: by
 * moto itself (signatures, actions, S3 resources) and by the enforcement layer for what moto cannot
 * evaluate (Glue/Athena resource ARNs, s3:prefix conditions, S3's 403 for a missing key without
 * s3:ListBucket, per-key DeleteObjects) — tests/support/iamEnforcement.ts lists the gaps. Athena's own
 * reads and writes run with the worker's credentials too (tests/support/athenaAsCaller.ts). What is
 * still not enforced: KMS, bucket policies, SCPs and Lake Formation (none are part of this policy).
 */
const POLICY_FILE = path.join(PROJECT_ROOT, 'iam', 'flywheel-worker-policy.json');
const policy = (): PolicyDocument => JSON.parse(readFileSync(POLICY_FILE, 'utf8')) as PolicyDocument;
const statements = (p: PolicyDocument) => (Array.isArray(p.Statement) ? p.Statement : [p.Statement]);
const SNAPSHOT = '2026-10-01';

/** Capacity the runs are started with (moto echoes it and reports ExecutionTime 123 s for every run). */
const CAPACITY = { jobs: { infobaseSplitAndBucket: { workerType: 'G.2X', numberOfWorkers: 10 }, addressableBucket: { workerType: 'G.1X', numberOfWorkers: 5 } } };

/**
 * Grants of the policy no request of the two runs below needs, each for a reason: a statement or
 * action that nothing needs any more shows up as a failure here and goes from the policy.
 */
const NOT_EXERCISED_BY_A_REFRESH: Record<string, string> = {
  'AthenaQueryResults s3:ListBucket': "Athena's own listing of its results bucket (AWS documents it; not emulated); the maintenance result check (tests/maintenance/awsMaintenanceIam.test.ts)",
  'AthenaQueryResults s3:AbortMultipartUpload': 'Athena writing large results in parts (not emulated)',
  'AthenaQueryResults s3:ListMultipartUploadParts': 'Athena writing large results in parts (not emulated)',
  'WriteBucketedOutputAndBuildMarkers s3:AbortMultipartUpload': 'Athena writing large CTAS files in parts (not emulated)',
  'WriteBucketedOutputAndBuildMarkers s3:ListMultipartUploadParts': 'Athena writing large CTAS files in parts (not emulated)',
  'ReadMaintenanceResults s3:GetObject': 'Delta maintenance reading its job result (tests/maintenance/awsMaintenanceIam.test.ts)',
  'RunExistingGlueJobs glue:BatchStopJobRun': 'cancelling a run stops its Glue job',
  'AthenaInWorkgroup athena:StopQueryExecution': 'cancelling a run stops its query',
  'CatalogTablesAndPartitions glue:GetPartition': 'aws.glue.registration: glue-job reads the registered partition back',
  'CatalogTablesAndPartitions glue:GetPartitions': 'Athena reading a partitioned table without a partition predicate',
};

async function refresh(h: AwsHarness, worker: AwsWorker, suffix: string): Promise<RunReport> {
  return (await worker.worker.runUntil(
    h.client.workflow.execute('monthlyRefresh', {
      taskQueue: h.config.temporal.taskQueue!,
      workflowId: `${h.config.environment}-${suffix}`,
      args: [{ environment: h.config.environment }],
    }),
  )) as RunReport;
}

describe('monthlyRefresh with config/prod.yaml over moto, as a worker holding only the shipped IAM policy', () => {
  let moto: Moto;
  let h: AwsHarness;
  const decisions: EnforcedRequest[] = [];
  beforeAll(async () => {
    moto = await startMoto(); // a server of its own: IAM enforcement is server-wide
    h = await createAwsHarness(moto, { configFile: path.join(PROJECT_ROOT, 'config', 'prod.yaml'), iamPolicy: policy(), glue: CAPACITY });
  });
  afterAll(async () => {
    await h?.close();
    await moto?.stop();
  });

  it('moto really enforces IAM for this server: unknown keys and actions outside the policy are refused', async () => {
    const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const bucket = h.config.layout.sourceBucket;
    await expect(s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'opus/' }))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    // The worker's own keys on a plain client (no enforcement layer): moto alone refuses what the policy lacks.
    const credentials = { accessKeyId: h.principal!.accessKeyId, secretAccessKey: h.principal!.secretAccessKey };
    const glue = new GlueClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
    const refused = await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'not_allowed' } })).catch((e: unknown) => e);
    expect(refused).toMatchObject({ $metadata: { httpStatusCode: 403 } }); // moto's XML denial (the layer re-encodes it for the worker)
    const workerS3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials });
    await expect(workerS3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'opus/' }))).resolves.toBeDefined();
    for (const c of [s3, glue, workerS3]) c.destroy();
  });

  it('refreshes the newest complete snapshot: catalog, bucketed tables, counts, s3 locations, run ids, cost', async () => {
    const { layout, catalog, jobs } = h.config;
    const bucket = layout.targetBucket;
    const database = catalog.database;
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
    const report = await refresh(h, worker, 'e2e');
    decisions.push(...worker.iamDecisions);
    await worker.stop();

    expect(worker.iamDecisions.filter((d) => d.decision !== 'allowed')).toEqual([]);
    expect(new Set(worker.iamDecisions.map((d) => d.service))).toEqual(new Set(['s3', 'glue', 'athena']));
    expect(report.status, JSON.stringify(report.tables.map((t) => t.lastError))).toBe('succeeded');
    expect(report.snapshotDt).toBe(SNAPSHOT); // 2026-11-01 is newer but only two tables have it
    const tables = Object.fromEntries(report.tables.map((t) => [t.name, t]));
    expect(Object.keys(tables).sort()).toEqual(['CLC_01', 'IBE_01', 'MIACS_01', 'addressable_ids']);

    // Jobs: one run each, SUCCEEDED, the report carrying Glue's run ids, each run played once.
    expect(report.jobs.map((j) => j.jobName).sort()).toEqual([jobs.addressableBucket, jobs.infobaseSplitAndBucket].sort());
    for (const job of report.jobs) {
      const runs = await h.jobRuns(job.jobName);
      expect(runs.map((r) => r.Id), job.jobName).toEqual([job.runId]);
      expect(job.state).toBe('SUCCEEDED');
      // <batch workflow id>/<its run id>/<jobKey>/<the batch pipeline's job-attempt counter, shared by both jobs>
      expect(runTagOf(runs[0]!)).toMatch(new RegExp(`^${h.config.environment}-e2e-pass1-batch1/[0-9a-f-]+/${job.jobKey}/[12]$`));
      expect(runs[0]!.Arguments?.['--SNAPSHOT_DT']).toBe(SNAPSHOT);
      // Standard capacity (no DPUSeconds from Glue): workers × DPU per worker × ExecutionTime.
      expect(runs[0]!.DPUSeconds).toBeUndefined();
      const dpu = job.jobKey === 'infobaseSplitAndBucket' ? 10 * 2 : 5 * 1;
      expect(job.dpuSeconds).toBe(dpu * runs[0]!.ExecutionTime!);
    }
    expect(report.cost?.glueDpuSeconds).toBe((10 * 2 + 5 * 1) * 123);
    expect(report.cost?.glueUsd).toBe(Math.round(((25 * 123) / 3600) * 0.44 * 100) / 100); // $0.38 at list price
    expect(polled.filter((s) => s !== 'SUCCEEDED').length).toBeGreaterThanOrEqual(2 * 2);
    // The plan, per-table outputs and the full report live in the run manifest on S3, next to the bucketed data.
    expect(report.reportLocation).toMatch(new RegExp(`^s3://${h.config.layout.targetBucket}/${h.config.layout.bucketedPrefix}_flywheel_runs/${h.config.environment}-e2e/[0-9a-f-]+/report\\.json$`));
    expect(h.player.played.map((p) => p.runId).sort()).toEqual(report.jobs.map((j) => j.runId).sort());
    const infobaseRun = h.player.played.find((p) => p.jobName === jobs.infobaseSplitAndBucket)!;
    expect(Object.keys(infobaseRun.rows).sort()).toEqual(['CLC_01', 'IBE_01', 'MIACS_01']); // --TABLES_FILTER
    const fileCounts = { ...infobaseRun.files, ...h.player.played.find((p) => p.jobName === jobs.addressableBucket)!.files };
    expect(Math.max(...Object.values(fileCounts))).toBeGreaterThan(1); // several files: --FILE_COUNTS is exercised

    for (const [name, table] of Object.entries(tables)) {
      const lower = name.toLowerCase();
      expect(table.state, `${name}: ${table.lastError ?? ''}`).toBe('succeeded');
      // Staged: registered in Glue with the snapshot partition at the files the job wrote.
      const stagedPrefix = `omc_cleanroom_data/split/${name}/snapshot_dt=${SNAPSHOT}/`;
      expect(table.stagedTable).toBe(`${database}.${lower}_staged`);
      expect(table.stagedLocation).toBe(`s3://${bucket}/${stagedPrefix}`);
      expect(table.stagedFiles).toBe(fileCounts[name]);
      const partition = await h.arrange.glue.send(
        new GetPartitionCommand({ DatabaseName: database, TableName: `${lower}_staged`, PartitionValues: [SNAPSHOT] }),
      );
      expect(partition.Partition?.StorageDescriptor?.Location).toBe(`s3://${bucket}/${stagedPrefix}`);
      const staged = await h.arrange.glue.send(new GetTableCommand({ DatabaseName: database, Name: `${lower}_staged` }));
      expect(staged.Table?.PartitionKeys?.map((k) => k.Name)).toEqual(['snapshot_dt']);
      expect(staged.Table?.StorageDescriptor?.Columns?.map((c) => c.Name)).toContain('customer_user_id');

      // Bucketed: the stable table serves this snapshot's s3:// location, bucketed by the configured column.
      expect(table.bucketedTable).toBe(`${database}.${lower}_bucketed`);
      expect(table.bucketedLocation).toBe(`s3://${bucket}/omc_cleanroom_data/bucketed/${lower}/snapshot_dt=${SNAPSHOT}/`);
      const stable = await h.arrange.glue.send(new GetTableCommand({ DatabaseName: database, Name: `${lower}_bucketed` }));
      expect(stable.Table?.StorageDescriptor?.Location).toBe(table.bucketedLocation);
      expect(stable.Table?.StorageDescriptor?.BucketColumns).toEqual(['customer_user_id']);
      expect(table.bucketFiles).toBe(3); // what the CTAS emulation writes

      // Counts: the chosen snapshot's rows, staged = bucketed, and the staged files really hold them.
      expect(table.rowsStaged).toBe(SOURCE_ROWS[name]);
      expect(table.rowsBucketed).toBe(table.rowsStaged);
      expect(await countParquetRows(h.arrange.s3, bucket, stagedPrefix)).toBe(SOURCE_ROWS[name]);
    }
    // Each table's quality gate asked Athena one profile query, its validation three counts and the rows per "$path",
    // all answered from the data.
    expect(worker.counts.answered).toHaveLength(4 * 5);
    expect(worker.counts.answered.filter((a) => a.sql.includes(' FILTER (WHERE '))).toHaveLength(4);
    // The full report, written to S3 in pieces, holds every check; the workflow's result only counts the passes.
    const reportUri = /^s3:\/\/([^/]+)\/(.+)$/.exec(report.reportLocation!)!;
    const fullReport = JSON.parse(await (await h.arrange.s3.send(new GetObjectCommand({ Bucket: reportUri[1], Key: reportUri[2] }))).Body!.transformToString()) as RunReport;
    expect(fullReport.tables.map((t) => t.name).sort()).toEqual(report.tables.map((t) => t.name).sort());
    for (const table of report.tables) {
      // The first run of each table: no published snapshot to compare with, so only the bucket column is judged.
      const full = fullReport.tables.find((t) => t.name === table.name)!;
      expect(table.quality, table.name).toMatchObject({ verdict: 'pass', note: expect.stringMatching(/^first run of /), checks: [], passedUnlisted: full.quality!.checks.length });
      expect(full.quality!.checks.find((c) => c.check === 'nullRate')).toMatchObject({ column: 'customer_user_id', observed: `0 % (0 of ${SOURCE_ROWS[table.name]!.toLocaleString('en-US')})` });
    }
    for (const table of report.tables) {
      // Rows per bucket from the emulated files (buckets 0…2 of 256): measured, too few rows to judge.
      expect(table.bucketSkew, table.name).toMatchObject({ bucketCount: 256, minRows: 0, emptyBuckets: expect.any(Number), verdict: 'too-few-rows', maxAllowed: 1.5 });
      expect(table.bucketSkew!.emptyBuckets).toBeGreaterThanOrEqual(253);
    }

    const snapshotTables = ((await h.arrange.glue.send(new GetTablesCommand({ DatabaseName: database }))).TableList ?? [])
      .map((t) => t.Name!)
      .filter((n) => /_bucketed_\d{8}$/.test(n))
      .sort();
    expect(snapshotTables).toEqual(['addressable_ids_bucketed_20261001', 'clc_01_bucketed_20261001', 'ibe_01_bucketed_20261001', 'miacs_01_bucketed_20261001']);
    expect(report.lineage.status).toBe('published');
  });

  it('rebuilds the same snapshot under the same policy (update table and partition, empty the location, drop the old build)', async () => {
    const worker = await h.startWorker();
    const report = await refresh(h, worker, 'rebuild');
    decisions.push(...worker.iamDecisions);
    await worker.stop();
    expect(worker.iamDecisions.filter((d) => d.decision !== 'allowed')).toEqual([]);
    expect(report.status, JSON.stringify(report.tables.map((t) => t.lastError))).toBe('succeeded');
    expect(report.tables.map((t) => [t.name, t.rowsBucketed])).toEqual(Object.entries(SOURCE_ROWS));
    const actions = new Set(worker.iamDecisions.map((d) => d.action));
    for (const action of ['glue:UpdateTable', 'glue:UpdatePartition', 'glue:DeleteTable', 's3:DeleteObject']) expect(actions).toContain(action);
  });

  it('every grant of the policy is needed by these runs, except the ones listed with their reason', () => {
    const used = (s: PolicyStatement, action: string) =>
      decisions.some((d) => d.authorization && d.authorization.action === action && evaluate({ Statement: [s] }, d.authorization).decision === 'allowed');
    const unused = statements(policy()).flatMap((s) =>
      [s.Action ?? []].flat().filter((action) => !used(s, action)).map((action) => `${s.Sid} ${action}`),
    );
    expect(unused.sort()).toEqual(Object.keys(NOT_EXERCISED_BY_A_REFRESH).sort());
  });
});

describe('a statement missing from the policy fails the run, as AccessDenied naming action and resource, never retried', () => {
  let moto: Moto;
  let h: AwsHarness;
  beforeAll(async () => {
    moto = await startMoto();
    const withoutCatalog = { ...policy(), Statement: statements(policy()).filter((s) => s.Sid !== 'CatalogTablesAndPartitions') };
    h = await createAwsHarness(moto, { configFile: path.join(PROJECT_ROOT, 'config', 'prod.yaml'), iamPolicy: withoutCatalog });
  });
  afterAll(async () => {
    await h?.close();
    await moto?.stop();
  });

  it('without CatalogTablesAndPartitions every table fails at register with glue:CreateTable denied, in one attempt', async () => {
    const worker = await h.startWorker();
    const workflowId = `${h.config.environment}-denied`;
    const error = await refresh(h, worker, 'denied').catch((e: unknown) => e);
    await worker.stop();
    const failure = explainFailure(error);
    expect(failure.type).toBe('RefreshFailed');
    const report = failure.details?.[0] as RunReport;
    for (const table of report.tables) {
      expect(table.state).toBe('failed');
      expect(table.stage).toBe('register');
      expect(table.lastError).toContain(`AWS denied glue:CreateTable on arn:aws:glue:us-east-1:123456789012:catalog (CreateTable)`);
      expect(table.lastError).toContain(`is not authorized to perform: glue:CreateTable`);
    }
    expect(report.tables.map((t) => t.name).sort()).toEqual(Object.keys(SOURCE_ROWS).sort());
    // Non-retryable: every registration activity ran once and failed with type AccessDenied (in the batch child).
    const history = await h.client.workflow.getHandle(`${workflowId}-pass1-batch1`).fetchHistory();
    const registrations = new Set(
      (history.events ?? [])
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'registerStagedTable')
        .map((e) => String(e.eventId)),
    );
    const started = (history.events ?? []).filter((e) => registrations.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)));
    expect(started).toHaveLength(4);
    expect(started.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual([1, 1, 1, 1]);
    const failed = (history.events ?? []).filter((e) => registrations.has(String(e.activityTaskFailedEventAttributes?.scheduledEventId)));
    expect(failed.map((e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo)).toEqual(
      Array(4).fill(expect.objectContaining({ type: 'AccessDenied', nonRetryable: true })),
    );
  });
});
