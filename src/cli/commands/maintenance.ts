import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { explainFailure } from '../../client/failures.js';
import { taskQueueFor, type FlywheelConfig } from '../../config/schema.js';
import { deltaMaintenanceScheduleId } from '../../domain/workflowIds.js';
import { describeIssues, tableNameSchema } from '../../workflows/input.js';
import type { MaintenanceReport, TableMaintenanceReport } from '../../workflows/maintenanceInput.js';
import { FlywheelEnvironment } from '../../workflows/searchAttributes.js';
import { badInput, EXIT_BAD_INPUT, EXIT_OK, EXIT_RUN_FAILED } from '../errors.js';
import { loadContext, type CommonOptions } from '../options.js';
import { connectForCli } from '../temporalConnection.js';

export interface MaintenanceRunOptions extends CommonOptions {
  /** `--retain-hours N`: whole hours ≥ 0 (below 168 the workflow refuses unless config allows it). */
  retainHours?: string;
  /** `--tables a,b`: names from maintenance.tables. */
  tables?: string;
}

const ArgsSchema = z.object({
  retainHours: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of hours')
    .transform(Number)
    .pipe(z.number().int().max(24 * 365 * 10, 'must be at most ten years'))
    .optional(),
  tables: z
    .string()
    .transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))
    .pipe(z.array(tableNameSchema).min(1, 'give at least one table name'))
    .optional(),
});

/** Checked before anything contacts a server, so a typo exits 2 at once. */
export function parseMaintenanceArgs(options: Pick<MaintenanceRunOptions, 'retainHours' | 'tables'>): { retainHours?: number; tables?: string[] } {
  const parsed = ArgsSchema.safeParse({ retainHours: options.retainHours, tables: options.tables });
  if (!parsed.success) {
    throw badInput(describeIssues(parsed.error).replace(/^retainHours:/, '--retain-hours:').replace(/^tables(\.\d+)?:/, '--tables:'));
  }
  return parsed.data;
}

const mb = (bytes: number | undefined) => `${((bytes ?? 0) / 1e6).toFixed(1)} MB`;

function formatTable(t: TableMaintenanceReport): string {
  const name = t.table.padEnd(16);
  if (t.state === 'failed' || t.filesBefore === undefined) return `✘ ${name} ${t.error ?? 'failed'}`;
  const versions = t.versionsCommitted?.length ? `versions ${t.versionsCommitted.map((v) => `${v.version} ${v.operation}`).join(', ')}` : 'no commit';
  return (
    `✔ ${name} files ${t.filesBefore} → ${t.filesAfter} (${mb(t.bytesBefore)} → ${mb(t.bytesAfter)}) · ` +
    `OPTIMIZE ${t.filesCompacted} → ${t.filesWritten} · VACUUM removed ${t.filesRemoved} (${mb(t.bytesRemoved)}) · ` +
    `${versions} · ${((t.durationMs ?? 0) / 1000).toFixed(1)} s${t.notes.length ? ` · ${t.notes.join('; ')}` : ''}`
  );
}

function formatReport(report: MaintenanceReport): string {
  return [`Delta maintenance ${report.environment} (VACUUM RETAIN ${report.retainHours} HOURS, started ${report.asOf}): ${report.status}`, ...report.tables.map(formatTable)].join('\n');
}

/** Starts `deltaMaintenance` under a readable, unique id and waits for its report. */
export async function runMaintenance(client: Client, config: FlywheelConfig, args: { retainHours?: number; tables?: string[] }): Promise<MaintenanceReport> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return client.workflow.execute('deltaMaintenance', {
    taskQueue: taskQueueFor(config),
    workflowId: `${deltaMaintenanceScheduleId(config.environment)}-cli-${stamp}`,
    args: [{ environment: config.environment, ...args }],
    typedSearchAttributes: [{ key: FlywheelEnvironment, value: config.environment }],
    staticSummary: `Delta maintenance ${config.environment} (CLI)`,
  });
}

/** `flywheel maintenance run [--retain-hours N] [--tables a,b]`: 0 done, 1 a table failed, 2 refused input. */
export async function maintenanceRunCommand(options: MaintenanceRunOptions): Promise<number> {
  const args = parseMaintenanceArgs(options);
  const ctx = loadContext(options);
  const client = await connectForCli(ctx.config);
  try {
    const report = await runMaintenance(client, ctx.config, args);
    process.stdout.write(ctx.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return EXIT_OK;
  } catch (error) {
    const failure = explainFailure(error);
    const report = failure.type === 'MaintenanceFailed' ? (failure.details?.[0] as MaintenanceReport | undefined) : undefined;
    if (report) process.stdout.write(ctx.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    process.stderr.write(`✘ maintenance ${failure.type === 'InvalidInput' ? 'refused' : 'failed'}: ${failure.message}\n`);
    return failure.type === 'InvalidInput' ? EXIT_BAD_INPUT : EXIT_RUN_FAILED;
  } finally {
    await client.connection.close();
  }
}
