import type { Client } from '@temporalio/client';
import { explainFailure } from '../client/failures.js';
import { awaitRefresh, planRefresh, startRefresh, type RefreshRequest } from '../client/refresh.js';
import type { RefreshPlan } from '../domain/plan.js';
import type { RunReport } from '../domain/report.js';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_RUN_FAILED } from './errors.js';
import type { RefreshStatus } from '../workflows/refreshTracker.js';
import type { CliContext } from './options.js';
import { createProgress, renderStatusReport } from './progress.js';
import { formatSummary, workflowUiUrl } from './summary.js';

export interface ExecuteRefreshOptions {
  /** Web UI base URL, for the link printed at the end. */
  uiBase?: string;
  /** Live progress on stderr (default true). */
  progress?: boolean;
  /** Stop following once a status matches (the run goes on, e.g. waiting at the quality gate). */
  stopWhen?: (status: RefreshStatus) => boolean;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Runs discovery on the worker. A failure is reported here (stderr, and stdout with --json) and
 * comes back as the exit code: 2 when the snapshot or a table does not exist, 1 otherwise.
 */
export async function planOrExitCode(client: Client, ctx: CliContext, request: RefreshRequest): Promise<RefreshPlan | number> {
  try {
    return await planRefresh(client, ctx.config, request);
  } catch (error) {
    const failure = explainFailure(error);
    say(`✘ discovery failed: ${failure.message}`);
    if (ctx.json) process.stdout.write(`${JSON.stringify({ status: 'failed', error: failure.message }, null, 2)}\n`);
    return failure.type === 'InvalidInput' ? EXIT_BAD_INPUT : EXIT_RUN_FAILED;
  }
}

/**
 * Plans (when no snapshot is given), starts or attaches to the refresh, follows it, prints the
 * summary (stderr) or the report (stdout with --json), and returns the exit code.
 */
export async function executeRefresh(
  client: Client,
  ctx: CliContext,
  request: RefreshRequest,
  options: ExecuteRefreshOptions = {},
): Promise<{ exitCode: number; report?: RunReport; stoppedAt?: RefreshStatus }> {
  let snapshotDt = request.snapshotDt;
  if (!snapshotDt) {
    const plan = await planOrExitCode(client, ctx, request);
    if (typeof plan === 'number') return { exitCode: plan };
    snapshotDt = plan.snapshotDt;
  }
  const { handle, attached } = await startRefresh(client, ctx.config, { ...request, snapshotDt });
  say(`${attached ? 'attached to running' : 'started'} ${handle.workflowId} (snapshot ${snapshotDt}, environment ${ctx.config.environment})`);

  const progress = options.progress === false ? undefined : createProgress();
  const outcome = await awaitRefresh(handle, progress?.update, undefined, options.stopWhen);
  if (outcome.stoppedAt) {
    say(['', ...renderStatusReport(outcome.stoppedAt)].join('\n'));
    if (ctx.json) process.stdout.write(`${JSON.stringify(outcome.stoppedAt, null, 2)}\n`);
    return { exitCode: EXIT_OK, stoppedAt: outcome.stoppedAt };
  }
  const report = outcome.report;
  if (report) progress?.finish(report);
  const runId = report?.runId ?? (await handle.describe()).runId;
  const uiUrl = options.uiBase && workflowUiUrl(options.uiBase, ctx.config.temporal.namespace, handle.workflowId, runId);

  if (report) say(formatSummary(report, uiUrl));
  else say(`✘ ${handle.workflowId} failed: ${outcome.message}${uiUrl ? `\n  Web UI: ${uiUrl}` : ''}`);
  if (ctx.json) {
    const body = report ?? { workflowId: handle.workflowId, runId, status: 'failed', snapshotDt, error: outcome.message };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  }
  if (outcome.ok) return { exitCode: EXIT_OK, report };
  return { exitCode: outcome.failureType === 'InvalidInput' ? EXIT_BAD_INPUT : EXIT_RUN_FAILED, report };
}
