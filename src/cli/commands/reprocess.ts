import { reprocessUpdate } from '../../workflows/definitions.js';
import { REPROCESS_STAGES } from '../../workflows/reprocessRequests.js';
import { badInput } from '../errors.js';
import { loadContext, parseRunArgs } from '../options.js';
import { sendRefreshUpdate } from '../refreshUpdate.js';
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
  return sendRefreshUpdate(ctx, workflowId, reprocessUpdate, { tables, fromStage: options.fromStage }, (accepted) =>
    `reprocessing ${accepted.tables.join(', ')} from ${accepted.fromStage}`,
  );
}
