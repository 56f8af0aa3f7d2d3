import { startRefresh } from '../../client/refresh.js';
import { EXIT_OK } from '../errors.js';
import { executeRefresh, planOrExitCode } from '../executeRefresh.js';
import { loadContext, parseRunArgs, type CommonOptions } from '../options.js';
import { formatPlan } from '../planOutput.js';
import { connectForCli } from '../temporalConnection.js';

export interface RunOptions extends CommonOptions {
  snapshot?: string;
  tables?: string;
  follow?: boolean;
  dryRun?: boolean;
  detach?: boolean;
}

/**
 * `flywheel run`: starts the monthly refresh on a running worker and waits for it (live progress
 * with --follow or on a terminal). `--dry-run` prints the plan only; `--detach` returns once started.
 */
export async function runCommand(options: RunOptions): Promise<number> {
  const request = parseRunArgs(options);
  const ctx = loadContext(options);
  const client = await connectForCli(ctx.config);
  try {
    if (options.dryRun || options.detach) {
      const plan = await planOrExitCode(client, ctx, request);
      if (typeof plan === 'number') return plan;
      if (options.dryRun) {
        if (ctx.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        else process.stdout.write(`${formatPlan(plan, ctx.config)}\n`);
        return EXIT_OK;
      }
      const { handle, attached } = await startRefresh(client, ctx.config, { ...request, snapshotDt: plan.snapshotDt });
      const started = { workflowId: handle.workflowId, snapshotDt: plan.snapshotDt, attached };
      if (ctx.json) process.stdout.write(`${JSON.stringify(started, null, 2)}\n`);
      else process.stdout.write(`${attached ? 'already running' : 'started'}: ${handle.workflowId}\n`);
      return EXIT_OK;
    }
    const progress = options.follow === true || (options.follow !== false && process.stderr.isTTY === true);
    const { exitCode } = await executeRefresh(client, ctx, request, { progress });
    return exitCode;
  } finally {
    await client.connection.close();
  }
}
