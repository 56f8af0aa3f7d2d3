import proto, { type temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const EventType = proto.temporal.api.enums.v1.EventType;

/** Activity type → heartbeat timeouts (seconds; 0 = none) of every activity a workflow scheduled. */
async function scheduledHeartbeats(h: RefreshHarness, workflowId: string): Promise<Map<string, Set<number>>> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  const byType = new Map<string, Set<number>>();
  for (const event of history.events ?? []) {
    if (event.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) continue;
    const attrs = event.activityTaskScheduledEventAttributes!;
    const seconds = Number(attrs.heartbeatTimeout?.seconds ?? 0);
    const name = attrs.activityType!.name!;
    byType.set(name, (byType.get(name) ?? new Set()).add(seconds));
  }
  return byType;
}

/**
 * Every activity has a heartbeat timeout sized to its work, so a killed worker's activity is retried
 * within seconds: planning 10 s, everything after the plan the configured `temporal.heartbeatTimeoutSeconds`
 * (7 s here, to tell it from the defaults) — in the refresh, its batch children (which got 30 s before the
 * figure was passed to them), the schedule's wrapper and Delta maintenance.
 */
describe('heartbeat timeouts', () => {
  let h: RefreshHarness;
  beforeAll(async () => {
    h = await createRefreshHarness({
      tables: ['IBE_01', 'MIACS_01'],
      rows: 100,
      bucketCount: 8,
      config: {
        temporal: {
          address: inject('temporalAddress'),
          namespace: inject('temporalNamespace'),
          taskQueue: 'flywheel-heartbeat-timeouts',
          heartbeatTimeoutSeconds: 7,
        },
        scale: { batchSize: 1, batchConcurrency: 2, progressSeconds: 0.2, continueAsNewAfterEvents: 10_000 },
        maintenance: {
          retainHours: 24 * 365 * 10,
          concurrency: 2,
          tables: [{ name: 'IBE_01', location: 's3://test-lake/delta/ibe_01/' }],
        },
      },
    });
  });
  afterAll(() => h?.close());

  it('every scheduled activity carries the sized heartbeat timeout', async () => {
    const env = h.config.environment;
    const taskQueue = h.config.temporal.taskQueue!;
    const { ids, planId } = await h.withWorker(async () => {
      const plan = await h.client.workflow.execute('planRefresh', { taskQueue, workflowId: `${env}-hb-plan`, args: [{ environment: env }] });
      expect(plan).toMatchObject({ heartbeatTimeoutSeconds: 7 });
      const parent = await h.client.workflow.start('scheduledRefresh', {
        taskQueue,
        workflowId: `${env}-hb-scheduled`,
        args: [{ environment: env, maintenanceAfterRefresh: true }],
      });
      const result = (await parent.result()) as { outcome: string; refreshWorkflowId: string; maintenance?: { workflowId: string; status: string } };
      expect(result).toMatchObject({ outcome: 'refreshed', maintenance: { status: 'succeeded' } });
      const batches = [];
      for await (const wf of h.client.workflow.list({ query: `WorkflowType = "refreshBatch" AND FlywheelEnvironment = "${env}"` })) batches.push(wf.workflowId);
      expect(batches.length).toBeGreaterThanOrEqual(2);
      return { planId: `${env}-hb-plan`, ids: [parent.workflowId, result.refreshWorkflowId, result.maintenance!.workflowId, ...batches] };
    });

    const seen = new Map<string, Set<number>>();
    for (const id of [planId, ...ids]) {
      for (const [type, timeouts] of await scheduledHeartbeats(h, id)) seen.set(type, new Set([...(seen.get(type) ?? []), ...timeouts]));
    }
    const planning = ['discoverSnapshot', 'findSnapshot', 'planRefreshRun', 'planMaintenance'];
    const expected = Object.fromEntries([...seen.keys()].sort().map((type) => [type, [planning.includes(type) ? 10 : 7]]));
    expect(Object.fromEntries([...seen].sort().map(([type, t]) => [type, [...t]]))).toEqual(expected);
    // The activities of every kind ran: planning, manifest, table stages, jobs, lineage, maintenance.
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining([
        'discoverSnapshot',
        'findSnapshot',
        'planRefreshRun',
        'prepareBatch',
        'runGlueJob',
        'registerStagedTable',
        'createBucketedTable',
        'validateBucketedTable',
        'recordTables',
        'publishRunLineage',
        'writeRunReport',
        'planMaintenance',
        'maintainDeltaTable',
      ]),
    );
  });
});
