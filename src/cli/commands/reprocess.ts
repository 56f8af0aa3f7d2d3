import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { reprocessUpdate } from '../../workflows/definitions.js';
import { REPROCESS_STAGES } from '../../workflows/reprocessRequests.js';
import { badInput, CliError, EXIT_BAD_INPUT, EXIT_OK, noSuchRun } from '../errors.js';
import { loadContext, parseRunArgs } from '../options.js';
import { connectForCli } from '../temporalConnection.js';
import { refreshHandleId, type StatusOptions } from './status.js';

export interface ReprocessOptions extends StatusOptions {
  tables?: string;
  fromStage?: string;
}

/**
 * `flywheel reprocess --snapshot <dt> [--tables a,b] [--from-stage bucket]`: sends the `reprocess`
 * update, so a request the run cannot take is refused here with the reason (exit 2).
 */
export async function reprocessCommand(options: ReprocessOptions): Promise<number> {
  const ctx = loadContext(options);
  const workflowId = refreshHandleId(options, ctx.config.environment);
  const { tables } = parseRunArgs({ tables: options.tables });
  if (options.fromStage && !(REPROCESS_STAGES as readonly string[]).includes(options.fromStage)) {
    throw badInput(`--from-stage must be one of ${REPROCESS_STAGES.join(', ')}, got ${JSON.stringify(options.fromStage)}`);
  }
  const payload = { tables, fromStage: options.fromStage };
  const client = await connectForCli(ctx.config);
  try {
    const handle = client.workflow.getHandle(workflowId);
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') {
      throw new CliError(`${workflowId} refused the request: the run has already ${status.name.toLowerCase()}; start a new run instead`, EXIT_BAD_INPUT);
    }
    const accepted = await handle.executeUpdate(reprocessUpdate, { args: [payload] });
    if (ctx.json) process.stdout.write(`${JSON.stringify({ workflowId, ...accepted }, null, 2)}\n`);
    else process.stdout.write(`${workflowId}: reprocessing ${accepted.tables.join(', ')} from ${accepted.fromStage}\n`);
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
