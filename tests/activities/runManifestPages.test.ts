import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishRunLineage, combineOutcomes } from '../../src/activities/runLineage.js';
import { recordTables, TABLE_PAGE, writeRunReport } from '../../src/activities/runManifest.js';
import { LocalRunManifests } from '../../src/backends/local/runManifests.js';
import type { PlannedTable, RefreshPlan } from '../../src/domain/plan.js';
import type { RunReport, TableReport } from '../../src/domain/report.js';
import { createLineagePublisher } from '../../src/lineage/index.js';
import { outboxDir, publishedDir } from '../../src/lineage/outbox.js';
import { NO_CONTEXT } from '../../src/ports/context.js';
import type { LineageRun } from '../../src/ports/lineage.js';
import { tempHome, testConfig } from '../backends/local/helpers.js';

const RUN_KEY = 'flywheel-test-refresh-2026-10-01/run-1';
const config = testConfig(['IBE_01']);

function plan(n: number): RefreshPlan {
  const tables: PlannedTable[] = Array.from({ length: n }, (_, i) => ({
    name: `T${String(i + 1).padStart(5, '0')}`,
    kind: 'infobase',
    sourceBytes: 1000,
    sourceFiles: 1,
    stagedFileCount: 1,
    sourceLocation: `/lake/src/T${i + 1}/snapshot_dt=2026-10-01`,
  }));
  return {
    environment: 'test',
    snapshotDt: '2026-10-01',
    tables,
    jobs: [],
    bucketColumn: 'customer_user_id',
    bucketCount: 16,
    tableConcurrency: 4,
    reprocessWaitSeconds: 0,
    pricing: config.costs,
  };
}

/** Every third table failed at bucket; the others succeeded (their outputs recorded like the activities do). */
async function seedRun(manifests: LocalRunManifests, p: RefreshPlan): Promise<void> {
  await manifests.write(RUN_KEY, 'plan', p);
  const records = p.tables.map((t, i) => {
    const failed = i % 3 === 2;
    const report: TableReport = failed
      ? { name: t.name, kind: t.kind, stage: 'bucket', state: 'failed', attempts: 2, lastError: `bucket of ${t.name} broke` }
      : { name: t.name, kind: t.kind, stage: 'validate', state: 'succeeded', attempts: 1, rowsStaged: 10, rowsBucketed: 10 };
    return { report, job: { name: 'split', runId: `jr-${i}` } };
  });
  await recordTables(manifests, { runKey: RUN_KEY, tables: records });
  for (const t of p.tables) {
    const staged = { database: 'db', tableName: `${t.name.toLowerCase()}_staged`, location: `/lake/staged/${t.name}`, columns: [{ name: 'customer_user_id', type: 'VARCHAR' }], rows: 10, files: 1 };
    await manifests.write(RUN_KEY, `tables/${t.name}/staged`, staged);
  }
  for (const [i, t] of p.tables.entries()) {
    if (i % 3 === 2) continue;
    const bucketed = { database: 'db', tableName: `${t.name.toLowerCase()}_bucketed`, location: `/lake/bucketed/${t.name}`, bucketFiles: 16, rows: 10, sql: 'CREATE TABLE …' };
    await manifests.write(RUN_KEY, `tables/${t.name}/bucketed`, bucketed);
  }
}

const header = (): Omit<LineageRun, 'tables'> => ({
  environment: 'test',
  workflowId: 'flywheel-test-refresh-2026-10-01',
  runId: 'run-1',
  snapshotDt: '2026-10-01',
  status: 'failed',
  startedAt: '2026-10-02T00:00:00.000Z',
  endedAt: '2026-10-02T01:00:00.000Z',
  stages: [{ stage: 'split', state: 'succeeded' }],
});

describe('the final report and lineage walk the manifest page by page', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let manifests: LocalRunManifests;
  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
    manifests = new LocalRunManifests(home);
  });
  afterEach(async () => cleanup());

  it('streams the full report: the same document as building it whole, every table in plan order', async () => {
    const p = plan(TABLE_PAGE * 2 + 7);
    await seedRun(manifests, p);
    await manifests.write(RUN_KEY, `tables/${p.tables[0]!.name}/report`, { report: { name: p.tables[0]!.name, kind: 'infobase', stage: 'split', state: 'failed', attempts: 3 } });
    const written = await writeRunReport(manifests, { runKey: RUN_KEY, report: { workflowId: 'w', runId: 'r', snapshotDt: '2026-10-01', status: 'failed' } as Omit<RunReport, 'tables'> });
    expect(written.tables).toBe(p.tables.length);
    const full = JSON.parse(await readFile(written.location, 'utf8')) as RunReport;
    expect(full).toMatchObject({ workflowId: 'w', runId: 'r', status: 'failed' });
    expect(full.tables.map((t) => t.name)).toEqual(p.tables.map((t) => t.name));
    expect(full.tables[0]).toMatchObject({ state: 'failed', attempts: 3 });
    expect(full.tables[2]).toMatchObject({ state: 'failed', lastError: `bucket of ${p.tables[2]!.name} broke` });
    expect(full.tables[3]).toMatchObject({ state: 'succeeded', rowsBucketed: 10 });
  });

  it('a run of more than one page is published in parts: one workflow START and one FAIL naming the failed tables of every part', async () => {
    const p = plan(TABLE_PAGE * 2 + 1);
    await seedRun(manifests, p);
    const publisher = createLineagePublisher(config, home);
    const outcome = await publishRunLineage(manifests, publisher, { runKey: RUN_KEY, header: header() }, NO_CONTEXT);
    expect(outcome.status).toBe('published');

    const events = (await readFile(path.join(home, config.lineage.file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const isWorkflow = (e: { job: { facets: { jobType: { jobType: string } } } }) => e.job.facets.jobType.jobType === 'WORKFLOW';
    const workflowEvents = events.filter(isWorkflow);
    expect(workflowEvents.map((e) => e.eventType)).toEqual(['START', 'FAIL']);
    const failedCount = p.tables.filter((_, i) => i % 3 === 2).length;
    const message: string = workflowEvents[1].run.facets.errorMessage.message;
    expect(message).toMatch(new RegExp(`^failed tables: T00003, T00006, .* and ${failedCount - 20} more$`));
    // Every table's split and CTAS task runs, each once.
    const tasks = events.filter((e) => !isWorkflow(e));
    expect(new Set(tasks.map((e) => e.job.name)).size).toBe(p.tables.length * 2);
    expect(tasks.length).toBe(p.tables.length * 4);
    expect(outcome.events).toBe(events.length);

    // One outbox record per part, all delivered; publishing again sends nothing twice.
    const published = await readdir(publishedDir(home));
    expect(published.filter((n) => n.includes('__part-')).length).toBe(3);
    expect(await readdir(outboxDir(home)).catch(() => [])).toEqual([]);
    const again = await publishRunLineage(manifests, publisher, { runKey: RUN_KEY, header: header() }, NO_CONTEXT);
    expect(again.status).toBe('published');
    expect((await readFile(path.join(home, config.lineage.file), 'utf8')).trim().split('\n').length).toBe(events.length);
  });

  it('a run of one page is published whole, as before parts existed', async () => {
    const p = plan(5);
    await seedRun(manifests, p);
    await publishRunLineage(manifests, createLineagePublisher(config, home), { runKey: RUN_KEY, header: header() }, NO_CONTEXT);
    const published = await readdir(publishedDir(home));
    expect(published).toHaveLength(1);
    expect(published[0]).not.toContain('__part-');
    const events = (await readFile(path.join(home, config.lineage.file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(events.at(-1).run.facets.errorMessage.message).toBe('failed tables: T00003');
  });

  it('combines the parts’ outcomes: the worst status with its part and reason, events summed', () => {
    expect(combineOutcomes([{ status: 'published', events: 3 }, { status: 'pending', reason: 'http 503', events: 1 }, { status: 'published', events: 2 }])).toEqual({
      status: 'pending',
      reason: 'part 2 of 3: http 503',
      events: 6,
    });
    expect(combineOutcomes([{ status: 'failed', reason: 'auth', events: 0 }])).toEqual({ status: 'failed', reason: 'auth', events: 0 });
  });
});
