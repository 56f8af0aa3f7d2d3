import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { explainFailure } from '../../client/failures.js';
import { refreshWorkflowId } from '../../domain/workflowIds.js';
import { statusQuery } from '../../workflows/definitions.js';
import type { RefreshStatus } from '../../workflows/refreshTracker.js';
import { badInput, EXIT_OK, EXIT_RUN_FAILED, noSuchRun } from '../errors.js';
import { loadContext, parseRunArgs, type CommonOptions } from '../options.js';
import { renderStatusReport } from '../progress.js';
import { connectForCli } from '../temporalConnection.js';

export interface StatusOptions extends CommonOptions {
  snapshot?: string;
  workflowId?: string;
}

/** Identifies the refresh: `--workflow-id`, or the environment's refresh of `--snapshot`. */
export function refreshHandleId(options: StatusOptions, environment: string): string {
  if (options.workflowId) return options.workflowId;
  const { snapshotDt } = parseRunArgs({ snapshot: options.snapshot });
  if (!snapshotDt) throw badInput('give --snapshot YYYY-MM-DD or --workflow-id');
  return refreshWorkflowId(environment, snapshotDt);
}

/** The `status` query; for a closed run with no worker to answer, what its result says. */
async function readStatus(handle: WorkflowHandle): Promise<{ status?: RefreshStatus; closed?: string; error?: string }> {
  try {
    return { status: await handle.query(statusQuery) };
  } catch (queryError) {
    const description = await handle.describe();
    if (description.status.name === 'RUNNING') throw queryError;
    const error = await handle.result().then(() => undefined, (e: unknown) => explainFailure(e).message);
    return { closed: description.status.name, error };
  }
}

/** `flywheel status --snapshot <dt>`: per-table stage, state, attempts and last error of a refresh. */
export async function statusCommand(options: StatusOptions): Promise<number> {
  const ctx = loadContext(options);
  const workflowId = refreshHandleId(options, ctx.config.environment);
  const client = await connectForCli(ctx.config);
  try {
    const handle = client.workflow.getHandle(workflowId);
    let answer;
    try {
      answer = await readStatus(handle);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw noSuchRun(workflowId, ctx.config.temporal.namespace);
      process.stderr.write(`flywheel: cannot read ${workflowId}: ${(error as Error).message}\n`);
      return EXIT_RUN_FAILED;
    }
    if (ctx.json) process.stdout.write(`${JSON.stringify(answer.status ?? { workflowId, state: answer.closed?.toLowerCase(), error: answer.error }, null, 2)}\n`);
    else if (answer.status) {
      process.stdout.write(`${renderStatusReport(answer.status).join('\n')}\n`);
    } else process.stdout.write(`${workflowId}: ${answer.closed}${answer.error ? ` — ${answer.error}` : ''} (no worker to answer the status query)\n`);
    return EXIT_OK;
  } finally {
    await client.connection.close();
  }
}
