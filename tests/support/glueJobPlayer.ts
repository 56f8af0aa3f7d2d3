import type { GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deletePrefix, listAllObjects } from '../../src/backends/aws/s3Objects.js';
import type { FlywheelConfig } from '../../src/config/schema.js';

/**
 * PLAYS THE GLUE JOBS' PART. moto's Glue runs write nothing, so this layer does what the real
 * split/bucket scripts do, at the moment the worker first sees a run SUCCEEDED (a GetJobRun
 * middleware, before the activity gets the answer): read the source partition of every table in
 * `--TABLES_FILTER` for `--SNAPSHOT_DT`, and write `--FILE_COUNTS[table]` Parquet files (split by
 * customer hash) to `<stagedPrefix><TABLE>/snapshot_dt=<dt>/`, replacing what an earlier run wrote there
 * (Spark's partition overwrite, as the README's staged-layout contract asks). Paths are spelled out here from the
 * production layout rather than taken from src, so a layout bug in src cannot agree with itself.
 *
 * One player can be installed on several clients (a restarted worker builds new ones); it plays each
 * run once. It talks to S3 through its own client, outside the backend under test.
 */
export interface PlayedRun {
  runId: string;
  jobName: string;
  snapshotDt: string;
  /** Table → rows written (all files). */
  rows: Record<string, number>;
  /** Table → staged files written. */
  files: Record<string, number>;
}

type Layout = FlywheelConfig['layout'];
const ADDRESSABLE = 'addressable_ids';

export class GlueJobPlayer {
  readonly played: PlayedRun[] = [];
  private readonly playing = new Map<string, Promise<void>>();

  constructor(
    private readonly s3: S3Client,
    private readonly layout: Layout,
    private readonly jobNames: readonly string[],
  ) {}

  /** Where the "real" jobs write below the staged prefix: the production layout unless a test changes it. */
  writesTo: (table: string, snapshotDt: string) => string = (table, dt) => `${table}/snapshot_dt=${dt}/`;

  /** Adds the player to a Glue client the backend under test uses. */
  installOn(glue: GlueClient): void {
    type Args = { input: Record<string, unknown> };
    type Next = (args: Args) => Promise<{ output: Record<string, unknown> }>;
    (glue.middlewareStack as unknown as { add(mw: unknown, options: object): void }).add(
      (next: Next, context: { commandName?: string }) => async (args: Args) => {
        const result = await next(args);
        const run = result.output.JobRun as { Id?: string; JobName?: string; JobRunState?: string; Arguments?: Record<string, string> } | undefined;
        if (context.commandName === 'GetJobRunCommand' && run?.JobRunState === 'SUCCEEDED' && run.Id && this.jobNames.includes(run.JobName ?? '')) {
          // The job "wrote" its output before it reported SUCCEEDED: hold the answer until the files exist.
          await this.play(run.Id, run.JobName!, run.Arguments ?? {});
        }
        return result;
      },
      { step: 'initialize', priority: 'high', name: `glueJobPlayer${Math.random()}` },
    );
  }

  private play(runId: string, jobName: string, args: Record<string, string>): Promise<void> {
    let playing = this.playing.get(runId);
    if (!playing) {
      playing = this.write(runId, jobName, args);
      this.playing.set(runId, playing);
    }
    return playing;
  }

  private async write(runId: string, jobName: string, args: Record<string, string>): Promise<void> {
    const snapshotDt = args['--SNAPSHOT_DT'];
    const filter = args['--TABLES_FILTER'];
    const fileCounts = JSON.parse(args['--FILE_COUNTS'] ?? '{}') as Record<string, number>;
    if (!snapshotDt || !filter) throw new Error(`glueJobPlayer: run ${runId} has no --SNAPSHOT_DT/--TABLES_FILTER`);
    const played: PlayedRun = { runId, jobName, snapshotDt, rows: {}, files: {} };
    for (const table of filter.split(',')) {
      const files = fileCounts[table];
      if (!files || files < 1) throw new Error(`glueJobPlayer: no --FILE_COUNTS entry for ${table}`);
      const source = table === ADDRESSABLE ? this.layout.addressablePrefix : `${this.layout.infobasePrefix}${table}/`;
      played.rows[table] = await this.split(
        { bucket: this.layout.sourceBucket, prefix: `${source}snapshot_dt=${snapshotDt}/` },
        { bucket: this.layout.targetBucket, prefix: `${this.layout.stagedPrefix}${this.writesTo(table, snapshotDt)}` },
        files,
        runId,
      );
      played.files[table] = files;
    }
    this.played.push(played);
  }

  /** Source Parquet → `files` staged Parquet files; returns the rows written. */
  private async split(from: { bucket: string; prefix: string }, to: { bucket: string; prefix: string }, files: number, runId: string): Promise<number> {
    const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-glue-player-'));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const objects = (await listAllObjects(this.s3, from.bucket, from.prefix)).filter((o) => o.Key!.endsWith('.parquet'));
      if (objects.length === 0) throw new Error(`glueJobPlayer: no source data at s3://${from.bucket}/${from.prefix}`);
      const inputs: string[] = [];
      for (const [i, object] of objects.entries()) {
        const body = await this.s3.send(new GetObjectCommand({ Bucket: from.bucket, Key: object.Key! }));
        const file = path.join(dir, `in-${i}.parquet`);
        await writeFile(file, await body.Body!.transformToByteArray());
        inputs.push(`'${file}'`);
      }
      await conn.run(`CREATE TABLE src AS SELECT * FROM read_parquet([${inputs.join(',')}])`);
      const out = path.join(dir, 'out');
      await conn.run(`SET partitioned_write_max_open_files = 512`);
      await conn.run(
        `COPY (SELECT *, hash(customer_user_id) % ${files} AS part FROM src) TO '${out}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (part))`,
      );
      // Overwrite: a rerun's output replaces the partition instead of adding to it.
      await deletePrefix(this.s3, to.bucket, to.prefix);
      // Spark writes one file per output partition, empty or not: mirror that so the count is exact.
      for (let part = 0; part < files; part++) {
        const partDir = path.join(out, `part=${part}`);
        const written = await readdir(partDir).catch(() => [] as string[]);
        const key = `${to.prefix}part-${String(part).padStart(5, '0')}-${runId}.snappy.parquet`;
        let bytes: Uint8Array;
        if (written.length === 1) bytes = await readFile(path.join(partDir, written[0]!));
        else {
          const empty = path.join(dir, `empty-${part}.parquet`);
          await conn.run(`COPY (SELECT * FROM src LIMIT 0) TO '${empty}' (FORMAT parquet)`);
          bytes = await readFile(empty);
        }
        await this.s3.send(new PutObjectCommand({ Bucket: to.bucket, Key: key, Body: bytes }));
      }
      const count = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM src`);
      return Number(count.getRowObjects()[0]!.n);
    } finally {
      conn.closeSync();
      db.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  }
}
