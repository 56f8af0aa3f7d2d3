import { describe, expect, it } from 'vitest';
import { buildRunEvents, type EventOptions } from '../../src/lineage/openlineage/events.js';
import { buildOmModel } from '../../src/lineage/openmetadata/model.js';
import type { BaseFacet } from '../../src/lineage/openlineage/types.js';
import { compileRef, explain, OM_BASE, OPENLINEAGE_RUN_EVENT, openLineageAjv, openMetadataAjv } from './contracts.js';
import { sampleQualityRun } from './fixtures.js';

const options: EventOptions = {
  jobNamespace: 'flywheel-prod',
  jobName: 'cleanroom_refresh',
  naming: { catalogNaming: 'athena', region: 'us-east-1', athenaCatalog: 'awsdatacatalog' },
  sqlDialect: 'athena',
};
const omOptions = {
  databaseService: { name: 'flywheel_athena', type: 'Athena' },
  database: 'awsdatacatalog',
  sourceSchema: 'raw',
  pipelineService: { name: 'flywheel_temporal', type: 'CustomPipeline' },
  pipelineName: 'cleanroom_refresh',
};

describe('quality gate results as OpenLineage data-quality facets (official 1.52.0 schemas)', () => {
  const events = buildRunEvents(sampleQualityRun(), options);
  const ctas = (table: string) => events.filter((e) => e.job.name === `cleanroom_refresh.bucket.${table}`);

  it('the CTAS task of a checked table has DataQualityAssertions + DataQualityMetrics on its staged input, and every event stays valid', () => {
    const ajv = openLineageAjv();
    const validateEvent = compileRef(ajv, OPENLINEAGE_RUN_EVENT);
    let facets = 0;
    for (const event of events) {
      expect(validateEvent(event), explain(validateEvent)).toBe(true);
      for (const input of event.inputs) {
        for (const [key, facet] of Object.entries(input.inputFacets ?? {}) as [string, BaseFacet][]) {
          const validate = ajv.getSchema(facet._schemaURL);
          expect(validate, `${key}: schema ${facet._schemaURL} loaded`).toBeDefined();
          expect(validate!(facet), `${key}: ${explain(validate!)}`).toBe(true);
          facets++;
        }
      }
    }
    // IBE_01 (approved) and IBE_04 (abandoned at the gate): START + terminal event each, two facets.
    expect(facets).toBe(8);
    const [, complete] = ctas('IBE_01');
    const input = complete!.inputs[0]!;
    expect(input.name).toBe('awsdatacatalog.omc_flywheel_prod.ibe_01_staged');
    const assertions = (input.inputFacets!.dataQualityAssertions as unknown as { assertions: Record<string, unknown>[] }).assertions;
    expect(assertions.find((a) => a.assertion === 'rows.change')).toEqual({
      assertion: 'rows.change',
      name: 'rows.change',
      success: false,
      severity: 'error',
      description: 'IBE_01: rows 412,118 vs 981,442 last month (\u221258 %), band \u221220 %\u2026+50 %',
      expected: '\u221220 %\u2026+50 % of 981,442',
      actual: '412,118 (\u221258 %)',
      params: { approvedAt: '2026-10-02T02:00:00.000Z', approvalReason: 'vendor confirmed the smaller delivery (ticket DATA-123)' },
    });
    expect(assertions.find((a) => a.assertion === 'schema.removed')).toMatchObject({ success: false, column: 'gone' });
    expect(assertions.find((a) => a.assertion === 'schema.bucketColumn')).toMatchObject({ success: true, column: 'customer_user_id' });
    expect(input.inputFacets!.dataQualityMetrics).toMatchObject({
      rowCount: 412_118,
      columnMetrics: { customer_user_id: { nullCount: 4_000, count: 408_118 } },
    });
    const abandoned = ctas('IBE_04').at(-1)!;
    expect(abandoned.eventType).toBe('FAIL');
    expect(abandoned.inputs[0]!.inputFacets!.dataQualityAssertions).toBeDefined();
  });

  it('the facet schemas reject a broken assertion (the check can fail)', () => {
    const ajv = openLineageAjv();
    const facet = ctas('IBE_01')[1]!.inputs[0]!.inputFacets!.dataQualityAssertions!;
    const validate = ajv.getSchema(facet._schemaURL)!;
    expect(validate({ ...facet, assertions: [{ assertion: 'rows.change' }] })).toBe(false);
    expect(validate({ ...facet, assertions: [{ assertion: 'rows.change', success: 'no' }] })).toBe(false);
  });
});

describe('quality gate results as OpenMetadata 1.13 test definitions, suites, cases and results', () => {
  const quality = buildOmModel(sampleQualityRun(), omOptions).quality;
  const ajv = openMetadataAjv();
  const schema = (rel: string) => compileRef(ajv, OM_BASE + rel);

  it('every body validates against its official schema', () => {
    const bodies: [string, unknown[]][] = [
      ['api/tests/createTestDefinition.json', quality.testDefinitions],
      ['api/tests/createTestSuite.json', quality.testSuites.map((s) => s.body)],
      ['api/tests/createTestCase.json', quality.testCases.map((c) => c.body)],
      ['api/tests/createTestCaseResult.json', quality.testCases.map((c) => c.result)],
    ];
    for (const [rel, list] of bodies) {
      const validate = schema(rel);
      expect(list.length, rel).toBeGreaterThan(0);
      for (const body of list) expect(validate(body), `${rel}: ${explain(validate)}\n${JSON.stringify(body)}`).toBe(true);
    }
  });

  it('one suite per checked staged table, a case per check linked to the table or the column, results with the words', () => {
    expect(quality.testSuites.map((s) => s.fqn)).toEqual([expect.stringContaining('ibe_01_staged'), expect.stringContaining('ibe_04_staged')]);
    const rows = quality.testCases.find((c) => c.body.name === 'flywheel_rows_change' && c.fqn.includes('ibe_01'))!;
    expect(rows.body.testDefinition).toBe('flywheelRowCountChangeWithinBand');
    expect(rows.body.entityLink).toMatch(/^<#E::table::.*ibe_01_staged>$/);
    expect(rows.result).toMatchObject({ testCaseStatus: 'Failed', timestamp: Date.parse('2026-10-02T02:30:00.000Z') });
    expect(rows.result.result).toBe(
      'IBE_01: rows 412,118 vs 981,442 last month (\u221258 %), band \u221220 %\u2026+50 % — approved 2026-10-02T02:00:00.000Z: vendor confirmed the smaller delivery (ticket DATA-123)',
    );
    const nulls = quality.testCases.find((c) => c.body.name === 'flywheel_nullRate_customer_user_id' && c.fqn.includes('ibe_01'))!;
    expect(nulls.body.entityLink).toMatch(/::columns::customer_user_id>$/);
    expect(nulls.fqn.endsWith('ibe_01_staged.customer_user_id.flywheel_nullRate_customer_user_id')).toBe(true);
  });

  it('the schemas reject a result without a status (the check can fail)', () => {
    const validate = schema('api/tests/createTestCaseResult.json');
    const { testCaseStatus: _omit, ...broken } = quality.testCases[0]!.result;
    expect(validate(broken)).toBe(false);
    expect(validate({ ...quality.testCases[0]!.result, testCaseStatus: 'Warning' })).toBe(false);
  });
});
