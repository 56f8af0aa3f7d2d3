import { ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import type { FlywheelConfig } from '../config/schema.js';
import { SCHEDULE_MEMO_KEY, scheduleDefinitions } from './definitions.js';

/** The memo's note, if the memo is Flywheel's (a schedule created before the memo existed has none). */
function memoNote(memo: unknown): string | undefined {
  const note = (memo as { note?: unknown } | undefined)?.note;
  return typeof note === 'string' ? note : undefined;
}

export interface ScheduleListing {
  scheduleId: string;
  /** false when config has it but the server does not (run `flywheel schedules apply`). */
  exists: boolean;
  enabledInConfig: boolean;
  spec?: string;
  workflowType?: string;
  paused?: boolean;
  /** The schedule's state note: Flywheel's note, or the operator's last `toggle --reason`. */
  note?: string;
  /** Flywheel's note from the schedule memo (`flywheel`), kept whatever an operator's toggle wrote. */
  flywheelNote?: string;
  overlap?: string;
  catchupWindowMs?: number;
  pauseOnFailure?: boolean;
  nextActionTimes: string[];
  recentActions: { scheduledAt: string; takenAt: string; workflowId: string }[];
}

/** `2`, `1-5`, `0-30/15`: one calendar field as the server holds it. */
function rangeText(ranges: { start: number | string; end: number | string; step: number }[], pad = 0): string {
  const one = (v: number | string) => String(v).padStart(pad, '0');
  return ranges.map((r) => (r.start === r.end ? one(r.start) : `${one(r.start)}-${one(r.end)}${r.step > 1 ? `/${r.step}` : ''}`)).join(',') || '*';
}

/** `day 2 of every month at 06:00 UTC`, from what the server holds (not from config: shows drift). */
function specSummary(description: ScheduleDescription): string {
  const zone = description.spec.timezone || 'UTC';
  const parts = (description.spec.calendars ?? []).map(
    (c) => `day ${rangeText(c.dayOfMonth)} of every month at ${rangeText(c.hour, 2)}:${rangeText(c.minute, 2)} ${zone}`,
  );
  return parts.join('; ') || 'no calendar';
}

/** The environment's schedules as the server describes them: spec, state, next and recent actions. */
export async function listSchedules(client: Client, config: FlywheelConfig): Promise<ScheduleListing[]> {
  const listings: ScheduleListing[] = [];
  for (const definition of scheduleDefinitions(config)) {
    let description: ScheduleDescription;
    try {
      description = await client.schedule.getHandle(definition.scheduleId).describe();
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      listings.push({ scheduleId: definition.scheduleId, exists: false, enabledInConfig: definition.entry.enabled, nextActionTimes: [], recentActions: [] });
      continue;
    }
    listings.push({
      scheduleId: definition.scheduleId,
      exists: true,
      enabledInConfig: definition.entry.enabled,
      spec: specSummary(description),
      workflowType: description.action.workflowType,
      paused: description.state.paused,
      note: description.state.note,
      flywheelNote: memoNote(description.memo?.[SCHEDULE_MEMO_KEY]),
      overlap: description.policies.overlap,
      catchupWindowMs: description.policies.catchupWindow,
      pauseOnFailure: description.policies.pauseOnFailure,
      nextActionTimes: description.info.nextActionTimes.map((d) => d.toISOString()),
      recentActions: description.info.recentActions.map((a) => ({
        scheduledAt: a.scheduledAt.toISOString(),
        takenAt: a.takenAt.toISOString(),
        workflowId: a.action.workflow.workflowId,
      })),
    });
  }
  return listings;
}
