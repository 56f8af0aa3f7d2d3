import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBackend, seedLake } from '../../../src/backends/local/index.js';
import { MAX_JOB_ATTEMPTS } from '../../../src/backends/local/jobRunner.js';
import { LakePaths } from '../../../src/backends/local/paths.js';
import { TEST_HOLDS_VARIABLE } from '../../../src/backends/local/testHolds.js';
import { HoldPoints, processRuns, waitUntilGone } from '../../../scripts/lib/holdPoints.js';
import { InvalidInputError } from '../../../src/domain/errors.js';
import type { Backend } from '../../../src/ports/backend.js';
import { ADDRESSABLE, ibe, SNAPSHOT, splitArgs, tempHome, testConfig, waitForRun } from './helpers.js';

const config = testConfig();
const JOB = config.jobs.infobaseSplitAndBucket;
const TABLES = ['IBE_01', 'MIACS_01', 'CLC_01'];

/** Per staged file: rows and the set of customers, read back with DuckDB. */
async function stagedLayout(dir: string): Promise<{ file: string; rows: number; customers: number }[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const rows = (
      await conn.runAndReadAll(
        `SELECT filename, count(*) AS n, count(DISTINCT customer_user_id) AS c
         FROM read_parquet('${dir}/*.parquet', filename = true, hive_partitioning = false) GROUP BY 1 ORDER BY 1`,
      )
    ).getRowObjectsJson();
    return rows.map((r) => ({ file: path.basename(String(r.filename)), rows: Number(r.n), customers: Number(r.c) }));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/**
 * The hold layer (src/backends/local/testHolds.ts, fault injection): job processes inherit
 * FLYWHEEL_TEST_HOLDS and wait at an armed point, so a test kills them at a known moment.
 */
async function armHolds(home: string, point: string): Promise<HoldPoints> {
  const holds = new HoldPoints(path.join(home, 'test-holds'));
  Object.assign(process.env, holds.env);
  await holds.arm(point);
  return holds;
}

describe('LocalJobRunner (Glue start/poll/stop contract)', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let backend: Backend;
  let paths: LakePaths;

  beforeAll(async () => {
    ({ home, cleanup } = await tempHome());
    await seedLake({ config, home, rows: 2000, snapshots: [SNAPSHOT], sourceFilesPerTable: 2 });
    backend = await createLocalBackend(config, home);
    paths = new LakePaths(config, home);
  });
  afterAll(async () => {
    delete process.env[TEST_HOLDS_VARIABLE];
    await backend?.close();
    await cleanup?.();
  });

  it('runs asynchronously to SUCCEEDED and writes exactly the requested staged file counts', async () => {
    const counts = { IBE_01: 4, MIACS_01: 1, CLC_01: 7 };
    const { runId } = await backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(TABLES, counts), runTag: 'wf-a/run-1/split/0' });
    expect(runId).toMatch(/^jr_/);
    expect(['STARTING', 'RUNNING']).toContain((await backend.jobs.getJobRun(JOB, runId)).state);

    const status = await waitForRun(backend.jobs, JOB, runId);
    expect(status).toMatchObject({ runId, state: 'SUCCEEDED' });
    expect(status.failedTables).toBeUndefined();
    expect(status.executionTimeSeconds).toBeGreaterThan(0);
    expect(existsSync(status.logUrl!)).toBe(true);

    for (const [table, n] of Object.entries(counts)) {
      const dir = paths.stagedPartition(ibe(table), SNAPSHOT);
      expect((await readdir(dir)).sort()).toEqual(Array.from({ length: n }, (_, k) => `part-${String(k).padStart(5, '0')}.parquet`));
      const layout = await stagedLayout(dir);
      expect(layout.reduce((s, f) => s + f.rows, 0)).toBe(2000);
      expect(layout.reduce((s, f) => s + f.customers, 0)).toBe(2000); // each customer in one file
    }

    const record = JSON.parse(await readFile(path.join(home, 'jobs', JOB, `${runId}.json`), 'utf8'));
    expect(record).toMatchObject({ state: 'SUCCEEDED', runTag: 'wf-a/run-1/split/0' });
    expect(record.arguments['--FLYWHEEL_RUN_TAG']).toBe('wf-a/run-1/split/0');
    expect(record.tables.map((t: { stagedRows: number }) => t.stagedRows)).toEqual([2000, 2000, 2000]);
  });

  it('a rerun replaces the staged output cleanly (fewer files leaves no stale ones)', async () => {
    const { runId } = await backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(['CLC_01'], { CLC_01: 2 }), runTag: 'wf-a/run-1/split/1' });
    expect((await waitForRun(backend.jobs, JOB, runId)).state).toBe('SUCCEEDED');
    const dir = paths.stagedPartition(ibe('CLC_01'), SNAPSHOT);
    expect((await readdir(dir)).sort()).toEqual(['part-00000.parquet', 'part-00001.parquet']);
    expect((await readdir(path.dirname(dir))).filter((n) => n.startsWith('_tmp'))).toEqual([]);
  });

  it('writes where layout.stagedPathTemplate says, and the local catalog registers it from there (as on AWS)', async () => {
    const templated = { ...config, layout: { ...config.layout, stagedPathTemplate: 'v2/{tableLower}/{snapshotDtCompact}/' } };
    const fresh = await tempHome();
    const local = await createLocalBackend(templated, fresh.home);
    try {
      await seedLake({ config: templated, home: fresh.home, rows: 100, snapshots: [SNAPSHOT], sourceFilesPerTable: 1 });
      const { runId } = await local.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(['IBE_01'], { IBE_01: 2 }), runTag: 'wf-t/run-1/split/0' });
      expect((await waitForRun(local.jobs, JOB, runId)).state).toBe('SUCCEEDED');
      const dir = path.join(fresh.home, 'lake', 'tgt-bucket', 'omc_cleanroom_data', 'split', 'v2', 'ibe_01', '20261001');
      expect((await readdir(dir)).sort()).toEqual(['part-00000.parquet', 'part-00001.parquet']);
      const registered = await local.catalog.registerStagedTable({ table: ibe('IBE_01'), snapshotDt: SNAPSHOT });
      expect(registered).toMatchObject({ location: dir, files: 2, rows: 100 });
      expect(local.describeLocation('staged', 'IBE_01', SNAPSHOT)).toBe(dir);
    } finally {
      await local.close();
      await fresh.cleanup();
    }
  });

  it('runs the addressable job over addressable_ids', async () => {
    const jobName = config.jobs.addressableBucket;
    const { runId } = await backend.jobs.startJobRun({ jobKey: 'addressableBucket', jobName, arguments: splitArgs(['addressable_ids'], { addressable_ids: 3 }), runTag: 'wf-a/run-1/addr/0' });
    expect((await waitForRun(backend.jobs, jobName, runId)).state).toBe('SUCCEEDED');
    expect(await readdir(paths.stagedPartition(ADDRESSABLE, SNAPSHOT))).toHaveLength(3);
  });

  it('keeps going past a corrupt source file and ends FAILED naming the table, file and reason', async () => {
    const fresh = await tempHome();
    try {
      await seedLake({ config, home: fresh.home, rows: 300, snapshots: [SNAPSHOT], sourceFilesPerTable: 2 });
      const lake = new LakePaths(config, fresh.home);
      const bad = path.join(lake.sourcePartition(ibe('MIACS_01'), SNAPSHOT), 'part-00001.parquet');
      await writeFile(bad, 'this is not parquet at all, just bytes');
      const local = await createLocalBackend(config, fresh.home);
      try {
        const { runId } = await local.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(TABLES, {}), runTag: 't/corrupt' });
        const status = await waitForRun(local.jobs, JOB, runId);
        expect(status.state).toBe('FAILED');
        expect(status.failedTables).toHaveLength(1);
        expect(status.failedTables![0]!.table).toBe('MIACS_01');
        expect(status.failedTables![0]!.error).toContain(bad);
        expect(status.errorMessage).toContain('MIACS_01');
        expect(status.errorMessage).toContain(bad);
        for (const ok of ['IBE_01', 'CLC_01']) expect(await readdir(lake.stagedPartition(ibe(ok), SNAPSHOT))).toEqual(['part-00000.parquet']);
        expect(existsSync(lake.stagedPartition(ibe('MIACS_01'), SNAPSHOT))).toBe(false);
      } finally {
        await local.close();
      }
    } finally {
      await fresh.cleanup();
    }
  });

  it('finds a run by tag after the backend is re-created, and reads its final state from disk', async () => {
    const { runId } = await backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(['IBE_01'], { IBE_01: 2 }), runTag: 'wf-b/run-9/split/0' });
    await waitForRun(backend.jobs, JOB, runId);
    await backend.close();
    backend = await createLocalBackend(config, home);
    expect(await backend.jobs.findRunByTag(JOB, 'wf-b/run-9/split/0')).toBe(runId);
    expect(await backend.jobs.findRunByTag(JOB, 'no-such-tag')).toBeUndefined();
    expect((await backend.jobs.getJobRun(JOB, runId)).state).toBe('SUCCEEDED');
  });

  it('a run outlives the backend (worker) that started it: another one polls it to SUCCEEDED', async () => {
    const holds = await armHolds(home, 'split-IBE_01');
    const { runId } = await backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(['IBE_01'], { IBE_01: 2 }), runTag: 'wf-e/run-1/split/0' });
    const pid = await holds.held('split-IBE_01');
    await backend.close(); // the worker goes away; the job process does not
    expect(processRuns(pid)).toBe(true);
    backend = await createLocalBackend(config, home);
    await holds.release('split-IBE_01');
    const status = await waitForRun(backend.jobs, JOB, runId);
    expect(status.state).toBe('SUCCEEDED');
    expect(JSON.parse(await readFile(path.join(home, 'jobs', JOB, `${runId}.json`), 'utf8'))).toMatchObject({ attempt: 1, pid });
  });

  it('a run whose job process died is taken over under the same run id and finishes the tables not yet done', async () => {
    const holds = await armHolds(home, 'split-MIACS_01');
    const tag = 'wf-c/run-1/split/0';
    const { runId } = await backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(TABLES, { IBE_01: 2, MIACS_01: 3, CLC_01: 1 }), runTag: tag });
    const first = await holds.held('split-MIACS_01'); // IBE_01 done, MIACS_01 written aside, CLC_01 pending
    process.kill(first, 'SIGKILL');
    await waitUntilGone(first);
    await holds.release('split-MIACS_01');

    const status = await waitForRun(backend.jobs, JOB, runId);
    expect(status.state).toBe('SUCCEEDED');
    const record = JSON.parse(await readFile(path.join(home, 'jobs', JOB, `${runId}.json`), 'utf8'));
    expect(record.attempt).toBe(2);
    expect(record.pid).not.toBe(first);
    expect(record.tables.map((t: { stagedRows: number }) => t.stagedRows)).toEqual([2000, 2000, 2000]);
    expect((await backend.jobs.findRunByTag(JOB, tag))).toBe(runId);
    expect((await readdir(path.join(home, 'jobs', JOB))).filter((n) => n.startsWith(runId)).sort()).toEqual(
      [`${runId}.config.json`, `${runId}.json`, `${runId}.log`], // claims are gone once the run has ended
    );
    expect(await readFile(status.logUrl!, 'utf8')).toMatch(/attempt 2 takes the run over/);
    for (const [table, n] of [['IBE_01', 2], ['MIACS_01', 3], ['CLC_01', 1]] as const) {
      const dir = paths.stagedPartition(ibe(table), SNAPSHOT);
      expect((await stagedLayout(dir)).map((f) => f.file)).toHaveLength(n);
      expect((await stagedLayout(dir)).reduce((sum, f) => sum + f.rows, 0)).toBe(2000);
      expect((await readdir(path.dirname(dir))).filter((name) => name.startsWith('_tmp'))).toEqual([]);
    }
  });

  it(`gives up (FAILED, unfinished tables failed) after ${MAX_JOB_ATTEMPTS} job processes died`, async () => {
    const holds = await armHolds(home, 'split-CLC_01');
    const { runId } = await backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(['CLC_01'], {}), runTag: 'wf-f/run-1/split/0' });
    for (let attempt = 1; attempt <= MAX_JOB_ATTEMPTS; attempt++) {
      const pid = await holds.held('split-CLC_01', { meanwhile: attempt > 1 ? () => backend.jobs.getJobRun(JOB, runId) : undefined });
      process.kill(pid, 'SIGKILL');
      await waitUntilGone(pid);
    }
    const status = await waitForRun(backend.jobs, JOB, runId);
    expect(status.state).toBe('FAILED');
    expect(status.errorMessage).toMatch(new RegExp(`the ${MAX_JOB_ATTEMPTS}th to die`));
    expect(status.failedTables).toEqual([{ table: 'CLC_01', error: `job process died ${MAX_JOB_ATTEMPTS} times` }]);
    await holds.release('split-CLC_01');
  });

  it('takes over a RUNNING run recorded before job processes existed (no claim, no config)', async () => {
    const { runId } = await backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(['IBE_01'], {}), runTag: 'wf-g/run-1/split/0' });
    await waitForRun(backend.jobs, JOB, runId);
    const record = JSON.parse(await readFile(path.join(home, 'jobs', JOB, `${runId}.json`), 'utf8'));
    const legacy = { ...record, runId: `${runId}x`, state: 'RUNNING', completedAt: undefined, attempt: undefined, pid: 2 ** 22 + 17, runTag: 'legacy' };
    legacy.tables = legacy.tables.map((t: object) => ({ ...t, state: 'RUNNING' }));
    await writeFile(path.join(home, 'jobs', JOB, `${legacy.runId}.json`), JSON.stringify(legacy));
    const status = await waitForRun(backend.jobs, JOB, legacy.runId);
    expect(status.state).toBe('SUCCEEDED');
  });

  it('stops a run: STOPPING, then STOPPED, with unfinished tables marked STOPPED', async () => {
    const { runId } = await backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(TABLES, {}), runTag: 'wf-d/run-1/split/0' });
    await backend.jobs.stopJobRun(JOB, runId);
    expect(['STOPPING', 'STOPPED']).toContain((await backend.jobs.getJobRun(JOB, runId)).state);
    const status = await waitForRun(backend.jobs, JOB, runId);
    expect(status.state).toBe('STOPPED');
    const record = JSON.parse(await readFile(path.join(home, 'jobs', JOB, `${runId}.json`), 'utf8'));
    expect(record.tables.every((t: { state: string }) => t.state === 'STOPPED' || t.state === 'SUCCEEDED')).toBe(true);
    await backend.jobs.stopJobRun(JOB, runId); // stopping a finished run is a no-op
  });

  it('rejects malformed arguments up front', async () => {
    const start = (args: Record<string, string>) =>
      backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: args, runTag: 'bad' });
    await expect(start({ '--SNAPSHOT_DT': '2026-02-30' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(start(splitArgs(['IBE_01;DROP'], {}))).rejects.toThrow(/invalid table name/);
    await expect(start({ ...splitArgs(['IBE_01'], {}), '--FILE_COUNTS': '{"IBE_01": 0}' })).rejects.toThrow(/FILE_COUNTS/);
    await expect(start(splitArgs(['addressable_ids'], {}))).rejects.toThrow(/cannot process/);
    await expect(backend.jobs.getJobRun(JOB, 'jr_missing')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(backend.jobs.getJobRun('../etc', 'jr_x')).rejects.toThrow(/invalid job name/);
  });
});
