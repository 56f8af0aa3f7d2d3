import type { AssessedBucketSkew } from '../../domain/bucketSkew.js';
import type { BucketingAlgorithm } from '../../domain/hiveBucketing.js';
import type { QualityApproval, TableQualityResult } from '../../domain/qualityResult.js';
import type { ColumnSpec } from '../../ports/catalog.js';
import type { BaseFacet } from './types.js';
import type { DatasetId } from './naming.js';

/** Identifies Flywheel as the producer of every event and facet (must be a URI). */
export const PRODUCER = 'https://github.com/flywheel/flywheel/tree/v0.1.0/src/lineage';

const FACET_URLS = {
  schema: 'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
  columnLineage: 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet',
  parent: 'https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet',
  errorMessage: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  nominalTime: 'https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet',
  sql: 'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet',
  jobType: 'https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
  dataQualityAssertions: 'https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet',
  dataQualityMetrics: 'https://openlineage.io/spec/facets/1-0-3/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet',
  // Custom facet (OpenLineage: custom facets carry a prefixed key and their own schema); the schema is in schemas/.
  bucketSkew: 'https://github.com/flywheel/flywheel/tree/v0.1.0/src/lineage/openlineage/schemas/BucketSkewDatasetFacet.json#/$defs/BucketSkewDatasetFacet',
} as const;

/** Dataset facet key of the custom bucket-skew facet. */
export const BUCKET_SKEW_FACET = 'flywheel_bucketSkew';

function facet(kind: keyof typeof FACET_URLS, body: Record<string, unknown>): BaseFacet {
  return { _producer: PRODUCER, _schemaURL: FACET_URLS[kind], ...body };
}

/** `type` is always set: OpenMetadata's OpenLineage endpoint requires it although the spec does not. */
export function schemaFacet(columns: ColumnSpec[]): BaseFacet {
  return facet('schema', {
    fields: columns.map((c, i) => ({ name: c.name, type: c.type, ordinal_position: i + 1 })),
  });
}

/** Identity mappings for every output column that also exists in the input (matched case-insensitively). */
export function identityColumnLineageFacet(input: DatasetId, inputColumns: ColumnSpec[], outputColumns: ColumnSpec[]): BaseFacet | undefined {
  const byName = new Map(inputColumns.map((c) => [c.name.toLowerCase(), c.name]));
  const fields: Record<string, unknown> = {};
  for (const column of outputColumns) {
    const source = byName.get(column.name.toLowerCase());
    if (source === undefined) continue;
    fields[column.name] = {
      inputFields: [
        { namespace: input.namespace, name: input.name, field: source, transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }] },
      ],
    };
  }
  return Object.keys(fields).length ? facet('columnLineage', { fields }) : undefined;
}

export function parentRunFacet(parent: { runId: string; namespace: string; name: string }): BaseFacet {
  return facet('parent', {
    run: { runId: parent.runId },
    job: { namespace: parent.namespace, name: parent.name },
    root: { run: { runId: parent.runId }, job: { namespace: parent.namespace, name: parent.name } },
  });
}

export function errorMessageFacet(message: string): BaseFacet {
  return facet('errorMessage', { message, programmingLanguage: 'TypeScript' });
}

/** The snapshot month is the run's schedule: [snapshotDt, snapshotDt + 1 month). */
export function nominalTimeFacet(snapshotDt: string): BaseFacet {
  const start = new Date(`${snapshotDt}T00:00:00.000Z`);
  const end = new Date(start);
  end.setUTCMonth(end.getUTCMonth() + 1);
  return facet('nominalTime', { nominalStartTime: start.toISOString(), nominalEndTime: end.toISOString() });
}

export function sqlJobFacet(query: string, dialect: string): BaseFacet {
  return facet('sql', { query, dialect });
}

export function jobTypeFacet(jobType: 'WORKFLOW' | 'TASK'): BaseFacet {
  return facet('jobType', { processingType: 'BATCH', integration: 'TEMPORAL', jobType });
}

/** Rows per bucket of a bucketed table and the verdict against validation.maxBucketSkew. */
export function bucketSkewFacet(bucketed: { bucketColumn: string; bucketCount: number; bucketing?: BucketingAlgorithm }, skew: AssessedBucketSkew): BaseFacet {
  return facet('bucketSkew', {
    bucketColumns: [bucketed.bucketColumn],
    bucketCount: bucketed.bucketCount,
    ...(bucketed.bucketing ? { algorithm: bucketed.bucketing } : {}),
    rowsPerBucket: { min: skew.minRows, median: skew.medianRows, max: skew.maxRows },
    maxOverMedian: skew.maxOverMedian,
    emptyBuckets: skew.emptyBuckets,
    largestBucket: skew.largestBucket,
    maxAllowed: skew.maxAllowed,
    verdict: skew.verdict,
  });
}

/**
 * The quality gate's checks as OpenLineage assertions (input facet of the staged table the CTAS reads):
 * `success` false for a warn or a fail (issues found), `severity` `warn` or `error`; an operator's approval is in
 * `params` of the failed ones.
 */
export function dataQualityAssertionsFacet(quality: TableQualityResult, approval?: QualityApproval): BaseFacet {
  return facet('dataQualityAssertions', {
    assertions: quality.checks.map((c) => ({
      assertion: c.check,
      name: c.column ? `${c.check}:${c.column}` : c.check,
      success: c.status === 'pass',
      ...(c.status === 'pass' ? {} : { severity: c.status === 'fail' ? 'error' : 'warn' }),
      ...(c.column ? { column: c.column } : {}),
      description: c.message,
      expected: c.expected,
      actual: c.observed,
      ...(c.status === 'fail' && approval ? { params: { approvedAt: approval.approvedAt, approvalReason: approval.reason } } : {}),
    })),
  });
}

/** What the gate measured: rows, and per measured column its NULL count, non-NULL count and distinct count. */
export function dataQualityMetricsFacet(quality: TableQualityResult): BaseFacet | undefined {
  const metrics = quality.metrics;
  if (!metrics) return undefined;
  const columnMetrics: Record<string, Record<string, number>> = {};
  for (const [name, m] of Object.entries(metrics.columns)) {
    columnMetrics[name] = { nullCount: m.nulls, count: metrics.rows - m.nulls, ...(m.distinct !== undefined ? { distinctCount: m.distinct } : {}) };
  }
  return facet('dataQualityMetrics', { rowCount: metrics.rows, columnMetrics });
}
