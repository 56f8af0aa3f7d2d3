/**
 * The contract of jobs/delta_maintenance.py, shared by both homes of the script (the local backend's
 * process, the Glue job): its arguments, and the result JSON it writes to `--RESULT_URI`.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../config/home.js';
import type { FlywheelConfig } from '../config/schema.js';
import { VENV_TOOLS } from '../tools/toolsVenv.js';
import type { MaintainTableResult } from '../ports/deltaMaintenance.js';
import type { OwnedJobRun } from './aws/awaitJobRun.js';

/** The job script both homes run (local process, Glue job). */
export const DELTA_MAINTENANCE_SCRIPT = path.join(PROJECT_ROOT, 'jobs', 'delta_maintenance.py');
/** The deltalake version locked for the tools venv (src/tools/toolsVenv.ts): the Glue job installs the same. */
export function pinnedDeltalakeVersion(): string {
  return VENV_TOOLS.delta.requirement.replace(/^deltalake==/, '');
}

export interface MaintenanceJobRequest {
  /** `delta.\`<location>\`` or a catalog name `[db.]table`. */
  table: string;
  where?: string;
  zorderBy: string[];
  retainHours: number;
  resultUri: string;
}

/** Glue-style arguments; unused options are '' (the script treats '' as unset). */
export function maintenanceJobArguments(request: MaintenanceJobRequest, settings: FlywheelConfig['maintenance']): Record<string, string> {
  return {
    '--TABLE': request.table,
    '--OPTIMIZE_WHERE': request.where ?? '',
    '--ZORDER_BY': request.zorderBy.join(','),
    '--RETAIN_HOURS': String(request.retainHours),
    '--RESULT_URI': request.resultUri,
    '--ALLOW_SHORT_RETENTION': String(settings.allowShortRetention),
    '--TARGET_FILE_MB': settings.targetFileMb === undefined ? '' : String(settings.targetFileMb),
  };
}

/** Where the run for `runTag` writes its result: stable, so a retried activity reads the same object. */
export function maintenanceResultName(environment: string, runTag: string): string {
  return `${environment}/${createHash('sha256').update(runTag).digest('hex').slice(0, 24)}.json`;
}

const count = z.number().int().min(0);
export const MaintenanceJobResultSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('SUCCEEDED'),
    versionBefore: count,
    versionAfter: count,
    versionsCommitted: z.array(z.object({ version: count, operation: z.string() })),
    filesBefore: count,
    filesAfter: count,
    bytesBefore: count,
    bytesAfter: count,
    filesCompacted: count,
    filesWritten: count,
    filesRemoved: count,
    bytesRemoved: count,
    optimizeMs: count,
    vacuumMs: count,
    durationMs: count,
    notes: z.array(z.string()).default([]),
  }),
  z.object({ status: z.literal('FAILED'), errorType: z.string().optional(), error: z.string() }),
]);
export type MaintenanceJobResult = z.infer<typeof MaintenanceJobResultSchema>;

/** Parses what the job wrote; `undefined` when it is not a result of this contract. */
export function parseMaintenanceJobResult(raw: unknown): MaintenanceJobResult | undefined {
  const parsed = MaintenanceJobResultSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** A successful job result as the port's table result (the job's numbers, unchanged). */
export function tableResultOf(result: Extract<MaintenanceJobResult, { status: 'SUCCEEDED' }>, jobRunId: string): MaintainTableResult {
  const { status: _status, ...figures } = result;
  return { ...figures, jobRunId };
}

/** The maintenance job run of one table, as both backends start or re-attach to it (by the request's run tag). */
export function maintenanceJobRun(
  config: FlywheelConfig,
  run: { jobName: string; runTag: string; table: string; arguments: Record<string, string> },
): OwnedJobRun {
  return {
    jobKey: 'deltaMaintenance',
    ...run,
    purpose: `for ${run.table}`,
    pollMinMs: config.jobs.pollMinSeconds * 1000,
    pollMaxMs: config.jobs.pollMaxSeconds * 1000,
  };
}
