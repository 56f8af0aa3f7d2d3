import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { CliError, EXIT_BAD_INPUT, EXIT_OK, noSuchRun } from './errors.js';
import type { CliContext } from './options.js';
import { connectForCli } from './temporalConnection.js';

/**
 * Sends a validated update (`reprocess`, `approve`) to a running refresh and prints what it accepted:
 * a request the run cannot take is refused by the workflow's validator and exits 2 with its reason,
 * as does a run that has already closed; a missing run is bad input too.
 */
export async function sendRefreshUpdate<Ret>(
  ctx: CliContext,
  workflowId: string,
  update: UpdateDefinition<Ret, [unknown]>,
  payload: unknown,
  describe: (accepted: Ret) => string,
): Promise<number> {
  const client = await connectForCli(ctx.config);
  try {
    const handle = client.workflow.getHandle(workflowId);
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') {
      throw new CliError(`${workflowId} refused the request: the run has already ${status.name.toLowerCase()}; start a new run instead`, EXIT_BAD_INPUT);
    }
    const accepted = await handle.executeUpdate(update, { args: [payload] });
    if (ctx.json) process.stdout.write(`${JSON.stringify({ workflowId, ...accepted }, null, 2)}\n`);
    else process.stdout.write(`${workflowId}: ${describe(accepted)}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw noSuchRun(workflowId, ctx.config.temporal.namespace);
    if (error instanceof WorkflowUpdateFailedError) {
      throw new CliError(`${workflowId} refused the request: ${error.cause?.message ?? error.message}`, EXIT_BAD_INPUT);
    }
    throw error;
  } finally {
    await client.connection.close();
  }
}
