import { describe, expect, it } from 'vitest';
import { objectWithStreamedArray } from '../../src/domain/jsonChunks.js';
import { buildRunEvents } from '../../src/lineage/openlineage/events.js';
import { buildOmModel } from '../../src/lineage/openmetadata/model.js';
import { failedOf, failedTablesMessage } from '../../src/lineage/parts.js';
import { recordKey } from '../../src/lineage/outbox.js';
import { sampleRun } from './fixtures.js';

const omOptions = { databaseService: { name: 's', type: 'Glue' }, database: 'd', sourceSchema: 'src', pipelineService: { name: 'p', type: 'CustomPipeline' }, pipelineName: 'x' };
const eventOptions = { jobNamespace: 'ns', jobName: 'flywheel', naming: { catalogNaming: 'glue' as const, region: 'us-east-1', accountId: '123456789012', athenaCatalog: 'awsdatacatalog' }, sqlDialect: 'athena' };

describe('a run published in parts', () => {
  it('has the workflow START in its first part, COMPLETE/FAIL in its last, task events in each', () => {
    const whole = buildRunEvents(sampleRun(), eventOptions);
    const first = buildRunEvents({ ...sampleRun(), part: { index: 0, count: 3 } }, eventOptions);
    const middle = buildRunEvents({ ...sampleRun(), part: { index: 1, count: 3 } }, eventOptions);
    const last = buildRunEvents({ ...sampleRun(), part: { index: 2, count: 3 } }, eventOptions);
    expect(first).toEqual(whole.slice(0, -1));
    expect(middle).toEqual(whole.slice(1, -1));
    expect(last).toEqual(whole.slice(1));
  });

  it('puts the pipeline status in the last part only; every part upserts the entities its edges need', () => {
    expect(buildOmModel(sampleRun(), omOptions).status).toBeDefined();
    const first = buildOmModel({ ...sampleRun(), part: { index: 0, count: 2 } }, omOptions);
    expect(first.status).toBeUndefined();
    expect(first.edges.length).toBeGreaterThan(0);
    expect(buildOmModel({ ...sampleRun(), part: { index: 1, count: 2 } }, omOptions).status).toBeDefined();
  });

  it('names at most 20 failed tables, then how many more; the last part names those of every part', () => {
    const run = sampleRun({ status: 'failed' });
    run.tables.forEach((t) => (t.state = 'failed'));
    expect(failedTablesMessage(run)).toBe(`failed tables: ${run.tables.map((t) => t.name).join(', ')}`);
    const names = Array.from({ length: 57 }, (_, i) => `T${i}`);
    const last = { ...run, part: { index: 4, count: 5, failedTables: failedOf(names) } };
    expect(failedTablesMessage(last)).toBe(`failed tables: ${names.slice(0, 20).join(', ')} and 37 more`);
    expect(failedTablesMessage({ ...run, tables: [] })).toBeUndefined();
  });

  it('keeps one outbox record per part; a whole run keeps its old key', () => {
    expect(recordKey('wf', 'run')).toMatch(/^wf__run\.[0-9a-f]{12}$/);
    const parts = [0, 1, 2].map((index) => recordKey('wf', 'run', { index, count: 3 }));
    expect(parts[1]).toMatch(/^wf__run__part-0002-of-0003\.[0-9a-f]{12}$/);
    expect(new Set([...parts, recordKey('wf', 'run')]).size).toBe(4);
  });
});

describe('objectWithStreamedArray', () => {
  async function* pages(...items: unknown[][]) {
    yield* items;
  }
  const text = async (chunks: AsyncIterable<string>) => {
    let all = '';
    for await (const c of chunks) all += c;
    return all;
  };

  it('is the JSON of the head with the array appended, pages joined, empty pages skipped', async () => {
    const head = { a: 1, b: 'x"y' };
    const json = await text(objectWithStreamedArray(head, 'tables', pages([{ n: 1 }], [], [{ n: 2 }, { n: 3 }])));
    expect(JSON.parse(json)).toEqual({ a: 1, b: 'x"y', tables: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(JSON.parse(await text(objectWithStreamedArray({}, 'tables', pages())))).toEqual({ tables: [] });
  });

  it('refuses a head that already has the field', async () => {
    await expect(text(objectWithStreamedArray({ tables: [] }, 'tables', pages()))).rejects.toThrow(/already has/);
  });
});
