import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBackend, seedLake } from '../../../src/backends/local/index.js';
import { LakePaths } from '../../../src/backends/local/paths.js';
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

  it('reports a run left RUNNING by a dead worker as FAILED (worker restarted mid-run)', async () => {
    const { runId } = await backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: JOB, arguments: splitArgs(['IBE_01'], {}), runTag: 'wf-c/run-1/split/0' });
    await waitForRun(backend.jobs, JOB, runId);
    const file = path.join(home, 'jobs', JOB, `${runId}.json`);
    const record = JSON.parse(await readFile(file, 'utf8'));
    for (const [suffix, pid] of [['a', process.pid], ['b', 2 ** 22 + 17]] as const) {
      const orphan = { ...record, runId: `${runId}${suffix}`, state: 'RUNNING', completedAt: undefined, pid, runTag: `orphan-${suffix}` };
      await writeFile(path.join(home, 'jobs', JOB, `${orphan.runId}.json`), JSON.stringify(orphan));
      const status = await backend.jobs.getJobRun(JOB, orphan.runId);
      expect(status.state).toBe('FAILED');
      expect(status.errorMessage).toMatch(/worker restarted mid-run/);
      expect(JSON.parse(await readFile(path.join(home, 'jobs', JOB, `${orphan.runId}.json`), 'utf8')).state).toBe('FAILED');
    }
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
