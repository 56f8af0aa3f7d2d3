import { InvalidInputError } from './errors.js';
import { isEnvironmentName } from './identifiers.js';
import { assertSnapshotDt } from './snapshotDate.js';

/**
 * Workflow and schedule ids people script against. They say what the run is, so the Web UI's list
 * reads like an operations log: `flywheel-prod-refresh-2026-11-01`.
 */
export function refreshWorkflowId(environment: string, snapshotDt: string): string {
  if (!isEnvironmentName(environment)) throw new InvalidInputError(`invalid environment name ${JSON.stringify(environment)}`);
  return `flywheel-${environment}-refresh-${assertSnapshotDt(snapshotDt)}`;
}

export function monthlyRefreshScheduleId(environment: string): string {
  return `flywheel-${environment}-monthly-refresh`;
}

export function deltaMaintenanceScheduleId(environment: string): string {
  return `flywheel-${environment}-delta-maintenance`;
}
