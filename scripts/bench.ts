/**
 * `npm run bench` — the speed and memory targets, measured (never asserted in tests):
 *   1. the demo end to end from an empty FLYWHEEL_HOME (seed + dev server start + worker + run), with
 *      the worker process's peak RSS (the demo runs the worker in its own process);
 *   2. the local engine's split + bucket throughput on one large table, without Temporal;
 *   3. bucketing those rows into 256 files with the exact Hive v1 hash (what the CTAS does) against the
 *      same write with DuckDB's hash() (the engine before issue 14), alternated, best of 5 each.
 *   4. Delta OPTIMIZE (Z-order) + VACUUM of a 1M-row Delta table by jobs/delta_maintenance.py (local process).
 *   5. many small tables (scripts/lib/manyTables.ts): N = 100 and 1,000 (BENCH_TABLES=100,1000,5000 adds
 *      5,000; BENCH_TABLES=0 skips): wall time and the direct-DuckDB ratio, largest history and payload, RSS.
 *   6. engine ratio (scripts/lib/engineRatio.ts): split + bucket + validate of 4 tables × 500k rows by the
 *      local engine against the same SQL run directly in DuckDB, alternated; target ≤ 1.15×.
 * Prints a table and a JSON line; exits 1 when a target is missed.
 *   BENCH_ROWS=1000000 npm run bench   (rows for parts 2 and 4; default 1,000,000)
 *   npm run bench -- --only engine-ratio,many-tables   (parts: demo, engine, delta, many-tables, engine-ratio)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import os from 'node:os';
import path from 'node:path';
import { readParquetSql } from '../src/backends/local/duck.js';
import { listDataFiles } from '../src/backends/local/files.js';
import { duckHashSlice, writeHashSlices } from '../src/backends/local/hashSlices.js';
import { bucketColumnHiveType, hiveBucketSql, registerHiveHashFunctions } from '../src/backends/local/hiveBucketSql.js';
import { createLocalBackend, LakePaths, seedLake } from '../src/backends/local/index.js';
import { PROJECT_ROOT } from '../src/config/home.js';
import { loadConfig, parseConfig } from '../src/config/load.js';
import type { RunReport } from '../src/domain/report.js';
import { isPortFree } from '../src/temporal/devServer.js';
import { benchEngineRatio, engineRatioOptions, formatEngineRatio, TARGET_ENGINE_OVER_DIRECT, type EngineRatioResult } from './lib/engineRatio.js';
import { benchManyTables, formatManyTables, manyTableChecks, manyTableCounts, type ManyTablesResult } from './lib/manyTables.js';
import { samplePeakRss } from './lib/processTree.js';

const TARGET_DEMO_SECONDS = 60;
/** Issue 13: the demo worker peaks at most this (was 400 MB). */
const TARGET_WORKER_RSS_MB = 350;
/** Issue 14: the exact Hive v1 bucketing may cost at most 1.5× the DuckDB hash() version. */
const TARGET_HIVE_OVER_HASH = 1.5;

async function benchDemo(): Promise<{ wallSeconds: number; peakRssMb: number; report: RunReport; seedSeconds?: number }> {
  if (!(await isPortFree(7233)) || !(await isPortFree(8233))) {
    throw new Error('ports 7233/8233 are in use: stop the running Temporal server so the bench measures a cold demo start');
  }
  const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-bench-'));
  const started = Date.now();
  const child = spawn('node', [path.join(PROJECT_ROOT, 'bin', 'flywheel.js'), 'demo', '--json'], {
    env: { ...process.env, FLYWHEEL_HOME: home, TEMPORAL_ADDRESS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const sampler = samplePeakRss(child.pid!);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  const peakRssMb = sampler.stop();
  const wallSeconds = (Date.now() - started) / 1000;
  await rm(home, { recursive: true, force: true });
  if (code !== 0) throw new Error(`demo exited ${code}:\n${stderr.slice(-2000)}`);
  const seeded = /rows in ([\d.]+)s/.exec(stderr);
  return { wallSeconds, peakRssMb, report: JSON.parse(stdout) as RunReport, seedSeconds: seeded ? Number(seeded[1]) : undefined };
}

/**
 * The bucketing write alone, on the staged files: 256 files by DuckDB hash() vs by Hive v1, alternated
 * so that load from other processes hits both alike. Reports the best of `rounds` wall times (the least
 * disturbed run) and the process CPU seconds of that run (DuckDB threads + the JS hash).
 */
async function benchBucketing(stagedFiles: string[], threads: number, memoryLimit: string, rounds = 5) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flywheel-bench-buckets-'));
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads), memory_limit: memoryLimit });
  const conn = await db.connect();
  try {
    await conn.run('SET partitioned_write_max_open_files = 512');
    registerHiveHashFunctions(conn);
    const type = await bucketColumnHiveType(conn, stagedFiles, 'customer_user_id');
    const slices = { hash: duckHashSlice('customer_user_id', 256), hiveV1: hiveBucketSql('customer_user_id', type, 256) };
    const runs: Record<keyof typeof slices, { wall: number; cpu: number }[]> = { hash: [], hiveV1: [] };
    for (let round = 0; round < rounds; round++) {
      for (const kind of ['hash', 'hiveV1'] as const) {
        const outDir = path.join(dir, `${kind}-${round}`);
        const started = performance.now();
        const cpu = process.cpuUsage();
        await writeHashSlices(conn, { selectSql: `SELECT * FROM ${readParquetSql(stagedFiles)}`, slice: slices[kind], count: 256, outDir, fileName: (b) => `${b}.parquet` });
        const used = process.cpuUsage(cpu);
        runs[kind].push({ wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 });
        await rm(outDir, { recursive: true, force: true });
      }
    }
    const best = (xs: { wall: number; cpu: number }[]) => [...xs].sort((a, b) => a.wall - b.wall)[0]!;
    const round3 = (n: number) => Number(n.toFixed(3));
    const [hash, hiveV1] = [best(runs.hash), best(runs.hiveV1)];
    return { hashSeconds: round3(hash.wall), hiveV1Seconds: round3(hiveV1.wall), hashCpuSeconds: round3(hash.cpu), hiveV1CpuSeconds: round3(hiveV1.cpu), rounds };
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Split + bucket of one big table straight through the local backend (no Temporal). */
async function benchEngine(rows: number) {
  const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-bench-engine-'));
  try {
    const base = loadConfig(path.join(PROJECT_ROOT, 'config', 'local.yaml'), {});
    const config = parseConfig(
      { ...base, tables: { mode: 'list', infobase: ['IBE_01'], addressable: false }, maintenance: { ...base.maintenance, tables: [] } },
      'bench config',
      {},
    );
    await seedLake({ config, home, rows, snapshots: ['2026-10-01'] });
    const backend = await createLocalBackend(config, home);
    try {
      const table = { name: 'IBE_01', kind: 'infobase' as const };
      const t0 = Date.now();
      const { runId } = await backend.jobs.startJobRun({
        jobKey: 'infobaseSplitAndBucket',
        jobName: config.jobs.infobaseSplitAndBucket,
        runTag: 'bench',
        arguments: { '--SNAPSHOT_DT': '2026-10-01', '--TABLES_FILTER': 'IBE_01', '--FILE_COUNTS': '{"IBE_01":4}' },
      });
      let state = 'STARTING';
      while (!['SUCCEEDED', 'FAILED', 'STOPPED'].includes(state)) {
        await new Promise((r) => setTimeout(r, 20));
        state = (await backend.jobs.getJobRun(config.jobs.infobaseSplitAndBucket, runId)).state;
      }
      if (state !== 'SUCCEEDED') throw new Error(`split job ended ${state}`);
      const t1 = Date.now();
      await backend.catalog.registerStagedTable({ table, snapshotDt: '2026-10-01' });
      const t2 = Date.now();
      const ctx = { heartbeat: () => {}, signal: new AbortController().signal };
      await backend.bucketed.createBucketedTable(
        { table, snapshotDt: '2026-10-01', bucketColumn: 'customer_user_id', bucketCount: 256, requestToken: 'bench' },
        ctx,
      );
      const t3 = Date.now();
      const staged = (await listDataFiles(new LakePaths(config, home).stagedPartition(table, '2026-10-01'))).map((f) => f.path);
      const bucketing = await benchBucketing(staged, config.local.threads ?? os.availableParallelism(), config.local.memoryLimit);
      return { rows, splitSeconds: (t1 - t0) / 1000, bucketSeconds: (t3 - t2) / 1000, bucketing };
    } finally {
      await backend.close();
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** OPTIMIZE ZORDER BY + VACUUM of one Delta table of `rows` rows written as 50 small appends (local job process). */
async function benchDeltaOptimize(rows: number) {
  const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-bench-delta-'));
  try {
    const base = loadConfig(path.join(PROJECT_ROOT, 'config', 'local.yaml'), {});
    const table = { ...base.maintenance.tables[0]!, where: undefined };
    const config = parseConfig({ ...base, maintenance: { ...base.maintenance, tables: [table] } }, 'bench config', {});
    const t0 = Date.now();
    await seedLake({ config, home, rows, snapshots: ['2026-10-01'], tables: [], deltaAppends: 50 });
    const seedSeconds = (Date.now() - t0) / 1000;
    const backend = await createLocalBackend(config, home);
    try {
      const ctx = { heartbeat: () => {}, signal: new AbortController().signal };
      const t1 = Date.now();
      const result = await backend.maintenance!.maintainTable({ target: table, retainHours: 168, asOf: new Date().toISOString(), runTag: 'bench' }, ctx);
      return { rows, seedSeconds, jobSeconds: (Date.now() - t1) / 1000, ...result };
    } finally {
      await backend.close();
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

const PARTS = ['demo', 'engine', 'delta', 'many-tables', 'engine-ratio'] as const;
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? '').split(',') : [...PARTS];
const unknown = only.filter((p) => !(PARTS as readonly string[]).includes(p));
if (unknown.length > 0) {
  console.error(`bench: unknown part(s) ${unknown.join(', ')}; parts: ${PARTS.join(', ')}`);
  process.exit(2);
}
const runs = (part: (typeof PARTS)[number]) => only.includes(part);

type Check = { target: string; ok: boolean; value: string };
const checks: Check[] = [];
const results: Record<string, unknown> = {};
console.log('\nFlywheel bench (2-core target machine)');
const load = () => `load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;

if (runs('demo')) {
  const demo = await benchDemo();
  const rows = demo.report.tables.reduce((sum, t) => sum + (t.rowsBucketed ?? 0), 0);
  const stage = (name: string) => (demo.report.stages.find((s) => s.stage === name)?.durationMs ?? 0) / 1000;
  const r = {
    demoWallSeconds: Number(demo.wallSeconds.toFixed(1)),
    demoSeedSeconds: demo.seedSeconds,
    workflowSeconds: demo.report.durationMs / 1000,
    stages: Object.fromEntries(demo.report.stages.map((s) => [s.stage, (s.durationMs ?? 0) / 1000])),
    tables: demo.report.tables.length,
    rowsBucketed: rows,
    demoSplitPlusBucketRowsPerSecond: Math.round(rows / Math.max(0.001, stage('split') + stage('bucket'))),
    workerPeakRssMb: Math.round(demo.peakRssMb),
  };
  Object.assign(results, r);
  console.log(`  demo (${load()}): ${r.tables} tables, ${rows.toLocaleString('en-US')} rows, workflow ${r.workflowSeconds}s, wall ${r.demoWallSeconds}s (seed ${r.demoSeedSeconds ?? '?'}s), worker peak ${r.workerPeakRssMb} MB`);
  console.log(`  stages: ${Object.entries(r.stages).map(([k, v]) => `${k} ${v}s`).join(' · ')}`);
  checks.push(
    { target: `demo end to end ≤ ${TARGET_DEMO_SECONDS}s`, ok: r.demoWallSeconds <= TARGET_DEMO_SECONDS, value: `${r.demoWallSeconds}s` },
    { target: `worker RSS ≤ ${TARGET_WORKER_RSS_MB} MB`, ok: r.workerPeakRssMb <= TARGET_WORKER_RSS_MB, value: `${r.workerPeakRssMb} MB` },
  );
}

if (runs('engine')) {
  const engine = await benchEngine(Number(process.env.BENCH_ROWS ?? 1_000_000));
  const r = {
    rows: engine.rows,
    splitSeconds: engine.splitSeconds,
    bucketSeconds: engine.bucketSeconds,
    splitRowsPerSecond: Math.round(engine.rows / engine.splitSeconds),
    bucketRowsPerSecond: Math.round(engine.rows / engine.bucketSeconds),
    /** The write into 256 files alone: DuckDB hash() (before issue 14) vs exact Hive v1 (now). */
    bucketWriteHashSeconds: engine.bucketing.hashSeconds,
    bucketWriteHiveV1Seconds: engine.bucketing.hiveV1Seconds,
    bucketWriteHashCpuSeconds: engine.bucketing.hashCpuSeconds,
    bucketWriteHiveV1CpuSeconds: engine.bucketing.hiveV1CpuSeconds,
    hiveV1OverHash: Number((engine.bucketing.hiveV1Seconds / engine.bucketing.hashSeconds).toFixed(2)),
  };
  results.engine = r;
  console.log(`  engine (${engine.rows.toLocaleString('en-US')} rows, ${load()}): split ${engine.splitSeconds}s (${r.splitRowsPerSecond.toLocaleString('en-US')} rows/s), bucket into 256 files ${engine.bucketSeconds}s (${r.bucketRowsPerSecond.toLocaleString('en-US')} rows/s)`);
  console.log(
    `  bucketing ${engine.rows.toLocaleString('en-US')} rows into 256 files (best of ${engine.bucketing.rounds} alternated): ` +
      `DuckDB hash() ${engine.bucketing.hashSeconds}s (CPU ${engine.bucketing.hashCpuSeconds}s) · ` +
      `exact Hive v1 ${engine.bucketing.hiveV1Seconds}s (CPU ${engine.bucketing.hiveV1CpuSeconds}s) → ${r.hiveV1OverHash}×`,
  );
  checks.push({ target: `Hive v1 bucketing ≤ ${TARGET_HIVE_OVER_HASH}× DuckDB hash()`, ok: r.hiveV1OverHash <= TARGET_HIVE_OVER_HASH, value: `${r.hiveV1OverHash}×` });
}

if (runs('delta')) {
  const delta = await benchDeltaOptimize(Number(process.env.BENCH_ROWS ?? 1_000_000));
  results.deltaOptimize = {
    rows: delta.rows,
    filesBefore: delta.filesBefore,
    filesAfter: delta.filesAfter,
    optimizeSeconds: delta.optimizeMs / 1000,
    vacuumSeconds: delta.vacuumMs / 1000,
    jobSeconds: delta.jobSeconds,
  };
  console.log(
    `  Delta OPTIMIZE ZORDER BY customer_user_id (${delta.rows.toLocaleString('en-US')} rows, ${load()}): ${delta.filesBefore} → ${delta.filesAfter} files in ` +
      `${delta.optimizeMs / 1000}s, VACUUM ${delta.vacuumMs / 1000}s, job process end to end ${delta.jobSeconds}s`,
  );
}

if (runs('engine-ratio')) {
  const ratio: EngineRatioResult = await benchEngineRatio(engineRatioOptions());
  results.engineRatio = ratio;
  console.log(formatEngineRatio(ratio));
  checks.push({ target: `local engine ≤ ${TARGET_ENGINE_OVER_DIRECT}× direct DuckDB`, ok: ratio.ratio <= TARGET_ENGINE_OVER_DIRECT, value: `${ratio.ratio}×` });
}

if (runs('many-tables')) {
  const manyTables: ManyTablesResult[] = [];
  for (const n of manyTableCounts()) {
    const m = await benchManyTables(n);
    manyTables.push(m);
    console.log(`${formatManyTables(m)} (${load()})`);
  }
  results.manyTables = manyTables;
  checks.push(...manyTables.flatMap(manyTableChecks));
}

for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'} ${c.target}: ${c.value}`);
console.log(JSON.stringify(results));
process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
