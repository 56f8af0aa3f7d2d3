import type { LineageDataset, LineageRun, LineageTable } from '../../ports/lineage.js';
import { closesRun, failedTablesMessage, opensRun } from '../parts.js';
import { lineageRunId } from './ids.js';
import { datasetId, type DatasetNaming } from './naming.js';
import {
  BUCKET_SKEW_FACET,
  bucketSkewFacet,
  dataQualityAssertionsFacet,
  dataQualityMetricsFacet,
  errorMessageFacet,
  identityColumnLineageFacet,
  jobTypeFacet,
  nominalTimeFacet,
  parentRunFacet,
  PRODUCER,
  schemaFacet,
  sqlJobFacet,
} from './facets.js';
import { OPENLINEAGE_SCHEMA_URL, type EventType, type Facets, type OLDataset, type RunEvent } from './types.js';

export interface EventOptions {
  /** OpenLineage job namespace (config `lineage.namespace`). */
  jobNamespace: string;
  /** Job name of the workflow; task jobs are `<jobName>.<stage>.<table>`. */
  jobName: string;
  naming: DatasetNaming;
  /** SQLJobFacet dialect of the CTAS (`athena` on AWS, `duckdb` locally). */
  sqlDialect: string;
}

/** Stage names as in src/domain/tables.ts STAGES. */
const SPLIT = 'split';
const BUCKET = 'bucket';

function iso(value: string | undefined, fallback: string): string {
  const date = new Date(value ?? fallback);
  return Number.isNaN(date.getTime()) ? new Date(fallback).toISOString() : date.toISOString();
}

function stageWindow(run: LineageRun, stage: string): { start: string; end: string } {
  const timing = run.stages.find((s) => s.stage === stage);
  const start = iso(timing?.startedAt, run.startedAt);
  return { start, end: iso(timing?.endedAt, run.endedAt) };
}

function dataset(ds: LineageDataset, naming: DatasetNaming, upstream?: LineageDataset, extra: Facets = {}): OLDataset {
  const id = datasetId(ds, naming);
  const facets: Facets = { ...extra };
  if (ds.columns.length) facets.schema = schemaFacet(ds.columns);
  if (upstream) {
    const columnLineage = identityColumnLineageFacet(datasetId(upstream, naming), upstream.columns, ds.columns);
    if (columnLineage) facets.columnLineage = columnLineage;
  }
  return Object.keys(facets).length ? { ...id, facets } : id;
}

/** The gate checked the staged table before the CTAS read it: its results are input facets of the CTAS task. */
function withQuality(input: OLDataset, task: TaskRun): OLDataset {
  const quality = task.table.quality;
  if (task.stage !== BUCKET || !quality || quality.checks.length === 0) return input;
  const metrics = dataQualityMetricsFacet(quality);
  return {
    ...input,
    inputFacets: { dataQualityAssertions: dataQualityAssertionsFacet(quality, task.table.approval), ...(metrics ? { dataQualityMetrics: metrics } : {}) },
  };
}

interface TaskRun {
  stage: string;
  table: LineageTable;
  input: LineageDataset;
  output?: LineageDataset;
  failed: boolean;
  sql?: string;
}

/** Which task runs a table went through, inferred from what it produced (see the port's LineageTable). */
function taskRuns(table: LineageTable): TaskRun[] {
  const failed = table.state === 'failed';
  const runs: TaskRun[] = [];
  const splitRan = table.staged !== undefined || table.job !== undefined;
  const ctasRan = table.bucketed !== undefined || (failed && table.staged !== undefined);
  if (splitRan || (failed && !ctasRan)) {
    runs.push({ stage: SPLIT, table, input: table.source, output: table.staged, failed: failed && !table.staged });
  }
  if (ctasRan) {
    const bucketed = table.bucketed;
    runs.push({
      stage: BUCKET,
      table,
      input: table.staged ?? table.source,
      output: bucketed,
      failed: failed && !bucketed,
      sql: bucketed?.sql,
    });
  }
  return runs;
}

/**
 * All RunEvents of one workflow run: the workflow's START, per table START + COMPLETE/FAIL of the split
 * job and of the CTAS (each a child of the workflow run via ParentRunFacet), then the workflow's
 * COMPLETE/FAIL. Run ids are derived from (workflow run, stage, table), so building twice gives the same events.
 * A run published in parts has the workflow's START in its first part and COMPLETE/FAIL in its last.
 */
export function buildRunEvents(run: LineageRun, options: EventOptions): RunEvent[] {
  const { jobNamespace, naming } = options;
  const parent = { runId: lineageRunId(run.workflowId, run.runId, 'workflow'), namespace: jobNamespace, name: options.jobName };
  const nominal = nominalTimeFacet(run.snapshotDt);
  const event = (
    eventType: EventType,
    eventTime: string,
    runPart: RunEvent['run'],
    job: RunEvent['job'],
    inputs: OLDataset[],
    outputs: OLDataset[],
  ): RunEvent => ({ eventTime, producer: PRODUCER, schemaURL: OPENLINEAGE_SCHEMA_URL, eventType, run: runPart, job, inputs, outputs });

  const parentJob = { namespace: jobNamespace, name: options.jobName, facets: { jobType: jobTypeFacet('WORKFLOW') } };
  const start = iso(undefined, run.startedAt);
  const end = iso(undefined, run.endedAt);
  const events: RunEvent[] = opensRun(run) ? [event('START', start, { runId: parent.runId, facets: { nominalTime: nominal } }, parentJob, [], [])] : [];

  for (const table of run.tables) {
    for (const task of taskRuns(table)) {
      const window = stageWindow(run, task.stage);
      const runId = lineageRunId(run.workflowId, run.runId, task.stage, table.name);
      const jobFacets: Facets = { jobType: jobTypeFacet('TASK') };
      if (task.sql) jobFacets.sql = sqlJobFacet(task.sql, options.sqlDialect);
      const job = { namespace: jobNamespace, name: `${options.jobName}.${task.stage}.${table.name}`, facets: jobFacets };
      const inputs = [withQuality(dataset(task.input, naming), task)];
      const outputs = task.output ? [dataset(task.output, naming, task.input)] : [];
      const runFacets: Facets = { parent: parentRunFacet(parent), nominalTime: nominal };
      events.push(event('START', window.start, { runId, facets: runFacets }, job, inputs, outputs));
      const terminalFacets: Facets = task.failed
        ? { ...runFacets, errorMessage: errorMessageFacet(table.error ?? `${task.stage} of ${table.name} failed`) }
        : runFacets;
      // Skew is measured by validation, after the CTAS: only the terminal event knows it.
      const measured = task.stage === BUCKET && table.bucketed && table.bucketSkew
        ? { [BUCKET_SKEW_FACET]: bucketSkewFacet(table.bucketed, table.bucketSkew) }
        : undefined;
      const terminalOutputs = measured && task.output ? [dataset(task.output, naming, task.input, measured)] : outputs;
      events.push(event(task.failed ? 'FAIL' : 'COMPLETE', window.end, { runId, facets: terminalFacets }, job, inputs, terminalOutputs));
    }
  }

  if (!closesRun(run)) return events;
  const parentFacets: Facets = { nominalTime: nominal };
  if (run.status === 'failed') parentFacets.errorMessage = errorMessageFacet(failedTablesMessage(run) ?? 'workflow run failed');
  events.push(event(run.status === 'failed' ? 'FAIL' : 'COMPLETE', end, { runId: parent.runId, facets: parentFacets }, parentJob, [], []));
  return events;
}
