import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { FlywheelConfig } from '../config/schema.js';
import { scheduleDefinitions, type ScheduleDefinition } from './definitions.js';

export interface AppliedSchedule {
  scheduleId: string;
  /** `created`/`updated`; `deleted` or `absent` for a schedule disabled in config. */
  action: 'created' | 'updated' | 'deleted' | 'absent';
  paused: boolean;
}

async function describeOrUndefined(client: Client, scheduleId: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  }
}

async function update(client: Client, definition: ScheduleDefinition): Promise<AppliedSchedule> {
  const { options, entry } = definition;
  let paused = false;
  await client.schedule.getHandle(definition.scheduleId).update((previous) => {
    // Config `paused: true` pauses; `false` keeps the live state, so an operator's
    // `temporal schedule pause` (an incident) survives a routine apply.
    paused = entry.paused || previous.state.paused;
    const note = entry.paused || !previous.state.paused ? options.state?.note : previous.state.note;
    return {
      spec: options.spec,
      action: options.action,
      policies: options.policies,
      // Flywheel's attributes set, any others on the schedule kept.
      typedSearchAttributes: previous.typedSearchAttributes.updateCopy(options.typedSearchAttributes as SearchAttributePair[]),
      state: { paused, note },
    };
  });
  return { scheduleId: definition.scheduleId, action: 'updated', paused };
}

async function createOrUpdate(client: Client, definition: ScheduleDefinition): Promise<AppliedSchedule> {
  if (await describeOrUndefined(client, definition.scheduleId)) return update(client, definition);
  try {
    await client.schedule.create(definition.options);
    return { scheduleId: definition.scheduleId, action: 'created', paused: definition.entry.paused };
  } catch (error) {
    // Someone created it between our describe and create (two applies at once): update instead.
    if (error instanceof ScheduleAlreadyRunning) return update(client, definition);
    throw error;
  }
}

/**
 * Makes the environment's schedules match config: creates missing ones, updates existing ones in
 * place (same id, so run history and `temporal schedule …` commands keep working), deletes the ones
 * disabled in config. Safe to run any number of times.
 */
export async function applySchedules(client: Client, config: FlywheelConfig): Promise<AppliedSchedule[]> {
  const results: AppliedSchedule[] = [];
  for (const definition of scheduleDefinitions(config)) {
    if (!definition.entry.enabled) {
      const existing = await describeOrUndefined(client, definition.scheduleId);
      if (existing) await client.schedule.getHandle(definition.scheduleId).delete();
      results.push({ scheduleId: definition.scheduleId, action: existing ? 'deleted' : 'absent', paused: false });
      continue;
    }
    results.push(await createOrUpdate(client, definition));
  }
  return results;
}
