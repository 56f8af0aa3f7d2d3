import type { FlywheelConfig } from '../config/schema.js';
import { restrictJob, type PlanSummary, type PlannedJob, type PlannedTable, type RefreshPlan } from '../domain/plan.js';
import { objectWithStreamedArray } from '../domain/jsonChunks.js';
import { compactReport } from '../domain/qualityResult.js';
import { trimHeapIfGrown } from '../tools/heapTrim.js';
import type { RunReport, TableReport } from '../domain/report.js';
import { lineageTable, type TableOutputs } from '../lineage/runTables.js';
import type { Backend } from '../ports/backend.js';
import type { RunManifests } from '../ports/runManifests.js';
import { discoverSnapshot, type DiscoverSnapshotInput } from './discoverSnapshot.js';

/**
 * A refresh's durable documents (`RunManifests`), as the activities read and write them:
 *   plan                       the full RefreshPlan from discovery
 *   tables/<T>/planned         a table re-discovered by a reprocess (newer sizes than the plan)
 *   tables/<T>/staged|bucketed what register and CTAS produced (written by those activities)
 *   tables/<T>/report          the table's latest TableReport and job run (written by its batch)
 *   report                     the final RunReport with every table
 * The workflows pass only the run key and bounded batches of names between them.
 */

export interface TableRecord {
  report: TableReport;
  job?: { name: string; runId: string };
}

const READ_CONCURRENCY = 16;

const LINEAGE_SINK_LABELS: Record<FlywheelConfig['lineage']['sink'], string> = {
  file: 'OpenLineage file',
  openlineage: 'OpenLineage',
  openmetadata: 'OpenMetadata',
  none: 'nowhere (disabled)',
};

/** `fn` over `items`, at most `limit` at once, results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function readPlan(manifests: RunManifests, runKey: string): Promise<RefreshPlan> {
  const plan = await manifests.read<RefreshPlan>(runKey, 'plan');
  if (!plan) throw new Error(`no plan in the run manifest ${manifests.location(runKey)}`);
  return plan;
}

export interface PlanRefreshRunInput extends DiscoverSnapshotInput {
  runKey: string;
}

/** Discovery for a refresh: the full plan goes to the manifest, the workflow gets names and settings. */
export async function planRefreshRun(config: FlywheelConfig, backend: Backend, input: PlanRefreshRunInput): Promise<PlanSummary> {
  const { runKey, ...request } = input;
  const plan = await discoverSnapshot(config, backend, request);
  await backend.manifests.write(runKey, 'plan', plan);
  const { tables, jobs: _jobs, ...settings } = plan;
  return {
    ...settings,
    tables: tables.map((t) => ({ name: t.name, kind: t.kind })),
    runKey,
    manifest: backend.manifests.location(runKey),
    scale: { ...config.scale },
    lineageSink: LINEAGE_SINK_LABELS[config.lineage.sink],
  };
}

export interface PrepareBatchInput {
  runKey: string;
  environment: string;
  snapshotDt: string;
  tables: string[];
  /** Tables restarting from split: their source is listed again, so a re-delivered file's size counts. */
  rediscover: string[];
}

export interface PreparedBatch {
  tables: PlannedTable[];
  /** The plan's jobs restricted to this batch's tables (file counts from the newest sizes). */
  jobs: PlannedJob[];
  /** Which outputs earlier attempts left, so a table restarting late goes back only as far as it must. */
  built: Record<string, { staged: boolean; bucketed: boolean }>;
}

export async function prepareBatch(config: FlywheelConfig, backend: Backend, input: PrepareBatchInput): Promise<PreparedBatch> {
  const { manifests } = backend;
  const plan = await readPlan(manifests, input.runKey);
  const planned = new Map(plan.tables.map((t) => [t.name, t]));
  const unknown = input.tables.filter((t) => !planned.has(t));
  if (unknown.length > 0) throw new Error(`tables not in the plan of ${input.runKey}: ${unknown.slice(0, 5).join(', ')}`);
  await mapLimit(input.tables, READ_CONCURRENCY, async (name) => {
    const newer = await manifests.read<PlannedTable>(input.runKey, `tables/${name}/planned`);
    if (newer) planned.set(name, newer);
  });
  if (input.rediscover.length > 0) {
    const fresh = await discoverSnapshot(config, backend, { environment: input.environment, snapshotDt: input.snapshotDt, tables: input.rediscover });
    await mapLimit(fresh.tables, READ_CONCURRENCY, async (t) => {
      planned.set(t.name, t);
      await manifests.write(input.runKey, `tables/${t.name}/planned`, t);
    });
  }
  const tables = input.tables.map((name) => planned.get(name)!);
  const built: PreparedBatch['built'] = {};
  await mapLimit(input.tables, READ_CONCURRENCY, async (name) => {
    const [staged, bucketed] = await Promise.all([
      manifests.read(input.runKey, `tables/${name}/staged`),
      manifests.read(input.runKey, `tables/${name}/bucketed`),
    ]);
    built[name] = { staged: staged !== undefined, bucketed: bucketed !== undefined };
  });
  const jobs = plan.jobs.map((job) => restrictJob(job, tables)).filter((job) => job.tables.length > 0);
  return { tables, jobs, built };
}

/** A batch's final word on its tables (reports and job runs), one document per table. */
export async function recordTables(manifests: RunManifests, input: { runKey: string; tables: TableRecord[] }): Promise<void> {
  await mapLimit(input.tables, READ_CONCURRENCY, (record) => manifests.write(input.runKey, `tables/${record.report.name}/report`, record));
}

export interface LoadedTable {
  planned: PlannedTable;
  record?: TableRecord;
  outputs: TableOutputs;
}

async function loadTables(manifests: RunManifests, runKey: string, names: readonly string[], plan: RefreshPlan, withOutputs: boolean): Promise<LoadedTable[]> {
  const planned = new Map(plan.tables.map((t) => [t.name, t]));
  return mapLimit(names, READ_CONCURRENCY, async (name) => {
    const [newer, record, staged, bucketed] = await Promise.all([
      manifests.read<PlannedTable>(runKey, `tables/${name}/planned`),
      manifests.read<TableRecord>(runKey, `tables/${name}/report`),
      withOutputs ? manifests.read<TableOutputs['staged']>(runKey, `tables/${name}/staged`) : undefined,
      withOutputs ? manifests.read<TableOutputs['bucketed']>(runKey, `tables/${name}/bucketed`) : undefined,
    ]);
    return { planned: newer ?? planned.get(name)!, record, outputs: { staged, bucketed, job: record?.job } };
  });
}

const pendingReport = (t: PlannedTable): TableReport => ({ name: t.name, kind: t.kind, stage: 'split', state: 'pending', attempts: 0 });

/**
 * One page of the tables' latest reports, in plan order (a refresh continuing as new reloads its state this
 * way): as the refresh keeps them, with compact quality results (see compactQuality).
 */
export async function loadTableReports(manifests: RunManifests, input: { runKey: string; offset: number; limit: number }): Promise<{ total: number; tables: TableReport[] }> {
  const plan = await readPlan(manifests, input.runKey);
  const names = plan.tables.slice(input.offset, input.offset + input.limit).map((t) => t.name);
  const loaded = await loadTables(manifests, input.runKey, names, plan, false);
  return { total: plan.tables.length, tables: loaded.map((t) => compactReport(latestReport(t))) };
}

/** Tables read from the manifest at once by the activities that go through every table (report, lineage). */
export const TABLE_PAGE = 100;

/** The plan's tables, page by page (at most TABLE_PAGE loaded at once): what the final report and lineage walk. */
export async function* tablePages(manifests: RunManifests, runKey: string, plan: RefreshPlan, withOutputs: boolean): AsyncGenerator<LoadedTable[]> {
  for (let offset = 0; offset < plan.tables.length; offset += TABLE_PAGE) {
    yield loadTables(manifests, runKey, plan.tables.slice(offset, offset + TABLE_PAGE).map((t) => t.name), plan, withOutputs);
    // The page just consumed is garbage now (its lineage events are ~6 KB per table): collect before the next.
    trimHeapIfGrown();
  }
}

export const latestReport = (t: LoadedTable): TableReport => t.record?.report ?? pendingReport(t.planned);

/** The lineage of one page of a refresh's tables. */
export function lineageTables(plan: RefreshPlan, page: readonly LoadedTable[]) {
  return page.map((t) => lineageTable(plan, t.planned, latestReport(t), t.outputs));
}

async function* reportPages(pages: AsyncIterable<LoadedTable[]>): AsyncGenerator<TableReport[]> {
  for await (const page of pages) yield page.map(latestReport);
}

/**
 * Writes the complete report (every table) to the manifest, streamed page by page: the worker never holds
 * every table's report at once (5,000 tables made a 229 MB heap); the workflow's own result stays bounded.
 */
export async function writeRunReport(manifests: RunManifests, input: { runKey: string; report: Omit<RunReport, 'tables'> }): Promise<{ location: string; tables: number }> {
  const plan = await readPlan(manifests, input.runKey);
  await manifests.writeJsonChunks(input.runKey, 'report', objectWithStreamedArray(input.report, 'tables', reportPages(tablePages(manifests, input.runKey, plan, false))));
  return { location: manifests.location(input.runKey, 'report'), tables: plan.tables.length };
}
