import type { AthenaClient } from '@aws-sdk/client-athena';
import { GetPartitionCommand, type GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listAllObjects, parseS3Uri } from '../../src/backends/aws/s3Objects.js';
import type { Moto } from './moto.js';

/**
 * EMULATION of Athena's answers to the validation counts, through moto's static query results.
 * moto hands a queued result to the next StartQueryExecution of ANY query, and tables validate
 * concurrently, so every StartQueryExecution goes through one lock: queue this query's answer, start
 * it, release. Answers come from the data, not from the test's expectations:
 * - staged rows: the rows in the Parquet files under the Glue partition the worker registered;
 * - bucketed rows: the staged rows the CTAS selected, counted when the CTAS started (the CTAS
 *   emulation layer writes placeholder files, so "bucketed = staged" is Athena's part, emulated);
 * - customers in several buckets: 0 (the emulated CTAS buckets perfectly).
 * Install it BEFORE emulateAthenaCtas so it wraps that layer (and its start) too.
 */
export interface CountAnswers {
  /** SQL → the count answered. */
  answered: { sql: string; count: number }[];
}

const STAGED = /^SELECT count\(\*\) FROM "(\w+)"\."(\w+)" WHERE "snapshot_dt" = '([\d-]+)'$/;
const CTAS = /^CREATE TABLE "\w+"\."(\w+)"[\s\S]*AS SELECT \* FROM "(\w+)"\."(\w+)"\s+WHERE "snapshot_dt" = '([\d-]+)'$/;
const BUCKETED = /^SELECT count\(\*\) FROM "\w+"\."(\w+_bucketed_\d{8})"$/;
const LAYOUT = /^SELECT count\(\*\) FROM \(SELECT /;

export function answerAthenaCounts(athena: AthenaClient, deps: { glue: GlueClient; s3: S3Client; moto: Moto }): CountAnswers {
  const answers: CountAnswers = { answered: [] };
  const ctasRows = new Map<string, number>();
  let lock: Promise<unknown> = Promise.resolve();

  const stagedRows = async (database: string, table: string, snapshotDt: string) => {
    const partition = await deps.glue.send(new GetPartitionCommand({ DatabaseName: database, TableName: table, PartitionValues: [snapshotDt] }));
    const { bucket, key } = parseS3Uri(partition.Partition!.StorageDescriptor!.Location!);
    return countParquetRows(deps.s3, bucket, key);
  };
  const countFor = async (sql: string): Promise<number | undefined> => {
    const staged = STAGED.exec(sql);
    if (staged) return stagedRows(staged[1]!, staged[2]!, staged[3]!);
    const bucketed = BUCKETED.exec(sql);
    if (bucketed) {
      const rows = ctasRows.get(bucketed[1]!);
      if (rows === undefined) throw new Error(`emulated Athena: no CTAS ran for ${bucketed[1]}`);
      return rows;
    }
    if (LAYOUT.test(sql)) return 0;
    const ctas = CTAS.exec(sql);
    if (ctas) ctasRows.set(ctas[1]!, await stagedRows(ctas[2]!, ctas[3]!, ctas[4]!));
    return undefined;
  };

  type Args = { input: Record<string, unknown> };
  type Next = (args: Args) => Promise<{ output: Record<string, unknown> }>;
  (athena.middlewareStack as unknown as { add(mw: unknown, options: object): void }).add(
    (next: Next, context: { commandName?: string }) => async (args: Args) => {
      if (context.commandName !== 'StartQueryExecutionCommand') return next(args);
      const sql = String(args.input.QueryString ?? '');
      const turn = lock.then(async () => {
        const count = await countFor(sql);
        if (count !== undefined) {
          await deps.moto.queueAthenaResult([['_col0'], [String(count)]]);
          answers.answered.push({ sql, count });
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
  const objects = (await listAllObjects(s3, bucket, prefix)).filter((o) => o.Key!.endsWith('.parquet'));
  if (objects.length === 0) return 0;
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
    const result = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet([${files.join(',')}])`);
    return Number(result.getRowObjects()[0]!.n);
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
