/**
 * The many-table scenario of `npm run bench` (issue 13): a generated lake of N small infobase tables,
 * `tables.mode: discover`, a real dev server and a real `flywheel worker` process, then
 *   - wall time of the refresh, and the same data work done directly in DuckDB (the ratio);
 *   - events and bytes of the largest workflow history (every run: continue-as-new runs and children);
 *   - the largest single payload in any history; worker peak RSS; server warnings about limits.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DuckDBInstance } from '@duckdb/node-api';
import { LakePaths, seedLake } from '../../src/backends/local/index.js';
import { duckHashSlice, sliceCopySql } from '../../src/backends/local/hashSlices.js';
import { readParquetSql } from '../../src/backends/local/duck.js';
import { PROJECT_ROOT } from '../../src/config/home.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import { quoteLiteral } from '../../src/domain/identifiers.js';
import type { RunReport } from '../../src/domain/report.js';
import { refreshWorkflowId } from '../../src/domain/workflowIds.js';
import { startDevServer } from '../../src/temporal/devServer.js';
import { FLYWHEEL_SEARCH_ATTRIBUTES } from '../../src/workflows/searchAttributes.js';
import { historiesOf, type HistoryStats } from './historyStats.js';
import { samplePeakRss } from './processTree.js';

const SNAPSHOT = '2026-10-01';

export interface ManyTablesResult {
  tables: number;
  rowsPerTable: number;
  bucketCount: number;
  seedSeconds: number;
  wallSeconds: number;
  directDuckDbSeconds: number;
  ratio: number;
  status: string;
  workflowRuns: number;
  largestHistory: Pick<HistoryStats, 'workflowId' | 'events' | 'bytes'>;
  mostEvents: Pick<HistoryStats, 'workflowId' | 'events'>;
  largestPayload: { bytes: number; workflowId: string; at: string };
  workerPeakRssMb: number;
  /** Largest V8 heapUsed in the worker's memory log (main isolate). */
  workerPeakHeapMb: number;
  serverWarnings: string[];
}

function benchConfig(n: number, address: string, bucketCount: number): FlywheelConfig {
  const base = loadConfig(path.join(PROJECT_ROOT, 'config', 'local.yaml'), {});
  return parseConfig(
    {
      ...base,
      environment: 'bench',
      temporal: { ...base.temporal, address, taskQueue: `flywheel-bench-${n}` },
      tables: { mode: 'discover', infobase: [], exclude: [], addressable: true },
      bucketing: { ...base.bucketing, count: bucketCount },
      reprocess: { waitHours: 0 },
      maintenance: { ...base.maintenance, tables: [] },
      observability: { ...base.observability, logLevel: 'WARN' },
    },
    'bench config',
    {},
  );
}

/** The same data work without Temporal or Flywheel: per table, source → one staged file → N hash-sliced files. */
async function directDuckDb(config: FlywheelConfig, home: string, names: string[]): Promise<number> {
  const paths = new LakePaths(config, home);
  const out = path.join(home, 'direct');
  const db = await DuckDBInstance.create(':memory:', { threads: String(config.local.threads ?? 2), memory_limit: config.local.memoryLimit });
  const conn = await db.connect();
  await conn.run(`SET partitioned_write_max_open_files = 1024`);
  const started = Date.now();
  try {
    for (const name of names) {
      const table = name === 'addressable_ids' ? ({ name, kind: 'addressable' } as const) : ({ name, kind: 'infobase' } as const);
      const source = paths.sourcePartition(table, SNAPSHOT);
      const files = (await readdir(source)).filter((f) => f.endsWith('.parquet')).map((f) => path.join(source, f));
      const dir = path.join(out, name);
      await mkdir(dir, { recursive: true });
      const staged = path.join(dir, 'staged.parquet');
      await conn.run(`COPY (SELECT * FROM ${readParquetSql(files)}) TO ${quoteLiteral(staged)} (FORMAT parquet, COMPRESSION snappy)`);
      const bucketed = path.join(dir, 'bucketed');
      await conn.run(
        sliceCopySql(
          {
            selectSql: `SELECT * FROM ${readParquetSql([staged])}`,
            // DuckDB's own hash(): the baseline is plain DuckDB (the engine's exact Hive v1 hash costs a little more).
            slice: duckHashSlice(config.bucketing.column, config.bucketing.count),
            count: config.bucketing.count,
            outDir: bucketed,
            fileName: String,
          },
          bucketed,
        ),
      );
    }
    return (Date.now() - started) / 1000;
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(out, { recursive: true, force: true });
  }
}

export async function benchManyTables(n: number, options: { rowsPerTable?: number; bucketCount?: number } = {}): Promise<ManyTablesResult> {
  const rowsPerTable = options.rowsPerTable ?? 200;
  const bucketCount = options.bucketCount ?? 16;
  const home = await mkdtemp(path.join(os.tmpdir(), `flywheel-bench-${n}-`));
  const warnings: string[] = [];
  const server = await startDevServer({
    headless: true,
    dbFile: path.join(home, 'temporal.sqlite'),
    searchAttributes: { ...FLYWHEEL_SEARCH_ATTRIBUTES },
    logLevel: 'warn',
    log: (line) => {
      if (/exceeds|limit/i.test(line) && /warn|error/i.test(line)) warnings.push(line.slice(0, 300));
    },
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    const config = benchConfig(n, server.address, bucketCount);
    const names = Array.from({ length: n }, (_, i) => `T${String(i + 1).padStart(5, '0')}`);
    const seeded = await seedLake({ config, home, rows: rowsPerTable, snapshots: [SNAPSHOT], tables: names, sourceFilesPerTable: 1 });
    const configFile = path.join(home, 'bench.yaml');
    await writeFile(configFile, JSON.stringify(config)); // JSON is YAML

    const worker = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'flywheel.js'), 'worker', '--config', configFile], {
      // The worker's own memory log (FLYWHEEL_MEMORY_LOG) says how much of its peak is V8 heap.
      env: { ...process.env, FLYWHEEL_HOME: home, TEMPORAL_ADDRESS: server.address, FLYWHEEL_MEMORY_LOG: process.env.FLYWHEEL_MEMORY_LOG || '2' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let workerLog = '';
    let peakHeapMb = 0;
    worker.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      for (const m of text.matchAll(/ memory pid=\d+ rss=[\d.]+MB heapUsed=([\d.]+)MB/g)) peakHeapMb = Math.max(peakHeapMb, Number(m[1]));
      if (process.env.BENCH_MEMORY_TRACE) process.stderr.write(text.split('\n').filter((l) => l.includes(' memory pid=')).map((l) => `${l}\n`).join(''));
      workerLog = (workerLog + text).slice(-4000);
    });
    const exited = new Promise<number>((resolve) => worker.on('exit', (code) => resolve(code ?? 1)));
    try {
      for (let i = 0; !workerLog.includes('polling'); i++) {
        if (i > 600 || worker.exitCode !== null) throw new Error(`worker did not start:\n${workerLog}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const rss = samplePeakRss(worker.pid!);
      const workflowId = refreshWorkflowId(config.environment, SNAPSHOT);
      const started = Date.now();
      const handle = await client.workflow.start('monthlyRefresh', {
        taskQueue: config.temporal.taskQueue!,
        workflowId,
        args: [{ environment: config.environment, snapshotDt: SNAPSHOT }],
      });
      const report = (await handle.result().catch((error: { cause?: { details?: unknown[] } }) => error.cause?.details?.[0])) as RunReport | undefined;
      const wallSeconds = (Date.now() - started) / 1000;
      const workerPeakRssMb = Math.round(rss.stop());
      const runs = await historiesOf(client, 'default', `FlywheelEnvironment = "${config.environment}"`);
      const byBytes = [...runs].sort((a, b) => b.bytes - a.bytes)[0]!;
      const byEvents = [...runs].sort((a, b) => b.events - a.events)[0]!;
      const byPayload = [...runs].sort((a, b) => b.largestPayloadBytes - a.largestPayloadBytes)[0]!;
      const directDuckDbSeconds = await directDuckDb(config, home, [...names, 'addressable_ids']);
      return {
        tables: n + 1,
        rowsPerTable,
        bucketCount,
        seedSeconds: seeded.durationMs / 1000,
        wallSeconds,
        directDuckDbSeconds,
        ratio: Number((wallSeconds / directDuckDbSeconds).toFixed(2)),
        status: report?.status ?? 'unknown',
        workflowRuns: runs.length,
        largestHistory: { workflowId: byBytes.workflowId, events: byBytes.events, bytes: byBytes.bytes },
        mostEvents: { workflowId: byEvents.workflowId, events: byEvents.events },
        largestPayload: { bytes: byPayload.largestPayloadBytes, workflowId: byPayload.workflowId, at: byPayload.largestPayloadAt },
        workerPeakRssMb,
        workerPeakHeapMb: Math.round(peakHeapMb),
        serverWarnings: warnings,
      };
    } finally {
      worker.kill('SIGTERM');
      await exited;
    }
  } finally {
    await connection.close();
    await server.stop();
    // BENCH_KEEP_HOME=1 keeps the lake, catalog and run manifests for a look afterwards.
    if (process.env.BENCH_KEEP_HOME) process.stderr.write(`many-tables: kept ${home}\n`);
    else await rm(home, { recursive: true, force: true });
  }
}

/** `BENCH_TABLES=100,1000,5000` (default 100,1000; 5000 is opt-in; `0` skips the scenario). */
export function manyTableCounts(env: NodeJS.ProcessEnv = process.env): number[] {
  return (env.BENCH_TABLES ?? '100,1000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

/** Issue 13's targets, checked for the 1,000-table run and above (a 5,000-table run must complete). */
export function manyTableChecks(r: ManyTablesResult): { target: string; ok: boolean; value: string }[] {
  const n = r.tables - 1;
  const checks = [{ target: `${n} tables: run completes`, ok: r.status === 'succeeded', value: r.status }];
  if (n !== 1000) return checks;
  return [
    ...checks,
    { target: `${n} tables: no server limit warning`, ok: r.serverWarnings.length === 0, value: `${r.serverWarnings.length} warning(s)` },
    { target: `${n} tables: every history < 10,240 events`, ok: r.mostEvents.events < 10_240, value: `${r.mostEvents.events} events` },
    { target: `${n} tables: every history < 10 MB`, ok: r.largestHistory.bytes < 10 * 1024 ** 2, value: `${(r.largestHistory.bytes / 1024 ** 2).toFixed(2)} MB` },
    { target: `${n} tables: every payload < 256 KB`, ok: r.largestPayload.bytes < 256 * 1024, value: `${(r.largestPayload.bytes / 1024).toFixed(0)} KB` },
    { target: `${n} tables: worker RSS ≤ 350 MB`, ok: r.workerPeakRssMb <= 350, value: `${r.workerPeakRssMb} MB` },
  ];
}

export function formatManyTables(r: ManyTablesResult): string {
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
  return (
    `  ${r.tables} tables × ${r.rowsPerTable} rows → ${r.bucketCount} buckets: ${r.status} in ${r.wallSeconds.toFixed(1)}s ` +
    `(direct DuckDB ${r.directDuckDbSeconds.toFixed(1)}s, ratio ${r.ratio}×) · ${r.workflowRuns} workflow runs · ` +
    `largest history ${r.largestHistory.events} events / ${kb(r.largestHistory.bytes)} · largest payload ${kb(r.largestPayload.bytes)} ` +
    `(${r.largestPayload.at.split('.')[0]}) · worker peak ${r.workerPeakRssMb} MB (heap ${r.workerPeakHeapMb} MB) · ${r.serverWarnings.length} server warning(s)`
  );
}

// Run alone: `node --import tsx scripts/lib/manyTables.ts 100`.
if (process.argv[1]?.endsWith('manyTables.ts')) {
  for (const n of process.argv.slice(2).map(Number)) console.log(JSON.stringify(await benchManyTables(n)));
}
