/**
 * The engine-ratio part of `npm run bench` (issue 13, "an engine at DuckDB's speed"): N tables × R rows
 * split, bucketed (256 Hive v1 buckets) and validated by the local engine, against the same SQL run
 * directly in one DuckDB instance (no Flywheel around it), alternated round by round so load from other
 * processes hits both alike. Target: engine ≤ 1.15× direct at 500k rows per table.
 *   BENCH_ENGINE_TABLES (default 4), BENCH_ENGINE_ROWS (default 500000), BENCH_ENGINE_ROUNDS (default 3)
 * Run alone: `node --import tsx scripts/lib/engineRatio.ts` or `npm run bench -- --only engine-ratio`.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckEngine, readParquetSql } from '../../src/backends/local/duck.js';
import { listDataFiles } from '../../src/backends/local/files.js';
import { duckHashSlice, sliceCopySql } from '../../src/backends/local/hashSlices.js';
import { hiveBucketSql, registerHiveHashFunctions } from '../../src/backends/local/hiveBucketSql.js';
import { createLocalBackend, LakePaths, seedLake } from '../../src/backends/local/index.js';
import { splitTable } from '../../src/backends/local/splitTable.js';
import { bucketLayoutSql, rowsPerFileSql } from '../../src/backends/local/validate.js';
import { PROJECT_ROOT } from '../../src/config/home.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import type { SourceTable } from '../../src/domain/tables.js';

export const TARGET_ENGINE_OVER_DIRECT = 1.15;
const SNAPSHOT = '2026-10-01';
const BUCKETS = 256;
const KEY = 'customer_user_id';

type Steps = { split: number; bucket: number; validate: number; total: number };

export interface EngineRatioResult {
  tables: number;
  rowsPerTable: number;
  rounds: number;
  /** Median over rounds, seconds for all tables. */
  engine: Steps;
  direct: Steps;
  ratio: number;
  /** Every round's totals. */
  engineTotals: number[];
  directTotals: number[];
  /** engine / direct per round. */
  roundRatios: number[];
  load: string;
}

const elapsed = (since: number) => (performance.now() - since) / 1000;

interface Runner {
  /** Split + bucket + validate of one table, each step's seconds added to `steps`. */
  table(table: SourceTable, steps: Steps): Promise<void>;
  close(): Promise<void>;
}

const noSteps = (): Steps => ({ split: 0, bucket: 0, validate: 0, total: 0 });

/** The local engine, as the job process (split, in memory) and the worker (bucket, validate; catalog file) run it. */
async function engineRunner(config: FlywheelConfig, home: string, round: number): Promise<Runner> {
  const paths = new LakePaths(config, home);
  const ctx = { heartbeat: () => {}, signal: new AbortController().signal };
  const job = new DuckEngine({ database: ':memory:', threads: config.local.threads, memoryLimit: config.local.memoryLimit });
  const backend = await createLocalBackend(config, home);
  return {
    async table(table, steps) {
      // A refresh builds a new snapshot into empty locations: remove the previous round's output untimed,
      // as the direct runner does (the engine would otherwise also pay for deleting the last build's files).
      await rm(paths.stagedPartition(table, SNAPSHOT), { recursive: true, force: true });
      await rm(paths.bucketedPartition(table, SNAPSHOT), { recursive: true, force: true });
      let t = performance.now();
      await splitTable(job, paths, { table, snapshotDt: SNAPSHOT, fileCount: 1, keyColumn: KEY }, ctx.signal);
      steps.split += elapsed(t);
      t = performance.now();
      const request = { table, snapshotDt: SNAPSHOT, bucketColumn: KEY, bucketCount: BUCKETS };
      await backend.bucketed.createBucketedTable({ ...request, requestToken: `bench-${round}` }, ctx);
      steps.bucket += elapsed(t);
      t = performance.now();
      const validation = await backend.bucketed.validateBucketedTable(request, ctx);
      steps.validate += elapsed(t);
      if (validation.problems.length > 0) throw new Error(`engine validation of ${table.name}: ${validation.problems.join('; ')}`);
    },
    async close() {
      await backend.close();
      await job.close();
    },
  };
}

/** Parquet files below `dir` (one level of partition folders), sorted. */
async function partitionFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((f) => f.endsWith('.parquet')).map((f) => path.join(dir, f)).sort();
}

/** The same statements straight in one DuckDB instance: COPY … PARTITION_BY twice, then the validation reads. */
async function directRunner(config: FlywheelConfig, home: string): Promise<Runner> {
  const paths = new LakePaths(config, home);
  const out = await mkdtemp(path.join(home, 'direct-'));
  const db = await DuckDBInstance.create(':memory:', { threads: String(config.local.threads ?? os.availableParallelism()), memory_limit: config.local.memoryLimit });
  const conn = await db.connect();
  await conn.run('SET partitioned_write_max_open_files = 512');
  registerHiveHashFunctions(conn);
  const write = (selectSql: string, slice: string, count: number, outDir: string) => sliceCopySql({ selectSql, slice, count, outDir, fileName: String }, outDir);
  return {
    async table(table, steps) {
      const sources = (await listDataFiles(paths.sourcePartition(table, SNAPSHOT))).map((f) => f.path);
      const dir = path.join(out, table.name);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      let t = performance.now();
      await conn.run(write(`SELECT * FROM ${readParquetSql(sources)}`, duckHashSlice(KEY, 1), 1, path.join(dir, 'staged')));
      steps.split += elapsed(t);
      t = performance.now();
      const staged = await partitionFiles(path.join(dir, 'staged'));
      await conn.run(write(`SELECT * FROM ${readParquetSql(staged)}`, hiveBucketSql(KEY, 'string', BUCKETS), BUCKETS, path.join(dir, 'bucketed')));
      steps.bucket += elapsed(t);
      t = performance.now();
      const files = await partitionFiles(path.join(dir, 'bucketed'));
      const fileBuckets = files.map((f) => [f, Number(/=(\d+)\//.exec(f)?.[1])] as const);
      await conn.run(`SELECT count(*) FROM ${readParquetSql(staged)}`);
      await conn.run(bucketLayoutSql(fileBuckets, KEY, 'string', BUCKETS));
      await conn.run(rowsPerFileSql(files));
      steps.validate += elapsed(t);
    },
    async close() {
      conn.closeSync();
      db.closeSync();
      await rm(out, { recursive: true, force: true });
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round3 = (n: number) => Number(n.toFixed(3));
const medianSteps = (runs: Steps[]): Steps => ({
  split: round3(median(runs.map((r) => r.split))),
  bucket: round3(median(runs.map((r) => r.bucket))),
  validate: round3(median(runs.map((r) => r.validate))),
  total: round3(median(runs.map((r) => r.total))),
});

export async function benchEngineRatio(options: { tables?: number; rows?: number; rounds?: number } = {}): Promise<EngineRatioResult> {
  const n = options.tables ?? 4;
  const rows = options.rows ?? 500_000;
  const rounds = options.rounds ?? 3;
  const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-bench-ratio-'));
  try {
    const names = Array.from({ length: n }, (_, i) => `IBE_${String(i + 1).padStart(2, '0')}`);
    const base = loadConfig(path.join(PROJECT_ROOT, 'config', 'local.yaml'), {});
    const config = parseConfig(
      { ...base, tables: { mode: 'list', infobase: names, addressable: false }, maintenance: { ...base.maintenance, tables: [] } },
      'bench config',
      {},
    );
    await seedLake({ config, home, rows, snapshots: [SNAPSHOT], tables: names });
    const tables = names.map((name) => ({ name, kind: 'infobase' as const }));
    const engineRuns: Steps[] = [];
    const directRuns: Steps[] = [];
    for (let round = 0; round < rounds; round++) {
      const [engine, direct] = [await engineRunner(config, home, round), await directRunner(config, home)];
      const [e, d] = [noSteps(), noSteps()];
      try {
        // Table by table, the order swapped every time: load from other processes hits both alike.
        for (const [index, table] of tables.entries()) {
          const pair = [() => engine.table(table, e), () => direct.table(table, d)];
          for (const run of (round + index) % 2 === 0 ? pair : pair.reverse()) await run();
        }
      } finally {
        await engine.close();
        await direct.close();
      }
      for (const steps of [e, d]) steps.total = steps.split + steps.bucket + steps.validate;
      engineRuns.push(e);
      directRuns.push(d);
    }
    const engine = medianSteps(engineRuns);
    const direct = medianSteps(directRuns);
    return {
      tables: n,
      rowsPerTable: rows,
      rounds,
      engine,
      direct,
      ratio: Number((engine.total / direct.total).toFixed(2)),
      engineTotals: engineRuns.map((r) => round3(r.total)),
      directTotals: directRuns.map((r) => round3(r.total)),
      roundRatios: engineRuns.map((r, i) => Number((r.total / directRuns[i]!.total).toFixed(2))),
      load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
    };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export function formatEngineRatio(r: EngineRatioResult): string {
  const steps = (s: Steps) => `split ${s.split}s · bucket ${s.bucket}s · validate ${s.validate}s = ${s.total}s`;
  return (
    `  engine ratio (${r.tables} tables × ${r.rowsPerTable.toLocaleString('en-US')} rows, 256 buckets, median of ${r.rounds} rounds, alternated per table, load ${r.load}):\n` +
    `    local engine  ${steps(r.engine)}   rounds ${r.engineTotals.join(' / ')}\n` +
    `    direct DuckDB ${steps(r.direct)}   rounds ${r.directTotals.join(' / ')}\n` +
    `    ratio ${r.ratio}× (target ≤ ${TARGET_ENGINE_OVER_DIRECT}×; per round ${r.roundRatios.join(' / ')})`
  );
}

export function engineRatioOptions(env: NodeJS.ProcessEnv = process.env): { tables: number; rows: number; rounds: number } {
  const int = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : d);
  return { tables: int(env.BENCH_ENGINE_TABLES, 4), rows: int(env.BENCH_ENGINE_ROWS, 500_000), rounds: int(env.BENCH_ENGINE_ROUNDS, 3) };
}

if (process.argv[1]?.endsWith('engineRatio.ts')) {
  const result = await benchEngineRatio(engineRatioOptions());
  console.log(formatEngineRatio(result));
  console.log(JSON.stringify(result));
}
