import { existsSync } from 'node:fs';
import path from 'node:path';
import { seedLake } from '../../backends/local/index.js';
import { isServerReachable, startDevServer, type DevServer } from '../../temporal/devServer.js';
import { createFlywheelWorker } from '../../workers/createWorker.js';
import { prebuiltWorkflowBundle } from '../../workers/workflowBundle.js';
import { FLYWHEEL_SEARCH_ATTRIBUTES } from '../../workflows/searchAttributes.js';
import { badInput } from '../errors.js';
import { executeRefresh } from '../executeRefresh.js';
import { loadContext, parsePositiveInt, parseRunArgs, type CommonOptions } from '../options.js';
import { connectForCli, connectWorkerForCli } from '../temporalConnection.js';
import { installRuntime } from '../../workers/runtime.js';
import { devServerDbFile } from './server.js';

export interface DemoOptions extends CommonOptions {
  rows?: string;
  reseed?: boolean;
  snapshot?: string;
  tables?: string;
  keepServer?: boolean;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/** Uses a reachable server (TEMPORAL_ADDRESS or one already on 7233), else starts the dev server. */
async function obtainServer(address: string, home: string, namespace: string): Promise<{ address: string; uiBase: string; server?: DevServer }> {
  if (process.env.TEMPORAL_ADDRESS || (await isServerReachable(address))) {
    say(`using the Temporal server at ${address}`);
    return { address, uiBase: 'http://localhost:8233' };
  }
  say('starting the Temporal dev server…');
  const server = await startDevServer({
    port: 7233,
    uiPort: 8233,
    dbFile: devServerDbFile(home),
    namespace,
    searchAttributes: { ...FLYWHEEL_SEARCH_ATTRIBUTES },
  });
  say(`Temporal dev server on ${server.address}, Web UI ${server.uiUrl} (state: ${server.dbFile})`);
  return { address: server.address, uiBase: server.uiUrl ?? 'http://localhost:8233', server };
}

/**
 * `flywheel demo`: seeds the sample lake, starts Temporal and a worker in this process, runs the
 * monthly refresh with live progress, prints the summary, and stops everything it started.
 */
export async function demoCommand(options: DemoOptions): Promise<number> {
  const request = parseRunArgs(options);
  const ctx = loadContext(options);
  if (ctx.config.backend !== 'local') throw badInput(`the demo runs on the local backend; ${ctx.config.environment} uses ${ctx.config.backend}`);
  installRuntime(ctx.config.observability, 'WARN'); // progress owns the terminal

  const rows = options.rows === undefined ? undefined : parsePositiveInt('--rows', options.rows);
  const lake = path.join(ctx.home, ctx.config.local.lakeRoot, ctx.config.layout.sourceBucket);
  if (options.reseed || rows !== undefined || !existsSync(lake)) {
    const seeded = await seedLake({ config: ctx.config, home: ctx.home, rows });
    say(`seeded ${seeded.partitions.length} partitions, ${seeded.totalRows.toLocaleString('en-US')} rows in ${(seeded.durationMs / 1000).toFixed(1)}s → ${seeded.lakeRoot}`);
  } else {
    say(`using the sample lake at ${lake} (--reseed to rewrite it)`);
  }

  const { address, uiBase, server } = await obtainServer(ctx.config.temporal.address, ctx.home, ctx.config.temporal.namespace);
  const config = { ...ctx.config, temporal: { ...ctx.config.temporal, address } };
  const connection = await connectWorkerForCli(config);
  const client = await connectForCli(config);
  const worker = await createFlywheelWorker({ config, home: ctx.home, connection, workflowBundle: await prebuiltWorkflowBundle(ctx.home) });
  try {
    const { exitCode } = await worker.worker.runUntil(executeRefresh(client, { ...ctx, config }, request, { uiBase }));
    if (server && options.keepServer) {
      say(`\nThe Web UI stays up at ${uiBase} — Ctrl-C to stop.`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
    } else if (server) {
      say(`(the dev server has stopped; \`npx flywheel server\` brings the UI back with this run in it)`);
    }
    return exitCode;
  } finally {
    await worker.close();
    await client.connection.close();
    await connection.close();
    await server?.stop();
  }
}
