import { describe, expect, it } from 'vitest';
import { resolveLineageConfig } from '../../src/lineage/config.js';
import { SinkError } from '../../src/lineage/errors.js';
import { CircuitBreaker } from '../../src/lineage/http/breaker.js';
import { toOmColumn } from '../../src/lineage/openmetadata/dataTypes.js';
import { buildFqn, fqnPathSegment, quoteName } from '../../src/lineage/openmetadata/fqn.js';
import { buildOmModel } from '../../src/lineage/openmetadata/model.js';
import { sampleConfig, sampleRun } from './fixtures.js';

describe('lineage config', () => {
  it('applies defaults and the environment overrides', () => {
    const resolved = resolveLineageConfig(sampleConfig({ sink: 'file' }), {
      FLYWHEEL_LINEAGE_SINK: 'openmetadata',
      OPENMETADATA_URL: 'https://om.example.com:8585/',
      OPENLINEAGE_URL: 'http://marquez:5000',
      OPENLINEAGE_ENDPOINT: 'api/v2/lineage',
      AWS_REGION: 'eu-west-1',
    });
    expect(resolved).toMatchObject({
      sink: 'openmetadata',
      openmetadata: { url: 'https://om.example.com:8585', tokenEnv: 'OPENMETADATA_JWT_TOKEN', databaseService: { name: 'aws_glue', type: 'Glue' } },
      openlineage: { url: 'http://marquez:5000', endpoint: 'api/v2/lineage', apiKeyEnv: 'OPENLINEAGE_API_KEY' },
      breaker: { failureThreshold: 3, cooldownMs: 60_000 },
      catalogNaming: 'athena',
      region: 'eu-west-1',
    });
    expect(resolveLineageConfig(sampleConfig({}, 'local'), {}).catalogNaming).toBe('location');
  });

  it('rejects bad input with the field and the fix', () => {
    expect(() => resolveLineageConfig(sampleConfig({ openmetadata: { tokenEnv: 'lower' } }), {})).toThrow(/tokenEnv.*NAME of an environment variable/);
    expect(() => resolveLineageConfig(sampleConfig({ token: 'x' }), {})).toThrow(/token/);
    expect(() => resolveLineageConfig(sampleConfig(), { FLYWHEEL_LINEAGE_SINK: 'kafka' })).toThrow(/FLYWHEEL_LINEAGE_SINK=kafka/);
    expect(() => resolveLineageConfig(sampleConfig({ datasets: { catalogNaming: 'glue' } }), {})).toThrow(/accountId/);
    expect(() => resolveLineageConfig(sampleConfig({ sink: 'openlineage' }), {})).toThrow(/OPENLINEAGE_URL/);
  });
});

describe('OpenMetadata names and types', () => {
  it('quotes names with dots, rejects double quotes, percent-encodes FQNs for paths', () => {
    expect(buildFqn('aws_glue', 'awsdatacatalog', 'sales.v2', 'orders')).toBe('aws_glue.awsdatacatalog."sales.v2".orders');
    expect(() => quoteName('bad"name')).toThrow(SinkError);
    expect(fqnPathSegment('"a.b".c')).toBe('%22a.b%22.c');
  });

  it('a table name with a double quote fails the model (contract error, nothing sent)', () => {
    const run = sampleRun();
    run.tables[0]!.source.name = 'IBE"01';
    const options = { databaseService: { name: 's', type: 'Glue' }, database: 'd', sourceSchema: 'src', pipelineService: { name: 'p', type: 'CustomPipeline' }, pipelineName: 'x' };
    expect(() => buildOmModel(run, options)).toThrow(/double quote/);
  });

  it('maps Glue and DuckDB types to upper-case dataTypes and keeps the raw type', () => {
    expect(toOmColumn('a', 'varchar(7)')).toMatchObject({ dataType: 'VARCHAR', dataLength: 7, dataTypeDisplay: 'varchar(7)' });
    expect(toOmColumn('a', 'VARCHAR')).toMatchObject({ dataType: 'STRING', dataTypeDisplay: 'VARCHAR' });
    expect(toOmColumn('a', 'decimal(18,2)')).toMatchObject({ dataType: 'DECIMAL', precision: 18, scale: 2 });
    expect(toOmColumn('a', 'array<string>')).toMatchObject({ dataType: 'ARRAY', arrayDataType: 'STRING' });
    expect(toOmColumn('a', 'BIGINT[]')).toMatchObject({ dataType: 'ARRAY', arrayDataType: 'BIGINT' });
    expect(toOmColumn('a', 'struct<x:int>')).toMatchObject({ dataType: 'STRUCT' });
    expect(toOmColumn('a', 'MAP(VARCHAR, INTEGER)')).toMatchObject({ dataType: 'MAP' });
    expect(toOmColumn('a', 'TIMESTAMP WITH TIME ZONE')).toMatchObject({ dataType: 'TIMESTAMPZ' });
    expect(toOmColumn('a', 'char(3)')).toMatchObject({ dataType: 'CHAR', dataLength: 3 });
    expect(toOmColumn('a', 'binary')).toMatchObject({ dataType: 'BYTES' });
    expect(toOmColumn('a', 'geography_thing')).toMatchObject({ dataType: 'UNKNOWN', dataTypeDisplay: 'geography_thing' });
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, fails fast during the cool-down, lets one probe through, re-opens on a failed probe', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000 }, () => now);
    breaker.before('x');
    breaker.failure();
    breaker.before('x');
    breaker.failure();
    expect(breaker.current).toBe('open');
    expect(() => breaker.before('x')).toThrow(/circuit open/);
    now = 1000;
    breaker.before('x'); // the probe
    expect(breaker.current).toBe('half-open');
    expect(() => breaker.before('x')).toThrow(/probe is already in flight/);
    breaker.failure();
    expect(breaker.current).toBe('open');
    now = 2000;
    breaker.before('x');
    breaker.success();
    expect(breaker.current).toBe('closed');
  });
});
