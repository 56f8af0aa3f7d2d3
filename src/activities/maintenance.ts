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
}

/**
 * Checks a maintenance request against config before anything runs: environment, retention floor,
 * table filter, WHERE grammar, identifiers and backend support. Every refusal is InvalidInput
 * (non-retryable), with the reason and what to change.
 */
export function planMaintenance(config: FlywheelConfig, backend: Pick<Backend, 'maintenance'>, input: DeltaMaintenanceInput): MaintenancePlan {
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
  if (!backend.maintenance) throw new InvalidInputError(`the ${config.backend} backend has no Delta maintenance configured`);
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
  const targets = selected.map((table): MaintenanceTarget => {
    let where: string | undefined;
    if (table.where !== undefined) {
      try {
        where = whereSql(parseWhere(table.where));
      } catch (error) {
        throw new InvalidInputError(`maintenance table ${table.name}: ${(error as Error).message}`);
      }
    }
    const target: MaintenanceTarget = { name: table.name, location: table.location, catalogTable: table.catalogTable, where, zorderBy: table.zorderBy };
    backend.maintenance!.check(target);
    return target;
  });
  return { retainHours, concurrency: settings.concurrency, targets, heartbeatTimeoutSeconds: heartbeatTimeoutSeconds(config) };
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
