import type { ScheduleOptions, ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { taskQueueFor, type FlywheelConfig, type ScheduleEntrySchema } from '../config/schema.js';
import { deltaMaintenanceScheduleId, monthlyRefreshScheduleId } from '../domain/workflowIds.js';
import { FlywheelEnvironment } from '../workflows/searchAttributes.js';
import type { z } from 'zod';

export type ScheduleEntry = z.infer<typeof ScheduleEntrySchema>;

/**
 * Memo key of Flywheel's own note on a schedule. The schedule's state note is what
 * `temporal schedule toggle --reason` overwrites (the operator's reason); the memo keeps what
 * Flywheel wrote. Temporal sets a schedule's memo at creation only (no update can change it).
 */
export const SCHEDULE_MEMO_KEY = 'flywheel';

export interface ScheduleMemo {
  note: string;
  environment: string;
  kind: ScheduleKind;
}
export type ScheduleKind = 'monthlyRefresh' | 'deltaMaintenance';

export interface ScheduleDefinition {
  kind: ScheduleKind;
  scheduleId: string;
  entry: ScheduleEntry;
  /** Full create options; `update` reuses spec, action and policies from here. */
  options: ScheduleOptions<ScheduleOptionsStartWorkflowAction<Workflow>>;
}

/** `day 2 at 06:00 UTC`: what an operator reads in `flywheel schedules list`. */
export function describeEntry(entry: Pick<ScheduleEntry, 'dayOfMonth' | 'hour' | 'minute' | 'timeZone'>): string {
  const hh = String(entry.hour).padStart(2, '0');
  const mm = String(entry.minute).padStart(2, '0');
  return `day ${entry.dayOfMonth} of every month at ${hh}:${mm} ${entry.timeZone}`;
}

/**
 * The two schedules of an environment, built from config. The workflow id given to the action is
 * a prefix: Temporal appends the scheduled time, so every action has its own readable id.
 */
export function scheduleDefinitions(config: FlywheelConfig): ScheduleDefinition[] {
  const env = config.environment;
  const taskQueue = taskQueueFor(config);
  const build = (kind: ScheduleKind, scheduleId: string, workflowType: string, args: unknown[], summary: string): ScheduleDefinition => {
    const entry = config.schedules[kind];
    const note = entry.note ?? `managed by flywheel schedules apply (config environment ${env})`;
    const memo: ScheduleMemo = { note, environment: env, kind };
    return {
      kind,
      scheduleId,
      entry,
      options: {
        scheduleId,
        memo: { [SCHEDULE_MEMO_KEY]: memo },
        // On the schedule itself (`temporal schedule list --query 'FlywheelEnvironment = "prod"'`) and on every run it starts.
        typedSearchAttributes: [{ key: FlywheelEnvironment, value: env }],
        spec: {
          calendars: [
            {
              dayOfMonth: entry.dayOfMonth,
              hour: entry.hour,
              minute: entry.minute,
              comment: `${summary}: ${describeEntry(entry)}`,
            },
          ],
          timezone: entry.timeZone,
        },
        action: {
          type: 'startWorkflow',
          workflowType,
          taskQueue,
          workflowId: `${scheduleId}-run`,
          args,
          typedSearchAttributes: [{ key: FlywheelEnvironment, value: env }],
          staticSummary: `${summary} (${env}, scheduled)`,
        },
        policies: {
          overlap: entry.overlap,
          catchupWindow: entry.catchupWindow,
          pauseOnFailure: entry.pauseOnFailure,
        },
        state: {
          paused: entry.paused,
          note,
        },
      },
    };
  };
  return [
    build(
      'monthlyRefresh',
      monthlyRefreshScheduleId(env),
      'scheduledRefresh',
      [{ environment: env, maintenanceAfterRefresh: config.maintenance.afterRefresh }],
      'Monthly refresh',
    ),
    build('deltaMaintenance', deltaMaintenanceScheduleId(env), 'deltaMaintenance', [{ environment: env }], 'Delta maintenance'),
  ];
}
