import { closesRun } from '../parts.js';
import { describeBucketSkew } from '../../domain/bucketSkew.js';
import { STAGES } from '../../domain/tables.js';
import type { LineageDataset, LineageRun } from '../../ports/lineage.js';
import { toOmColumn, type OmColumn } from './dataTypes.js';
import { buildFqn, childFqn } from './fqn.js';
import { buildOmQuality, type OmQuality } from './quality.js';

/** What the OpenMetadata sink needs from the lineage config. */
export interface OmModelOptions {
  databaseService: { name: string; type: string };
  database: string;
  sourceSchema: string;
  pipelineService: { name: string; type: string };
  pipelineName: string;
}

export interface OmTable {
  fqn: string;
  body: { name: string; databaseSchema: string; tableType: 'External'; locationPath: string; columns: OmColumn[]; description?: string };
}

export interface OmEdge {
  /** Outbox step key: one edge is delivered at most once per run. */
  key: string;
  fromFqn: string;
  toFqn: string;
  /** Identity column mappings (column names in from → to). */
  columns: { from: string; to: string }[];
  sqlQuery?: string;
  description: string;
}

/** All request bodies of one run, except what needs ids from earlier responses (see lineageBody). */
export interface OmModel {
  databaseService: { name: string; serviceType: string; description: string };
  database: { name: string; service: string };
  schemas: { name: string; database: string }[];
  tables: OmTable[];
  pipelineService: { name: string; serviceType: string; description: string };
  pipeline: { fqn: string; body: { name: string; service: string; description: string; tasks: { name: string; taskType: string; downstreamTasks?: string[] }[] } };
  edges: OmEdge[];
  /** Absent for all but the last part of a run published in parts. */
  status?: { key: string; body: Record<string, unknown> };
  /** The quality gate's checks of the staged tables as test definitions, suites, cases and results. */
  quality: OmQuality;
}

const EXECUTION: Record<string, 'Successful' | 'Failed' | 'Skipped'> = { succeeded: 'Successful', failed: 'Failed', skipped: 'Skipped' };

function ms(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

function identityColumns(from: LineageDataset, to: LineageDataset): { from: string; to: string }[] {
  const byName = new Map(from.columns.map((c) => [c.name.toLowerCase(), c.name]));
  return to.columns.flatMap((c) => {
    const source = byName.get(c.name.toLowerCase());
    return source === undefined ? [] : [{ from: source, to: c.name }];
  });
}

/**
 * Builds every entity, edge and status body for one run. Pure: FQNs follow OpenMetadata's quoting rule
 * (quoteName throws for a name with `"`), tables carry their full column lists (a PUT replaces them),
 * and the pipeline always lists every stage as a task (a PUT replaces tasks too).
 */
export function buildOmModel(run: LineageRun, options: OmModelOptions): OmModel {
  const serviceFqn = buildFqn(options.databaseService.name);
  const databaseFqn = childFqn(serviceFqn, options.database);
  const schemaNames = new Set<string>();
  const tables = new Map<string, OmTable>();

  const table = (ds: LineageDataset, description: string): string => {
    const schema = ds.database ?? options.sourceSchema;
    schemaNames.add(schema);
    const fqn = childFqn(childFqn(databaseFqn, schema), ds.name);
    tables.set(fqn, {
      fqn,
      body: {
        name: ds.name,
        databaseSchema: childFqn(databaseFqn, schema),
        tableType: 'External',
        locationPath: ds.location,
        columns: ds.columns.map((c, i) => toOmColumn(c.name, c.type, i + 1)),
        description,
      },
    });
    return fqn;
  };

  const pipelineFqn = buildFqn(options.pipelineService.name, options.pipelineName);
  const edges: OmEdge[] = [];
  const checked: Parameters<typeof buildOmQuality>[0][number][] = [];
  for (const t of run.tables) {
    const sourceFqn = table(t.source, `Source files of ${t.name} (latest snapshot registered by Flywheel).`);
    let upstream = { fqn: sourceFqn, ds: t.source };
    if (t.staged) {
      const stagedFqn = table(t.staged, `${t.name} split into the staged layout by Flywheel.`);
      edges.push({
        key: `om:edge:${sourceFqn}>${stagedFqn}`,
        fromFqn: sourceFqn,
        toFqn: stagedFqn,
        columns: identityColumns(t.source, t.staged),
        description: t.job ? `Split by job ${t.job.name} (run ${t.job.runId})` : `Split stage of ${t.name}`,
      });
      upstream = { fqn: stagedFqn, ds: t.staged };
      if (t.quality) checked.push({ tableFqn: stagedFqn, quality: t.quality, ...(t.approval ? { approval: t.approval } : {}) });
    }
    if (t.bucketed) {
      const skew = t.bucketSkew ? ` Bucket skew at the last refresh: ${describeBucketSkew(t.bucketSkew)}.` : '';
      const algorithm = t.bucketed.bucketing === 'hive-v1' ? ' (Hive bucketing v1)' : '';
      const bucketedFqn = table(t.bucketed, `${t.name} bucketed by ${t.bucketed.bucketColumn} into ${t.bucketed.bucketCount} buckets${algorithm} by Flywheel.${skew}`);
      edges.push({
        key: `om:edge:${upstream.fqn}>${bucketedFqn}`,
        fromFqn: upstream.fqn,
        toFqn: bucketedFqn,
        columns: identityColumns(upstream.ds, t.bucketed),
        ...(t.bucketed.sql ? { sqlQuery: t.bucketed.sql } : {}),
        description: `Bucketed (${t.bucketed.bucketColumn}, ${t.bucketed.bucketCount} buckets)`,
      });
    }
  }

  const taskStatus = run.stages.map((s) => ({
    name: s.stage,
    executionStatus: EXECUTION[s.state] ?? 'Pending',
    ...(ms(s.startedAt) !== undefined ? { startTime: ms(s.startedAt) } : {}),
    ...(ms(s.endedAt) !== undefined ? { endTime: ms(s.endedAt) } : {}),
  }));
  const timestamp = ms(run.startedAt) ?? ms(run.endedAt) ?? 0;
  const stageNames: string[] = [...STAGES, ...run.stages.map((s) => s.stage).filter((s) => !(STAGES as readonly string[]).includes(s))];

  return {
    databaseService: { name: options.databaseService.name, serviceType: options.databaseService.type, description: 'Data catalog of the Flywheel cleanroom refresh (registered by Flywheel; no ingestion configured).' },
    database: { name: options.database, service: serviceFqn },
    schemas: [...schemaNames].map((name) => ({ name, database: databaseFqn })),
    tables: [...tables.values()],
    pipelineService: { name: options.pipelineService.name, serviceType: options.pipelineService.type, description: 'Temporal workers running Flywheel (no Temporal connector exists; CustomPipeline is the generic type).' },
    pipeline: {
      fqn: pipelineFqn,
      body: {
        name: options.pipelineName,
        service: buildFqn(options.pipelineService.name),
        description: `Monthly cleanroom refresh of environment ${run.environment}: ${stageNames.join(' → ')}.`,
        tasks: stageNames.map((name, i) => ({
          name,
          taskType: 'TemporalActivity',
          ...(i + 1 < stageNames.length ? { downstreamTasks: [stageNames[i + 1]!] } : {}),
        })),
      },
    },
    edges,
    quality: buildOmQuality(checked, ms(run.endedAt) ?? timestamp),
    status: !closesRun(run) ? undefined : {
      key: `om:status:${pipelineFqn}:${timestamp}`,
      body: {
        timestamp,
        executionStatus: run.status === 'succeeded' ? 'Successful' : 'Failed',
        executionId: `${run.workflowId}/${run.runId}`,
        ...(ms(run.endedAt) !== undefined ? { endTime: ms(run.endedAt) } : {}),
        taskStatus,
      },
    },
  };
}

/** PUT /api/v1/lineage body for one edge: all its column mappings in one request (OM keeps the last write). */
export function lineageBody(edge: OmEdge, ids: { from: { id: string; fqn: string }; to: { id: string; fqn: string }; pipelineId: string }) {
  return {
    edge: {
      fromEntity: { id: ids.from.id, type: 'table' },
      toEntity: { id: ids.to.id, type: 'table' },
      lineageDetails: {
        source: 'PipelineLineage',
        pipeline: { id: ids.pipelineId, type: 'pipeline' },
        description: edge.description,
        ...(edge.sqlQuery ? { sqlQuery: edge.sqlQuery } : {}),
        columnsLineage: edge.columns.map((c) => ({ fromColumns: [childFqn(ids.from.fqn, c.from)], toColumn: childFqn(ids.to.fqn, c.to) })),
      },
    },
  };
}
