import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainFailure } from '../../src/client/failures.js';
import type { RunReport } from '../../src/domain/report.js';
import { refreshWorkflowId } from '../../src/domain/workflowIds.js';
import { statusQuery } from '../../src/workflows/definitions.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

async function parquetFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.parquet')).map((f) => path.join(dir, f));
}

async function countRows(files: string[]): Promise<{ rows: number; customersInSeveralFiles: number }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const list = files.map((f) => `'${f}'`).join(',');
  const rows = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet([${list}])`);
  const spread = await conn.runAndReadAll(
    `SELECT count(*)::INTEGER AS n FROM (SELECT customer_user_id FROM read_parquet([${list}], filename=true) GROUP BY 1 HAVING count(DISTINCT filename) > 1)`,
  );
  conn.closeSync();
  return { rows: Number(rows.getRowObjects()[0]!.n), customersInSeveralFiles: Number(spread.getRowObjects()[0]!.n) };
}

describe('monthlyRefresh on the local backend', () => {
  let h: RefreshHarness;
  beforeAll(async () => {
    h = await createRefreshHarness({ tables: ['IBE_01', 'MIACS_01'], rows: 400 });
  });
  afterAll(() => h?.close());

  it('refreshes the newest complete snapshot end to end: 256 buckets per table, counts match on disk', async () => {
    const workflowId = refreshWorkflowId(h.config.environment, '2026-10-01');
    const handle = h.client.workflow.getHandle(workflowId);
    // Queries need a polling worker, so the status query runs before the worker stops.
    const { report, status } = await h.withWorker(async () => {
      const result = (await h.client.workflow.execute('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId,
        args: [{ environment: h.config.environment }],
      })) as RunReport;
      return { report: result, status: await handle.query(statusQuery) };
    });

    expect(report.status).toBe('succeeded');
    expect(report.snapshotDt).toBe('2026-10-01'); // the newest of the two seeded snapshots
    expect(report.tables.map((t) => t.name).sort()).toEqual(['IBE_01', 'MIACS_01', 'addressable_ids']);
    for (const table of report.tables) {
      expect(table.state, table.name).toBe('succeeded');
      expect(table.bucketFiles).toBe(256);
      expect(table.rowsStaged).toBe(table.rowsBucketed);
      expect(table.rowsSource).toBe(table.rowsStaged);
      const files = await parquetFiles(table.bucketedLocation!);
      expect(files).toHaveLength(256);
      const onDisk = await countRows(files);
      expect(onDisk.rows).toBe(table.rowsBucketed);
      expect(onDisk.customersInSeveralFiles).toBe(0);
    }
    expect(report.tables.find((t) => t.name === 'IBE_01')!.rowsBucketed).toBe(400);
    expect(report.stages.map((s) => s.stage)).toEqual(['discover', 'split', 'register', 'check', 'bucket', 'validate', 'lineage']);
    expect(report.jobs.map((j) => j.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(report.lineage.status).toBe('published');
    const lineage = (await readFile(path.join(h.home, 'lineage', 'openlineage.jsonl'), 'utf8')).trim().split('\n');
    expect(lineage.length).toBeGreaterThan(0);

    expect(status.state).toBe('succeeded');
    expect(status.tables.every((t) => t.attempts === 1 && t.lastError === undefined)).toBe(true);
    const description = await handle.describe();
    expect(description.searchAttributes.FlywheelStatus).toEqual(['succeeded']);
    expect(description.searchAttributes.FlywheelSnapshotDt).toEqual(['2026-10-01']);
    // Local runs report no DPU-seconds or scanned bytes: the estimate is there, and zero.
    expect(report.cost).toMatchObject({ glueDpuSeconds: 0, athenaBytesScanned: 0, totalUsd: 0 });
    expect(description.memo).toMatchObject({ cost: report.cost, tables: 3, failedTables: 0 });
  });

  it('processes an override snapshot and only the filtered tables', async () => {
    const report = (await h.withWorker(() =>
      h.client.workflow.execute('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId: refreshWorkflowId(h.config.environment, '2026-09-01'),
        args: [{ environment: h.config.environment, snapshotDt: '2026-09-01', tables: ['ibe_01'] }],
      }),
    )) as RunReport;
    expect(report.snapshotDt).toBe('2026-09-01');
    expect(report.tables.map((t) => t.name)).toEqual(['IBE_01']);
    expect(report.jobs).toHaveLength(1); // the addressable job is not started when its table is filtered out
  });

  it('rejects a filter naming an unknown table before any job starts', async () => {
    const error = await h
      .withWorker(() =>
        h.client.workflow.execute('monthlyRefresh', {
          taskQueue: h.config.temporal.taskQueue!,
          workflowId: `${h.config.environment}-unknown-table`,
          args: [{ environment: h.config.environment, tables: ['IBE_01', 'NOPE_99'] }],
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = explainFailure(error);
    expect(failure.message).toMatch(/NOPE_99/);
    const report = failure.details?.[0] as RunReport;
    expect(report.tables).toEqual([]);
    expect(report.jobs).toEqual([]);
  });

  it('rejects malformed input with the field and the reason', async () => {
    const error = await h
      .withWorker(() =>
        h.client.workflow.execute('monthlyRefresh', {
          taskQueue: h.config.temporal.taskQueue!,
          workflowId: `${h.config.environment}-bad-input`,
          args: [{ environment: h.config.environment, snapshotDt: '2026-02-30' }],
        }),
      )
      .catch((e: unknown) => e);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('InvalidInput');
    expect(cause!.message).toMatch(/snapshotDt: must be a real calendar date/);
  });

  it('fails only the table whose source file is unreadable and finishes the others', async () => {
    const corrupt = path.join(h.home, 'lake', 'test-lake', 'opus', 'infobase_attributes', 'MIACS_01', 'snapshot_dt=2026-10-01');
    const [victim] = await parquetFiles(corrupt);
    await writeFile(victim!, 'this is not parquet');

    const error = await h
      .withWorker(() =>
        h.client.workflow.execute('monthlyRefresh', {
          taskQueue: h.config.temporal.taskQueue!,
          workflowId: `${refreshWorkflowId(h.config.environment, '2026-10-01')}-corrupt`,
          args: [{ environment: h.config.environment, snapshotDt: '2026-10-01' }],
        }),
      )
      .catch((e: unknown) => e);
    const failure = explainFailure(error);
    expect(failure.type).toBe('RefreshFailed');
    const report = failure.details?.[0] as RunReport;
    const byName = Object.fromEntries(report.tables.map((t) => [t.name, t]));
    expect(byName.MIACS_01!.state).toBe('failed');
    expect(byName.MIACS_01!.stage).toBe('split');
    expect(byName.MIACS_01!.lastError).toContain(path.basename(victim!));
    expect(byName.IBE_01!.state).toBe('succeeded');
    expect(byName.addressable_ids!.state).toBe('succeeded');
    expect(report.lineage.status).toBe('published'); // lineage of a failed run is still recorded
  });
});
