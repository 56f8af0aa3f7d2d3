import { existsSync } from 'node:fs';
import path from 'node:path';
import { LakePaths } from '../../backends/local/paths.js';
import { LocalLakeInventory } from '../../backends/local/inventory.js';
import { discoverSnapshot, expectedTables } from '../../activities/discoverSnapshot.js';
import { filterTables } from '../../domain/tables.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { FlywheelConfig } from '../../config/schema.js';
import { isParked } from '../../workflows/refreshTracker.js';
import { badInput, EXIT_OK } from '../errors.js';
import { executeRefresh } from '../executeRefresh.js';
import { obtainDemoServer } from '../demoServer.js';
import { loadContext, parsePositiveInt, parseRunArgs, type CommonOptions, type RunArgs } from '../options.js';
import { connectForCli, connectWorkerForCli } from '../temporalConnection.js';
import { demoNextSteps } from '../summary.js';

export interface DemoOptions extends CommonOptions {
  rows?: string;
  reseed?: boolean;
  snapshot?: string;
  tables?: string;
  keepServer?: boolean;
  temporalAddress?: string;
  scenario?: string;
}

/** `refresh`: the monthly refresh of the sample lake. `drift`: then a drifted month that stops at the quality gate. */
export const DEMO_SCENARIOS = ['refresh', 'drift'] as const;

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The checks discovery makes on the worker, made here before any server starts: the table filter against the
 * configured list before seeding (a typo fails at once), then the whole discovery against the seeded lake.
 */
async function checkAgainstLake(config: FlywheelConfig, home: string, request: RunArgs, stage: 'before-seed' | 'seeded'): Promise<void> {
  const paths = new LakePaths(config, path.resolve(home));
  const inventory = new LocalLakeInventory(paths);
  try {
    if (stage === 'before-seed') {
      if (config.tables.mode !== 'list' || !request.tables) return;
      const { unknown } = filterTables(await expectedTables(config, inventory), request.tables);
      if (unknown.length > 0) throw new InvalidInputError(`unknown table(s) in --tables: ${unknown.join(', ')} (known: ${(await expectedTables(config, inventory)).map((t) => t.name).join(', ')})`);
      return;
    }
    await discoverSnapshot(
      config,
      { inventory, describeLocation: (kind, table, dt) => paths.describe(kind, table, dt) },
      { environment: config.environment, ...request },
    );
  } catch (error) {
    if (error instanceof InvalidInputError) throw badInput(error.message);
    throw error;
  }
}

/** Seeds the drifted month after the seeded ones (gate15core's seeder): what the demo's second refresh processes. */
async function seedDrift(config: FlywheelConfig, home: string, rows: number | undefined) {
  const { seedDriftedSnapshot, DEFAULT_DRIFT_SNAPSHOT } = await import('../../backends/local/index.js');
  const { DEFAULT_SEED_SNAPSHOTS } = await import('../../backends/local/seed.js');
  const seeded = await seedDriftedSnapshot({ config, home, snapshotDt: DEFAULT_DRIFT_SNAPSHOT, ...(rows === undefined ? {} : { rows }) });
  return {
    snapshotDt: seeded.snapshotDt,
    baseSnapshotDt: DEFAULT_SEED_SNAPSHOTS.at(-1)!,
    lines: seeded.tables.filter((t) => t.drift !== 'none').map((t) => `  ${t.table}: ${t.detail}`),
  };
}

/** After the drifted month parked: how to approve it, from this terminal or another. */
function parkedNextSteps(server: 'kept' | 'persisted' | 'in-memory' | 'external'): string {
  const lines = ['', 'The drifted month waits at the quality gate (the commands above approve or reprocess it).'];
  if (server === 'kept') lines.push('  Approve from another terminal while this one runs the worker; watch the run continue in the Web UI.');
  if (server === 'persisted') lines.push('  To approve it later: `npx flywheel server` (brings the server back), `npx flywheel worker` (in another terminal), then the approve command.');
  if (server === 'external') lines.push('  Start a worker (`npx flywheel worker`) against that server, then the approve command.');
  if (server === 'in-memory') lines.push('  This demo server kept its state in memory (port 7233 was taken): it is gone once the demo ends.');
  if (server !== 'kept') lines.push('  Or run the demo with --keep-server: the server and the worker stay up while you approve.');
  return lines.join('\n');
}

/**
 * `flywheel demo`: seeds the sample lake, starts its own Temporal dev server and a worker in this process, runs
 * the monthly refresh with progress, prints the summary, and stops everything it started. Every argument is
 * checked before anything starts.
 */
export async function demoCommand(options: DemoOptions): Promise<number> {
  const request = parseRunArgs(options);
  const rows = options.rows === undefined ? undefined : parsePositiveInt('--rows', options.rows);
  const scenario = options.scenario ?? 'refresh';
  if (!(DEMO_SCENARIOS as readonly string[]).includes(scenario)) {
    throw badInput(`--scenario must be one of ${DEMO_SCENARIOS.join(', ')}, got ${JSON.stringify(scenario)}`);
  }
  const drift = scenario === 'drift';
  if (drift && request.snapshotDt) throw badInput('--scenario drift refreshes the seeded months itself: leave out --snapshot');
  const ctx = loadContext(options);
  if (ctx.config.backend !== 'local') throw badInput(`the demo runs on the local backend; ${ctx.config.environment} uses ${ctx.config.backend}`);

  await checkAgainstLake(ctx.config, ctx.home, request, 'before-seed');

  const lake = path.join(ctx.home, ctx.config.local.lakeRoot, ctx.config.layout.sourceBucket);
  // The drift compares row counts with last month: both months are seeded together, with the same rows.
  if (drift || options.reseed || rows !== undefined || !existsSync(lake)) {
    const { seedLake } = await import('../../backends/local/seed.js');
    const seeded = await seedLake({ config: ctx.config, home: ctx.home, rows });
    say(
      `seeded snapshots ${seeded.snapshots.join(', ')}: ${seeded.partitions.length} partitions, ` +
        `${seeded.totalRows.toLocaleString('en-US')} rows in ${(seeded.durationMs / 1000).toFixed(1)}s → ${seeded.lakeRoot}`,
    );
  } else {
    say(`using the sample lake at ${lake} (--reseed to rewrite it)`);
  }
  const driftRun = drift ? await seedDrift(ctx.config, ctx.home, rows) : undefined;
  await checkAgainstLake(ctx.config, ctx.home, driftRun ? { ...request, snapshotDt: driftRun.baseSnapshotDt } : request, 'seeded');

  // Loaded only now: a bad argument above fails fast, without the worker, the Temporal core or DuckDB.
  const [{ createFlywheelWorker }, { prebuiltWorkflowBundle }, { installRuntime }, { startMemoryLog }, { startHeapTrim }] = await Promise.all([
    import('../../workers/createWorker.js'),
    import('../../workers/workflowBundle.js'),
    import('../../workers/runtime.js'),
    import('../../workers/memoryLog.js'),
    import('../../tools/heapTrim.js'),
  ]);
  const memoryLog = startMemoryLog(); // the demo's worker runs in this process
  const heapTrim = startHeapTrim();
  installRuntime(ctx.config.observability, 'WARN'); // progress owns the terminal
  const explicitAddress = options.temporalAddress ?? process.env.TEMPORAL_ADDRESS;
  const { address, uiBase, server } = await obtainDemoServer({
    ...(explicitAddress ? { explicitAddress } : {}),
    home: ctx.home,
    namespace: ctx.config.temporal.namespace,
  });
  const config = { ...ctx.config, temporal: { ...ctx.config.temporal, address } };
  const connection = await connectWorkerForCli(config);
  const client = await connectForCli(config);
  const worker = await createFlywheelWorker({ config, home: ctx.home, connection, workflowBundle: await prebuiltWorkflowBundle(ctx.home) });
  const runCtx = { ...ctx, config };
  try {
    return await worker.worker.runUntil(async () => {
      // With --json, stdout carries one document: the drift scenario's is the parked run's status.
      const firstCtx = driftRun ? { ...runCtx, json: false } : runCtx;
      let outcome = await executeRefresh(client, firstCtx, driftRun ? { ...request, snapshotDt: driftRun.baseSnapshotDt } : request, { uiBase });
      if (driftRun && outcome.exitCode === EXIT_OK) {
        say(`\nNext month's delivery drifted (${driftRun.snapshotDt}):\n${driftRun.lines.join('\n')}`);
        outcome = await executeRefresh(client, runCtx, { ...request, snapshotDt: driftRun.snapshotDt }, { uiBase, stopWhen: (s) => isParked(s.state) });
      }
      const { catalogDatabasePath } = await import('../../backends/local/index.js');
      if (outcome.report) say(demoNextSteps(config, ctx.home, catalogDatabasePath(config, ctx.home), outcome.report));
      if (outcome.stoppedAt) {
        say(parkedNextSteps(!server ? 'external' : options.keepServer ? 'kept' : server.dbFile ? 'persisted' : 'in-memory'));
      }
      if (server && options.keepServer) {
        say(`\nThe Web UI stays up at ${uiBase}${outcome.stoppedAt ? ' and this process runs the worker' : ''} — Ctrl-C to stop.`);
        await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      } else if (server?.dbFile) {
        say(`(the dev server has stopped; \`npx flywheel server\` brings the UI back with this run in it)`);
      }
      return outcome.exitCode;
    });
  } finally {
    await worker.close();
    await client.connection.close();
    await connection.close();
    await server?.stop();
    memoryLog.stop();
    heapTrim.stop();
  }
}
