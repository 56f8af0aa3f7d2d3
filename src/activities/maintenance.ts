import { Context } from '@temporalio/activity';
import { heartbeatTimeoutSeconds, type FlywheelConfig } from '../config/schema.js';
import { InvalidInputError } from '../domain/errors.js';
import type { Backend } from '../ports/backend.js';
import { withOperationContext } from './context.js';
import type { MaintainTableResult, MaintenanceTarget } from '../ports/deltaMaintenance.js';
import { MIN_RETAIN_HOURS, parseWhere, whereSql, type DeltaMaintenanceInput } from '../workflows/maintenanceInput.js';

export interface MaintenancePlan {
  retainHours: number;
  concurrency: number;
  targets: MaintenanceTarget[];
  /** Heartbeat timeout of the per-table activities (see `temporal.heartbeatTimeoutSeconds`). */
  heartbeatTimeoutSeconds?: number;
  /** Configured tables that failed their checks (missing, not Delta, bad columns or WHERE): no job runs for them. */
  refused?: { table: string; error: string }[];
}

/** Tables checked at once (each check reads the table's Delta log). */
const CHECK_CONCURRENCY = 8;

/**
 * Checks a maintenance request against config before anything runs. Refusals of the whole request —
 * environment, retention floor, table filter, no backend support — are InvalidInput (non-retryable), with
 * the reason and what to change. A table that does not exist, is not a Delta table, lacks a Z-order column
 * or has a WHERE the grammar or its partition columns refuse is listed in `refused`, and the others go on.
 */
export async function planMaintenance(config: FlywheelConfig, backend: Pick<Backend, 'maintenance'>, input: DeltaMaintenanceInput): Promise<MaintenancePlan> {
  if (input.environment !== config.environment) {
    throw new InvalidInputError(`this worker serves environment "${config.environment}", but maintenance asked for "${input.environment}"`);
  }
  const settings = config.maintenance;
  const retainHours = input.retainHours ?? settings.retainHours;
  if (retainHours < MIN_RETAIN_HOURS && !settings.allowShortRetention) {
    throw new InvalidInputError(
      `refusing VACUUM RETAIN ${retainHours} HOURS: retention below ${MIN_RETAIN_HOURS} hours (7 days) can delete files that ` +
        `running readers or time travel still need; set maintenance.allowShortRetention: true in the config to allow it`,
    );
  }
  const maintenance = backend.maintenance;
  if (!maintenance) throw new InvalidInputError(`the ${config.backend} backend has no Delta maintenance configured`);
  if (settings.tables.length === 0) throw new InvalidInputError('no Delta tables configured: add them under maintenance.tables');

  let selected = settings.tables;
  if (input.tables) {
    const wanted = new Map(input.tables.map((t) => [t.toLowerCase(), t]));
    selected = settings.tables.filter((t) => wanted.delete(t.name.toLowerCase()));
    if (wanted.size > 0) {
      throw new InvalidInputError(
        `unknown maintenance table(s): ${[...wanted.values()].join(', ')} (configured: ${settings.tables.map((t) => t.name).join(', ')})`,
      );
    }
  }
  const checked: ({ target: MaintenanceTarget } | { refused: { table: string; error: string } })[] = [];
  for (let i = 0; i < selected.length; i += CHECK_CONCURRENCY) {
    const batch = selected.slice(i, i + CHECK_CONCURRENCY).map(async (table) => {
      try {
        const where = table.where === undefined ? undefined : canonicalWhere(table.name, table.where);
        const target: MaintenanceTarget = { name: table.name, location: table.location, catalogTable: table.catalogTable, where, zorderBy: table.zorderBy };
        await maintenance.check(target);
        return { target };
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error; // storage trouble: the activity retries
        return { refused: { table: table.name, error: error.message } };
      }
    });
    checked.push(...(await Promise.all(batch)));
  }
  return {
    retainHours,
    concurrency: settings.concurrency,
    targets: checked.flatMap((c) => ('target' in c ? [c.target] : [])),
    refused: checked.flatMap((c) => ('refused' in c ? [c.refused] : [])),
    heartbeatTimeoutSeconds: heartbeatTimeoutSeconds(config),
  };
}

function canonicalWhere(table: string, where: string): string {
  try {
    return whereSql(parseWhere(where));
  } catch (error) {
    throw new InvalidInputError(`maintenance table ${table}: ${(error as Error).message}`);
  }
}

export interface MaintainDeltaTableInput {
  target: MaintenanceTarget;
  retainHours: number;
  asOf: string;
}

/** OPTIMIZE + VACUUM one table through the backend's DeltaMaintenance port. */
export async function maintainDeltaTable(backend: Pick<Backend, 'maintenance'>, input: MaintainDeltaTableInput): Promise<MaintainTableResult> {
  if (!backend.maintenance) throw new InvalidInputError('this backend has no Delta maintenance configured');
  const info = Context.current().info;
  const owner = info.workflowExecution;
  // Same for every retry of this activity, so a retry re-attaches to the run it started.
  const runTag = `${owner ? `${owner.workflowId}/${owner.runId}` : info.activityId}/maintenance/${input.target.name}`;
  return withOperationContext((ctx) => backend.maintenance!.maintainTable({ ...input, runTag }, ctx));
}

export type WorkflowRunState =
  | { state: 'absent' }
  | { state: 'running' }
  | { state: 'succeeded'; result: unknown }
  | { state: 'closed'; status: string };

/**
 * How a workflow id stands right now (used by `scheduledRefresh` to explain why it does not start a
 * refresh again): through the worker's own client, so no extra credentials are needed.
 */
export async function describeWorkflowRun(workflowId: string): Promise<WorkflowRunState> {
  const handle = Context.current().client.workflow.getHandle(workflowId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (error) {
    if ((error as Error).name === 'WorkflowNotFoundError') return { state: 'absent' };
    throw error;
  }
  if (status === 'RUNNING') return { state: 'running' };
  if (status === 'COMPLETED') return { state: 'succeeded', result: await handle.result() };
  return { state: 'closed', status };
}
