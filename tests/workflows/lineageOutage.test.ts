import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/domain/report.js';
import { refreshWorkflowId } from '../../src/domain/workflowIds.js';
import { listLineage, publishPending } from '../../src/lineage/index.js';
import { startFakeOpenMetadata, type FakeOpenMetadata } from '../support/fakeOpenMetadata.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const TOKEN_ENV = 'FLYWHEEL_TEST_OM_TOKEN';
const lineagePut = (method: string, path: string) => method === 'PUT' && path.startsWith('/api/v1/lineage');

/**
 * OpenMetadata breaks in the middle of a monthly run: the data run must finish untouched with
 * lineage `pending`, and the catch-up must later publish exactly what was missed.
 */
describe('lineage outage during a refresh', () => {
  let om: FakeOpenMetadata;
  let h: RefreshHarness;
  beforeAll(async () => {
    om = await startFakeOpenMetadata();
    process.env[TOKEN_ENV] = om.token; // the worker resolves the bot token from the env var named in config
    h = await createRefreshHarness({
      tables: ['IBE_01', 'MIACS_01'],
      rows: 100,
      config: {
        lineage: {
          sink: 'openmetadata',
          namespace: 'flywheel-test',
          openmetadata: { url: om.url, tokenEnv: TOKEN_ENV },
          http: { timeoutMs: 2000, retries: 1, retryBaseMs: 10 },
        },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await om?.stop();
  });

  it('completes the data run with lineage pending, then the catch-up publishes only the missing edges', async () => {
    om.inject({ match: lineagePut, respond: 500, after: 2 }); // the first two edges land, then OpenMetadata fails
    const report = (await h.withWorker(() =>
      h.client.workflow.execute('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId: refreshWorkflowId(h.config.environment, '2026-10-01'),
        args: [{ environment: h.config.environment }],
      }),
    )) as RunReport;

    expect(report.status).toBe('succeeded');
    expect(report.tables.every((t) => t.state === 'succeeded' && t.bucketFiles === 256)).toBe(true);
    expect(report.lineage.status).toBe('pending');
    expect(report.lineage.reason).toMatch(/500/);
    expect(om.edges.size).toBe(2);
    expect(om.entity('table', `aws_glue.awsdatacatalog.flywheel_test.ibe_01_bucketed`)).toBeDefined();

    const [pending] = await listLineage(h.home);
    expect(pending).toMatchObject({ status: 'pending', snapshotDt: '2026-10-01', sink: 'openmetadata' });

    // OpenMetadata is back: the operator's `flywheel lineage publish`.
    om.clearFaults();
    const putsBefore = om.requests.filter((r) => lineagePut(r.method, r.path)).length;
    const results = await publishPending(h.config, h.home, { env: { [TOKEN_ENV]: om.token } });
    expect(results.map((r) => r.status)).toEqual(['published']);
    const putsDuringCatchUp = om.requests.filter((r) => lineagePut(r.method, r.path)).length - putsBefore;
    const totalEdges = om.edges.size;
    expect(totalEdges).toBeGreaterThan(2);
    // Exactly the edges that were missing (the two delivered ones are not sent again).
    expect(putsDuringCatchUp).toBe(totalEdges - 2);
    for (const edge of om.edges.values()) expect(edge.lineageDetails.columnsLineage?.length).toBeGreaterThan(0);
    expect(om.statuses.size).toBe(1); // the pipeline run status, once

    expect((await listLineage(h.home)).map((e) => e.status)).toEqual(['published']);
    expect(await publishPending(h.config, h.home, { env: { [TOKEN_ENV]: om.token } })).toEqual([]); // idempotent
  });
});
