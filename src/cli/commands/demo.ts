import { existsSync } from 'node:fs';
import path from 'node:path';
import { LakePaths } from '../../backends/local/paths.js';
import { LocalLakeInventory } from '../../backends/local/inventory.js';
import { discoverSnapshot, expectedTables } from '../../activities/discoverSnapshot.js';
import { filterTables } from '../../domain/tables.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { FlywheelConfig } from '../../config/schema.js';
import { badInput } from '../errors.js';
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
}

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

/**
 * `flywheel demo`: seeds the sample lake, starts its own Temporal dev server and a worker in this process, runs
 * the monthly refresh with progress, prints the summary, and stops everything it started. Every argument is
 * checked before anything starts.
 */
export async function demoCommand(options: DemoOptions): Promise<number> {
  const request = parseRunArgs(options);
  const rows = options.rows === undefined ? undefined : parsePositiveInt('--rows', options.rows);
  const ctx = loadContext(options);
  if (ctx.config.backend !== 'local') throw badInput(`the demo runs on the local backend; ${ctx.config.environment} uses ${ctx.config.backend}`);

  await checkAgainstLake(ctx.config, ctx.home, request, 'before-seed');

  const lake = path.join(ctx.home, ctx.config.local.lakeRoot, ctx.config.layout.sourceBucket);
  if (options.reseed || rows !== undefined || !existsSync(lake)) {
    const { seedLake } = await import('../../backends/local/seed.js');
    const seeded = await seedLake({ config: ctx.config, home: ctx.home, rows });
    say(
      `seeded snapshots ${seeded.snapshots.join(', ')}: ${seeded.partitions.length} partitions, ` +
        `${seeded.totalRows.toLocaleString('en-US')} rows in ${(seeded.durationMs / 1000).toFixed(1)}s → ${seeded.lakeRoot}`,
    );
  } else {
    say(`using the sample lake at ${lake} (--reseed to rewrite it)`);
  }
  await checkAgainstLake(ctx.config, ctx.home, request, 'seeded');

  // Loaded only now: a bad argument above fails fast, without the worker, the Temporal core or DuckDB.
  const [{ createFlywheelWorker }, { prebuiltWorkflowBundle }, { installRuntime }, { startMemoryLog }, { startHeapTrim }] = await Promise.all([
    import('../../workers/createWorker.js'),
    import('../../workers/workflowBundle.js'),
    import('../../workers/runtime.js'),
    import('../../workers/memoryLog.js'),
    import('../../workers/heapTrim.js'),
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
  try {
    const { exitCode, report } = await worker.worker.runUntil(executeRefresh(client, { ...ctx, config }, request, { uiBase }));
    const { catalogDatabasePath } = await import('../../backends/local/index.js');
    if (report) say(demoNextSteps(config, ctx.home, catalogDatabasePath(config, ctx.home), report));
    if (server && options.keepServer) {
      say(`\nThe Web UI stays up at ${uiBase} — Ctrl-C to stop.`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
    } else if (server?.dbFile) {
      say(`(the dev server has stopped; \`npx flywheel server\` brings the UI back with this run in it)`);
    }
    return exitCode;
  } finally {
    await worker.close();
    await client.connection.close();
    await connection.close();
    await server?.stop();
    memoryLog.stop();
    heapTrim.stop();
  }
}
