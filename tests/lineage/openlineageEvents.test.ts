import { describe, expect, it } from 'vitest';
import { buildRunEvents, type EventOptions } from '../../src/lineage/openlineage/events.js';
import { uuidV5 } from '../../src/lineage/openlineage/ids.js';
import { locationDatasetId } from '../../src/lineage/openlineage/naming.js';
import type { RunEvent } from '../../src/lineage/openlineage/types.js';
import {
  compileRef,
  explain,
  OM_BASE,
  OPENLINEAGE_RUN_EVENT,
  openLineageAjv,
  openMetadataAjv,
} from './contracts.js';
import { sampleRun } from './fixtures.js';

const athena: EventOptions = {
  jobNamespace: 'flywheel-prod',
  jobName: 'cleanroom_refresh',
  naming: { catalogNaming: 'athena', region: 'us-east-1', athenaCatalog: 'awsdatacatalog' },
  sqlDialect: 'athena',
};
const glue: EventOptions = { ...athena, naming: { ...athena.naming, catalogNaming: 'glue', accountId: '123456789012' } };
const local: EventOptions = { ...athena, naming: { ...athena.naming, catalogNaming: 'location' }, sqlDialect: 'duckdb' };

const byJob = (events: RunEvent[], name: string) => events.filter((e) => e.job.name === name);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Facet key → the schema it must claim (and be validated against). */
const FACET_SCHEMAS: Record<string, string> = {
  schema: 'SchemaDatasetFacet',
  columnLineage: 'ColumnLineageDatasetFacet',
  parent: 'ParentRunFacet',
  errorMessage: 'ErrorMessageRunFacet',
  nominalTime: 'NominalTimeRunFacet',
  sql: 'SQLJobFacet',
  jobType: 'JobTypeJobFacet',
  flywheel_bucketSkew: 'BucketSkewDatasetFacet',
};

function allFacets(event: RunEvent): [string, { _schemaURL: string }][] {
  const datasets = [...event.inputs, ...event.outputs];
  return [
    ...Object.entries(event.run.facets ?? {}),
    ...Object.entries(event.job.facets ?? {}),
    ...datasets.flatMap((d) => Object.entries(d.facets ?? {})),
  ];
}

describe('OpenLineage events against the official 2-0-2 schema and facet schemas', () => {
  it('every event is a valid RunEvent and every facet validates against its own schema', () => {
    const ajv = openLineageAjv();
    const validateEvent = compileRef(ajv, OPENLINEAGE_RUN_EVENT);
    for (const options of [athena, glue, local]) {
      const events = buildRunEvents(sampleRun(), options);
      for (const event of events) {
        expect(validateEvent(event), explain(validateEvent)).toBe(true);
        // The core schema only checks facets against BaseFacet; each facet's own schema is separate.
        for (const [key, facet] of allFacets(event)) {
          expect(facet._schemaURL.endsWith(`#/$defs/${FACET_SCHEMAS[key]}`), `${key} claims ${facet._schemaURL}`).toBe(true);
          const validateFacet = ajv.getSchema(facet._schemaURL);
          expect(validateFacet, `schema ${facet._schemaURL} is loaded`).toBeDefined();
          expect(validateFacet!(facet), `${key}: ${explain(validateFacet!)}`).toBe(true);
        }
      }
    }
  });

  it('the validators reject broken events (the contract check can fail)', () => {
    const ajv = openLineageAjv();
    const validateEvent = compileRef(ajv, OPENLINEAGE_RUN_EVENT);
    const event = buildRunEvents(sampleRun(), athena)[1]!;
    expect(validateEvent({ ...event, run: { runId: 'not-a-uuid' } })).toBe(false);
    expect(validateEvent({ ...event, eventType: 'DONE' })).toBe(false);
    const error = { ...event.run.facets!.parent!, _schemaURL: undefined };
    expect(ajv.getSchema('https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet')!(error)).toBe(false);
  });

  it("events are also accepted by OpenMetadata's openLineageRunEvent schema (additionalProperties: false)", () => {
    const ajv = openMetadataAjv();
    const validate = ajv.getSchema(`${OM_BASE}api/lineage/openlineage/openLineageRunEvent.json`)!;
    for (const event of buildRunEvents(sampleRun(), athena)) expect(validate(event), explain(validate)).toBe(true);
    expect(validate({ ...buildRunEvents(sampleRun(), athena)[0]!, extra: 1 })).toBe(false);
  });
});

describe('OpenLineage event content', () => {
  it('derives UUID v5 run ids (RFC 4122 test vector) and is deterministic per (workflow run, stage, table)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    const first = buildRunEvents(sampleRun(), athena);
    expect(buildRunEvents(sampleRun(), athena)).toEqual(first);
    const other = buildRunEvents(sampleRun({ runId: 'another-run' }), athena);
    const ids = new Set(first.map((e) => e.run.runId));
    expect(ids.size).toBe(5); // workflow, IBE_01 split + bucket, addressable bucket, IBE_02 split
    for (const id of ids) expect(id).toMatch(UUID);
    expect(other.map((e) => e.run.runId).some((id) => ids.has(id))).toBe(false);
  });

  it('emits workflow START/terminal around START+COMPLETE/FAIL per task, each a child of the workflow run', () => {
    const events = buildRunEvents(sampleRun(), athena);
    const workflow = byJob(events, 'cleanroom_refresh');
    expect(workflow.map((e) => e.eventType)).toEqual(['START', 'FAIL']);
    expect(events[0]).toBe(workflow[0]);
    expect(events.at(-1)).toBe(workflow[1]);
    expect((workflow[1]!.run.facets!.errorMessage as unknown as { message: string }).message).toContain('IBE_02');
    const parentId = workflow[0]!.run.runId;
    for (const e of events.filter((e) => e.job.name !== 'cleanroom_refresh')) {
      expect((e.run.facets!.parent as unknown as { run: { runId: string } }).run.runId).toBe(parentId);
      expect(e.run.facets!.nominalTime).toMatchObject({ nominalStartTime: '2026-10-01T00:00:00.000Z', nominalEndTime: '2026-11-01T00:00:00.000Z' });
    }
    expect(byJob(events, 'cleanroom_refresh.split.IBE_01').map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    expect(byJob(events, 'cleanroom_refresh.bucket.IBE_01').map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    const failed = byJob(events, 'cleanroom_refresh.split.IBE_02');
    expect(failed.map((e) => e.eventType)).toEqual(['START', 'FAIL']);
    expect(failed[1]!.run.facets!.errorMessage).toMatchObject({ message: 'Glue job run jr_def FAILED: OutOfMemory', programmingLanguage: 'TypeScript' });
    expect(byJob(events, 'cleanroom_refresh.bucket.IBE_02')).toEqual([]);
    // The addressable ids have no staged table: their bucket job reads the source directly.
    expect(byJob(events, 'cleanroom_refresh.split.addressable_ids')).toEqual([]);
    expect(byJob(events, 'cleanroom_refresh.bucket.addressable_ids')[1]!.inputs[0]!.namespace).toBe('s3://omc-src');
    expect(events.find((e) => e.job.name === 'cleanroom_refresh.split.IBE_01')!.eventTime).toBe('2026-10-02T01:01:00.000Z');
  });

  it('names datasets per the naming spec and maps columns source → staged → bucketed', () => {
    const events = buildRunEvents(sampleRun(), athena);
    const split = byJob(events, 'cleanroom_refresh.split.IBE_01')[1]!;
    expect(split.inputs[0]).toMatchObject({ namespace: 's3://omc-src', name: 'opus/infobase_attributes/IBE_01/snapshot_dt=2026-10-01' });
    const staged = split.outputs[0]!;
    expect(staged).toMatchObject({ namespace: 'awsathena://athena.us-east-1.amazonaws.com', name: 'awsdatacatalog.omc_flywheel_prod.ibe_01_staged' });
    const lineage = staged.facets!.columnLineage as unknown as { fields: Record<string, { inputFields: { namespace: string; name: string; field: string }[] }> };
    expect(Object.keys(lineage.fields)).toEqual(['customer_user_id', 'age', 'income']);
    expect(lineage.fields.age!.inputFields).toEqual([
      expect.objectContaining({ namespace: 's3://omc-src', name: 'opus/infobase_attributes/IBE_01/snapshot_dt=2026-10-01', field: 'age' }),
    ]);
    const ctas = byJob(events, 'cleanroom_refresh.bucket.IBE_01')[1]!;
    expect(ctas.inputs[0]!.name).toBe('awsdatacatalog.omc_flywheel_prod.ibe_01_staged');
    const bucketLineage = ctas.outputs[0]!.facets!.columnLineage as unknown as { fields: Record<string, { inputFields: { name: string }[] }> };
    expect(bucketLineage.fields.income!.inputFields[0]!.name).toBe('awsdatacatalog.omc_flywheel_prod.ibe_01_staged');
    expect(ctas.job.facets!.sql).toMatchObject({ dialect: 'athena', query: expect.stringContaining('ibe_01_bucketed') });

    const glueCtas = byJob(buildRunEvents(sampleRun(), glue), 'cleanroom_refresh.bucket.IBE_01')[1]!;
    expect(glueCtas.outputs[0]).toMatchObject({ namespace: 'arn:aws:glue:us-east-1:123456789012', name: 'table/omc_flywheel_prod/ibe_01_bucketed' });
    const localCtas = byJob(buildRunEvents(sampleRun(), local), 'cleanroom_refresh.bucket.IBE_01')[1]!;
    expect(localCtas.outputs[0]).toMatchObject({ namespace: 's3://omc-out', name: 'omc_cleanroom_data/bucketed/ibe_01' });
  });

  it("the CTAS COMPLETE event carries the bucketed table's skew as the flywheel_bucketSkew dataset facet", () => {
    const [start, complete] = byJob(buildRunEvents(sampleRun(), athena), 'cleanroom_refresh.bucket.IBE_01');
    expect(start!.outputs[0]!.facets!.flywheel_bucketSkew).toBeUndefined(); // measured after the CTAS, by validation
    expect(complete!.outputs[0]!.facets!.flywheel_bucketSkew).toMatchObject({
      bucketColumns: ['customer_user_id'],
      bucketCount: 256,
      algorithm: 'hive-v1',
      rowsPerBucket: { min: 1, median: 4, max: 9 },
      maxOverMedian: 2.25,
      maxAllowed: 1.5,
      verdict: 'too-few-rows',
    });
    const addressable = byJob(buildRunEvents(sampleRun(), athena), 'cleanroom_refresh.bucket.addressable_ids')[1]!;
    expect(addressable.outputs[0]!.facets!.flywheel_bucketSkew).toBeUndefined(); // not validated in the fixture
  });

  it('maps local paths to the file namespace', () => {
    expect(locationDatasetId('/srv/lake/bucket/opus/x/')).toEqual({ namespace: 'file', name: '/srv/lake/bucket/opus/x' });
    expect(locationDatasetId('file:///srv/lake/a')).toEqual({ namespace: 'file', name: '/srv/lake/a' });
    expect(locationDatasetId('s3://b/')).toEqual({ namespace: 's3://b', name: '/' });
  });
});
