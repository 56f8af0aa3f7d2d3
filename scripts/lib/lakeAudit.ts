/**
 * Checks a local refresh's result independently of the product's own report: row counts and bucket
 * layout read straight from the Parquet files with a separate in-memory DuckDB, job runs read from
 * their records, and anything a crashed attempt could have left behind.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LakePaths, tableFor } from '../../src/backends/local/paths.js';
import { JobRecordStore, type JobRunRecord } from '../../src/backends/local/jobRecords.js';
import type { FlywheelConfig } from '../../src/config/schema.js';

export interface TableAudit {
  table: string;
  sourceRows: number;
  stagedRows: number;
  bucketedRows: number;
  bucketFiles: number;
  /** Customers whose rows sit in more than one bucket file (must be 0). */
  customersInSeveralBuckets: number;
}

const parquetIn = async (dir: string) => (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.parquet')).map((f) => path.join(dir, f));
const list = (files: string[]) => `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ')}]`;

export async function auditTables(config: FlywheelConfig, home: string, snapshotDt: string, tables: string[]): Promise<TableAudit[]> {
  const paths = new LakePaths(config, home);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const scalar = async (sql: string) => Number((await conn.runAndReadAll(sql)).getRowObjectsJson()[0]!.n);
  const count = async (files: string[]) => (files.length ? scalar(`SELECT count(*) AS n FROM read_parquet(${list(files)}, hive_partitioning = false)`) : 0);
  try {
    const audits: TableAudit[] = [];
    for (const name of tables) {
      const table = tableFor(name);
      const buckets = await parquetIn(paths.bucketedPartition(table, snapshotDt));
      audits.push({
        table: name,
        sourceRows: await count(await parquetIn(paths.sourcePartition(table, snapshotDt))),
        stagedRows: await count(await parquetIn(paths.stagedPartition(table, snapshotDt))),
        bucketedRows: await count(buckets),
        bucketFiles: buckets.length,
        customersInSeveralBuckets: buckets.length
          ? await scalar(
              `SELECT count(*) AS n FROM (SELECT customer_user_id FROM read_parquet(${list(buckets)}, filename = true, hive_partitioning = false)
               GROUP BY 1 HAVING count(DISTINCT filename) > 1)`,
            )
          : 0,
      });
    }
    return audits;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/**
 * The job runs a refresh started: run tags begin with `<workflowId>/<runId>/`, or, since the batched refresh,
 * with its batch children's ids `<workflowId>-pass<N>-batch<M>/` (each test or bench run has its own workflow id).
 */
export async function jobRunsOf(config: FlywheelConfig, home: string, workflowId: string, runId: string): Promise<JobRunRecord[]> {
  const store = new JobRecordStore(home);
  const names = [config.jobs.infobaseSplitAndBucket, config.jobs.addressableBucket];
  const records = (await Promise.all(names.map((name) => store.list(name)))).flat();
  return records.filter((r) => r.runTag.startsWith(`${workflowId}/${runId}/`) || r.runTag.startsWith(`${workflowId}-pass`));
}

/**
 * What a crashed attempt may leave behind: build folders (`_tmp-…`) anywhere in the lake, job
 * process scratch space (`tmp/jobs/…`), half-written JSON (`*.tmp`), and claims or stop requests of
 * runs that have ended. Paths relative to `home`.
 */
export async function leftovers(home: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(home, full);
      if (entry.name.startsWith('_tmp-') || entry.name.endsWith('.tmp')) found.push(relative);
      else if (entry.isDirectory()) {
        if (relative === path.join('tmp', 'jobs')) found.push(...(await readdir(full)).map((n) => path.join(relative, n)));
        else await walk(full);
      }
    }
  };
  await walk(home);
  const store = new JobRecordStore(home);
  for (const job of await readdir(path.join(home, 'jobs')).catch(() => [])) {
    for (const record of await store.list(job)) {
      const own = (await readdir(store.jobDir(job))).filter((n) => n.startsWith(`${record.runId}.`));
      const bookkeeping = own.filter((n) => /\.(attempt-\d+\.json|stop)$/.test(n));
      if (record.completedAt) found.push(...bookkeeping.map((n) => path.join('jobs', job, n)));
    }
  }
  return found.sort();
}
