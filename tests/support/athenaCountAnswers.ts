import type { AthenaClient } from '@aws-sdk/client-athena';
import { GetPartitionCommand, type GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listAllObjects, parseS3Uri } from '../../src/backends/aws/s3Objects.js';
import type { Moto } from './moto.js';
import { referenceStringHash } from './oracles/hiveV1Oracle.js';

/**
 * EMULATION of Athena's answers to the validation counts, through moto's static query results.
 * moto hands a queued result to the next StartQueryExecution of ANY query, and tables validate
 * concurrently, so every StartQueryExecution goes through one lock: queue this query's answer, start
 * it, release. Answers come from the data, not from the test's expectations:
 * - staged rows: the rows in the Parquet files under the Glue partition the worker registered;
 * - bucketed rows: the staged rows the CTAS selected, counted when the CTAS started (the CTAS
 *   emulation layer writes placeholder files, so "bucketed = staged" is Athena's part, emulated);
 * - customers in several buckets: 0 (the emulated CTAS buckets perfectly);
 * - rows per "$path": for each bucket file the CTAS emulation wrote, the staged rows whose Hive v1
 *   bucket (the BigInt oracle in tests/support/oracles, not the code under test) is that file's bucket
 *   (the emulation writes fewer files than buckets; rows of buckets without a file are not answered).
 * - the quality gate's profile (`SELECT count(*), count(*) FILTER (…), … FROM <staged> WHERE "snapshot_dt" = …`):
 *   the same SELECT list run by DuckDB over that partition's Parquet files (standard SQL both engines run).
 * Install it BEFORE emulateAthenaCtas so it wraps that layer (and its start) too.
 */
export interface CountAnswers {
  /** SQL → the count answered. */
  answered: { sql: string; count: number }[];
}

const STAGED = /^SELECT count\(\*\) FROM "(\w+)"\."(\w+)" WHERE "snapshot_dt" = '([\d-]+)'$/;
const CTAS = /^CREATE TABLE "\w+"\."(\w+)"[\s\S]*external_location = '([^']+)'[\s\S]*bucket_count = (\d+)[\s\S]*AS SELECT \* FROM "(\w+)"\."(\w+)"\s+WHERE "snapshot_dt" = '([\d-]+)'(?:\n--[^\n]*)?$/;
const ROWS_PER_FILE = /^SELECT "\$path", count\(\*\) FROM "\w+"\."(\w+_bucketed_\d{8})" GROUP BY "\$path"$/;
const BUCKETED = /^SELECT count\(\*\) FROM "\w+"\."(\w+_bucketed_\d{8})"$/;
const LAYOUT = /^SELECT count\(\*\) FROM \(SELECT /;
const QUALITY_PROFILE = /^SELECT (count\(\*\), .+) FROM "(\w+)"\."(\w+_staged)" WHERE "snapshot_dt" = '([\d-]+)'$/;

export function answerAthenaCounts(athena: AthenaClient, deps: { glue: GlueClient; s3: S3Client; moto: Moto }): CountAnswers {
  const answers: CountAnswers = { answered: [] };
  const ctasRows = new Map<string, number>();
  const ctasBuilds = new Map<string, { location: string; bucketCount: number; staged: { database: string; table: string; snapshotDt: string } }>();
  let lock: Promise<unknown> = Promise.resolve();

  const stagedPartition = async (database: string, table: string, snapshotDt: string) => {
    const partition = await deps.glue.send(new GetPartitionCommand({ DatabaseName: database, TableName: table, PartitionValues: [snapshotDt] }));
    return parseS3Uri(partition.Partition!.StorageDescriptor!.Location!);
  };
  const stagedRows = async (database: string, table: string, snapshotDt: string) => {
    const { bucket, key } = await stagedPartition(database, table, snapshotDt);
    return countParquetRows(deps.s3, bucket, key);
  };
  const rowsPerFile = async (snapshotTable: string): Promise<string[][]> => {
    const build = ctasBuilds.get(snapshotTable);
    if (!build) throw new Error(`emulated Athena: no CTAS ran for ${snapshotTable}`);
    const staged = await stagedPartition(build.staged.database, build.staged.table, build.staged.snapshotDt);
    const keys = await parquetColumn(deps.s3, staged.bucket, staged.key, 'customer_user_id');
    const perBucket = new Map<number, number>();
    for (const id of keys) {
      const b = (referenceStringHash(id) & 0x7fffffff) % build.bucketCount;
      perBucket.set(b, (perBucket.get(b) ?? 0) + 1);
    }
    const target = parseS3Uri(build.location);
    const files = (await listAllObjects(deps.s3, target.bucket, target.key)).map((o) => o.Key!);
    return files.map((k) => [`s3://${target.bucket}/${k}`, String(perBucket.get(Number(/\/(\d{6})_0_[^/]*$/.exec(k)![1])) ?? 0)]);
  };
  /** A count, a whole result set (header row first), or nothing to answer. */
  const countFor = async (sql: string): Promise<number | string[][] | undefined> => {
    const staged = STAGED.exec(sql);
    if (staged) return stagedRows(staged[1]!, staged[2]!, staged[3]!);
    const bucketed = BUCKETED.exec(sql);
    if (bucketed) {
      const rows = ctasRows.get(bucketed[1]!);
      if (rows === undefined) throw new Error(`emulated Athena: no CTAS ran for ${bucketed[1]}`);
      return rows;
    }
    if (LAYOUT.test(sql)) return 0;
    const profile = QUALITY_PROFILE.exec(sql);
    if (profile) {
      const { bucket, key } = await stagedPartition(profile[2]!, profile[3]!, profile[4]!);
      const [row] = await queryParquetUnder(deps.s3, bucket, key, (files) => `SELECT ${profile[1]} FROM read_parquet([${files}])`);
      const values = Object.values(row ?? {}).map((v) => String(v));
      return [values.map((_, i) => `_col${i}`), values];
    }
    const perFile = ROWS_PER_FILE.exec(sql);
    if (perFile) return [['_col0', '_col1'], ...(await rowsPerFile(perFile[1]!))];
    const ctas = CTAS.exec(sql);
    if (ctas) {
      const [, table, location, bucketCount, database, stagedTable, snapshotDt] = ctas as unknown as string[];
      ctasRows.set(table!, await stagedRows(database!, stagedTable!, snapshotDt!));
      ctasBuilds.set(table!, { location: location!, bucketCount: Number(bucketCount), staged: { database: database!, table: stagedTable!, snapshotDt: snapshotDt! } });
    }
    return undefined;
  };

  type Args = { input: Record<string, unknown> };
  type Next = (args: Args) => Promise<{ output: Record<string, unknown> }>;
  (athena.middlewareStack as unknown as { add(mw: unknown, options: object): void }).add(
    (next: Next, context: { commandName?: string }) => async (args: Args) => {
      if (context.commandName !== 'StartQueryExecutionCommand') return next(args);
      const sql = String(args.input.QueryString ?? '');
      const turn = lock.then(async () => {
        const answer = await countFor(sql);
        if (typeof answer === 'number') {
          await deps.moto.queueAthenaResult([['_col0'], [String(answer)]]);
          answers.answered.push({ sql, count: answer });
        } else if (answer) {
          await deps.moto.queueAthenaResult(answer);
          answers.answered.push({ sql, count: answer.length - 1 });
        }
        return next(args);
      });
      lock = turn.catch(() => undefined);
      return turn;
    },
    { step: 'initialize', priority: 'high', name: `answerAthenaCounts${Math.random()}` },
  );
  return answers;
}

/** Rows in every Parquet file under a prefix, counted by DuckDB. */
export async function countParquetRows(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  const rows = await queryParquetUnder(s3, bucket, prefix, (files) => `SELECT count(*)::INTEGER AS n FROM read_parquet([${files}])`);
  return rows.length ? Number(rows[0]!.n) : 0;
}

/** One string column of every Parquet file under a prefix. */
async function parquetColumn(s3: S3Client, bucket: string, prefix: string, column: string): Promise<string[]> {
  const rows = await queryParquetUnder(s3, bucket, prefix, (files) => `SELECT "${column}"::VARCHAR AS v FROM read_parquet([${files}])`);
  return rows.map((r) => String(r.v));
}

/** Downloads the Parquet files under a prefix and runs `sql(fileList)` over them in DuckDB ([] without files). */
async function queryParquetUnder(s3: S3Client, bucket: string, prefix: string, sql: (files: string) => string): Promise<Record<string, unknown>[]> {
  const objects = (await listAllObjects(s3, bucket, prefix)).filter((o) => o.Key!.endsWith('.parquet'));
  if (objects.length === 0) return [];
  const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-count-'));
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const files: string[] = [];
    for (const [i, object] of objects.entries()) {
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }));
      const file = path.join(dir, `f-${i}.parquet`);
      await writeFile(file, await body.Body!.transformToByteArray());
      files.push(`'${file}'`);
    }
    return (await conn.runAndReadAll(sql(files.join(',')))).getRowObjects() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
