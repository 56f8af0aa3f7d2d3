import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FlywheelConfig } from '../../src/config/schema.js';
import type { RunReport } from '../../src/domain/report.js';
import { deltaMaintenanceScheduleId, monthlyRefreshScheduleId, refreshWorkflowId } from '../../src/domain/workflowIds.js';
import { SCHEDULE_MEMO_KEY } from '../../src/schedules/definitions.js';
import { applySchedules, listSchedules } from '../../src/schedules/index.js';
import { FlywheelEnvironment, FlywheelSnapshotDt, FlywheelStatus } from '../../src/workflows/searchAttributes.js';
import type { ScheduledRefreshResult } from '../../src/workflows/scheduledRefresh.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const run = promisify(execFile);

/** The real Temporal CLI, as an operator would type it. */
async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await run(inject('temporalCliPath'), [...args, '--address', inject('temporalAddress'), '--namespace', inject('temporalNamespace')]);
  return stdout;
}

/** Waits until the schedule has taken more than `count` actions; returns the newest action's workflow id. */
async function nextActionWorkflowId(client: Client, scheduleId: string, count: number): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { info } = await client.schedule.getHandle(scheduleId).describe();
    if (info.numActionsTaken > count) return info.recentActions[info.recentActions.length - 1]!.action.workflow.workflowId;
    if (Date.now() > deadline) throw new Error(`schedule ${scheduleId} took no new action`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const withHour = (config: FlywheelConfig, hour: number): FlywheelConfig => ({
  ...config,
  schedules: { ...config.schedules, monthlyRefresh: { ...config.schedules.monthlyRefresh, hour } },
});

describe('schedules on the real dev server', () => {
  let h: RefreshHarness;
  let refreshId: string;
  beforeAll(async () => {
    h = await createRefreshHarness({
      tables: ['IBE_01'],
      rows: 200,
      config: {
        schedules: { monthlyRefresh: { dayOfMonth: 2, hour: 6, minute: 30, timeZone: 'Europe/Berlin', catchupWindow: '2h' } },
        // Maintenance after the refresh, with a retention so long that nothing is removed.
        maintenance: { afterRefresh: true, retainHours: 24 * 365 * 10, tables: [{ name: 'IBE_01', location: 's3://test-lake/delta/ibe_01/', zorderBy: ['customer_user_id'] }] },
      },
    });
    refreshId = monthlyRefreshScheduleId(h.config.environment);
  });
  afterAll(async () => {
    for (const id of [refreshId, deltaMaintenanceScheduleId(h.config.environment)]) await h?.client.schedule.getHandle(id).delete().catch(() => {});
    await h?.close();
  });

  it('applying twice leaves one schedule per id with the new spec', async () => {
    const first = await applySchedules(h.client, h.config);
    expect(first.map((r) => [r.scheduleId, r.action])).toEqual([
      [refreshId, 'created'],
      [deltaMaintenanceScheduleId(h.config.environment), 'created'],
    ]);
    const second = await applySchedules(h.client, withHour(h.config, 9));
    expect(second.map((r) => r.action)).toEqual(['updated', 'updated']);

    const description = await h.client.schedule.getHandle(refreshId).describe();
    expect(description.memo?.[SCHEDULE_MEMO_KEY]).toMatchObject({ environment: h.config.environment, kind: 'monthlyRefresh', note: expect.stringContaining('managed by flywheel') });
    expect(description.typedSearchAttributes.get(FlywheelEnvironment)).toBe(h.config.environment);
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 9, end: 9, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }], dayOfMonth: [{ start: 2, end: 2, step: 1 }] });
    expect(description.spec.timezone).toBe('Europe/Berlin');
    expect(description.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 2 * 3600_000, pauseOnFailure: false });
    expect(description.action).toMatchObject({ workflowType: 'scheduledRefresh', taskQueue: h.config.temporal.taskQueue });
    expect(description.action.args).toEqual([{ environment: h.config.environment, maintenanceAfterRefresh: true }]);

    const ids: string[] = [];
    for await (const summary of h.client.schedule.list()) if (summary.scheduleId.startsWith(`flywheel-${h.config.environment}-`)) ids.push(summary.scheduleId);
    expect(ids.sort()).toEqual([deltaMaintenanceScheduleId(h.config.environment), refreshId].sort());

    const listing = await listSchedules(h.client, withHour(h.config, 9));
    expect(listing[0]).toMatchObject({ scheduleId: refreshId, exists: true, paused: false, spec: 'day 2 of every month at 09:30 Europe/Berlin' });
    expect(listing[0]!.nextActionTimes.length).toBeGreaterThan(0);
    expect(new Date(listing[0]!.nextActionTimes[0]!).getTime()).toBeGreaterThan(Date.now());
  });

  it('an operator pause (temporal schedule toggle --pause) survives apply; paused: true in config pauses', async () => {
    await temporal('schedule', 'toggle', '--schedule-id', refreshId, '--pause', '--reason', 'incident 42');
    await applySchedules(h.client, h.config);
    let state = (await h.client.schedule.getHandle(refreshId).describe()).state;
    expect(state).toMatchObject({ paused: true, note: 'incident 42' });
    // The operator's reason is the state note; Flywheel's note survives in the memo.
    const [listed] = await listSchedules(h.client, h.config);
    expect(listed).toMatchObject({ paused: true, note: 'incident 42', flywheelNote: expect.stringContaining('managed by flywheel') });

    await temporal('schedule', 'toggle', '--schedule-id', refreshId, '--unpause', '--reason', 'resolved');
    expect((await h.client.schedule.getHandle(refreshId).describe()).state.paused).toBe(false);

    const pausedConfig = { ...h.config, schedules: { ...h.config.schedules, monthlyRefresh: { ...h.config.schedules.monthlyRefresh, paused: true, note: 'frozen for audit' } } };
    await applySchedules(h.client, pausedConfig);
    state = (await h.client.schedule.getHandle(refreshId).describe()).state;
    expect(state).toMatchObject({ paused: true, note: 'frozen for audit' });
    await temporal('schedule', 'toggle', '--schedule-id', refreshId, '--unpause', '--reason', 'audit done');
  });

  it('temporal schedule trigger runs the refresh as child flywheel-<env>-refresh-<dt>; a second trigger skips it', async () => {
    await applySchedules(h.client, h.config);
    const childId = refreshWorkflowId(h.config.environment, '2026-10-01');
    await h.withWorker(async () => {
      const before = (await h.client.schedule.getHandle(refreshId).describe()).info.numActionsTaken;
      await temporal('schedule', 'trigger', '--schedule-id', refreshId);
      const parentId = await nextActionWorkflowId(h.client, refreshId, before);
      expect(parentId.startsWith(`${refreshId}-run`)).toBe(true);
      const result = (await h.client.workflow.getHandle(parentId).result()) as ScheduledRefreshResult;
      expect(result).toMatchObject({ outcome: 'refreshed', snapshotDt: '2026-10-01', refreshWorkflowId: childId });
      expect(result.report?.status).toBe('succeeded');
      // Scheduled runs carry the refresh's search attributes: the wrapper and the refresh are found by snapshot.
      const wrapper = await h.client.workflow.getHandle(parentId).describe();
      expect(wrapper.typedSearchAttributes.get(FlywheelEnvironment)).toBe(h.config.environment);
      expect(wrapper.typedSearchAttributes.get(FlywheelSnapshotDt)).toBe('2026-10-01');
      const refresh = await h.client.workflow.getHandle(childId).describe();
      expect(refresh.typedSearchAttributes.get(FlywheelSnapshotDt)).toBe('2026-10-01');
      expect(refresh.typedSearchAttributes.get(FlywheelStatus)).toBe('succeeded');
      expect(result.maintenance).toMatchObject({ status: 'succeeded', workflowId: `${deltaMaintenanceScheduleId(h.config.environment)}-after-2026-10-01` });
      expect(result.maintenance?.report?.tables[0]).toMatchObject({ table: 'IBE_01', state: 'succeeded', filesRemoved: 0 });

      const child = await h.client.workflow.getHandle(childId).describe();
      expect(child.status.name).toBe('COMPLETED');
      expect(child.type).toBe('monthlyRefresh');
      expect(((await h.client.workflow.getHandle(childId).result()) as RunReport).status).toBe('succeeded');

      // The snapshot is already refreshed: the next action completes as skipped, with the earlier report.
      await temporal('schedule', 'trigger', '--schedule-id', refreshId);
      const secondId = await nextActionWorkflowId(h.client, refreshId, before + 1);
      const second = (await h.client.workflow.getHandle(secondId).result()) as ScheduledRefreshResult;
      expect(second).toMatchObject({ outcome: 'skipped', reason: 'already-succeeded', refreshWorkflowId: childId });
      expect(second.report?.runId).toBe(child.runId);
    });
  });

  it('temporal schedule backfill starts one action per missed calendar time', async () => {
    const before = (await h.client.schedule.getHandle(refreshId).describe()).info.numActionsTaken;
    // 2026-10-02 06:30 Europe/Berlin (04:30Z) is the only matching time in this range.
    await temporal('schedule', 'backfill', '--schedule-id', refreshId, '--start-time', '2026-10-01T00:00:00Z', '--end-time', '2026-10-03T00:00:00Z', '--overlap-policy', 'AllowAll');
    await h.withWorker(async () => {
      const id = await nextActionWorkflowId(h.client, refreshId, before);
      expect(id).toContain('2026-10-02T04:30:00Z');
      const result = (await h.client.workflow.getHandle(id).result()) as ScheduledRefreshResult;
      expect(result).toMatchObject({ outcome: 'skipped', reason: 'already-succeeded' });
    });
  });

  it('a schedule disabled in config is deleted by apply', async () => {
    const disabled = { ...h.config, schedules: { ...h.config.schedules, deltaMaintenance: { ...h.config.schedules.deltaMaintenance, enabled: false } } };
    const results = await applySchedules(h.client, disabled);
    expect(results[1]).toMatchObject({ scheduleId: deltaMaintenanceScheduleId(h.config.environment), action: 'deleted' });
    expect((await listSchedules(h.client, disabled))[1]).toMatchObject({ exists: false, enabledInConfig: false });
    expect((await applySchedules(h.client, disabled))[1]!.action).toBe('absent');
  });
});
