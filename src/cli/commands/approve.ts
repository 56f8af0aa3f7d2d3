import { describeIssues } from '../../workflows/input.js';
import { ApproveRequestSchema } from '../../workflows/approvalRequests.js';
import { approveUpdate } from '../../workflows/definitions.js';
import { badInput } from '../errors.js';
import { loadContext, parseRunArgs } from '../options.js';
import { sendRefreshUpdate } from '../refreshUpdate.js';
import { refreshHandleId, type StatusOptions } from './status.js';

export interface ApproveOptions extends StatusOptions {
  tables?: string;
  reason?: string;
}

/**
 * `flywheel approve --snapshot <dt> --tables A,B --reason "..."`: sends the `approve` update, so the
 * tables held at the quality gate continue with the reason in their report and lineage. A table that
 * is unknown or not held is refused here with the reason (exit 2).
 */
export async function approveCommand(options: ApproveOptions): Promise<number> {
  const ctx = loadContext(options);
  const workflowId = refreshHandleId(options, ctx.config.environment);
  if (!options.tables) throw badInput('give --tables: the table(s) held at the quality gate to approve (see `flywheel status`)');
  const { tables } = parseRunArgs({ tables: options.tables });
  // The same schema the workflow validates with: a bad reason is refused before anything is sent.
  const parsed = ApproveRequestSchema.safeParse({ tables, reason: options.reason ?? '' });
  if (!parsed.success) throw badInput(`--reason: ${describeIssues(parsed.error).replace(/^reason: /, '')}`);
  return sendRefreshUpdate(ctx, workflowId, approveUpdate, parsed.data, (accepted) =>
    `approved ${accepted.tables.join(', ')} past the quality gate ("${accepted.reason}"); they continue to bucket → validate`,
  );
}
