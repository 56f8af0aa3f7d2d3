/**
 * Records workflow histories for the replay tests (tests/workflows/replay.test.ts): a successful
 * refresh, one where a failed table is reprocessed by signal, one abandoned by signal, and one held at the
 * quality gate and approved by signal (with its two batches); batched refreshes (each run and each
 * `refreshBatch` child, with its workflow id in `<file>.workflow-id`), one of them a first pass continued as new.
 * Names on the command line record only those scenarios (the others keep their older recordings).
 * Re-record only when a workflow change is *meant* to be incompatible (and then version it with patched()); otherwise the replay test is what catches it.
 *
 *   npm run record-history [-- <scenario>…]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { seedLake } from '../src/backends/local/index.js';
import { PROJECT_ROOT } from '../src/config/home.js';
import { parseConfig } from '../src/config/load.js';
import { startDevServer } from '../src/temporal/devServer.js';
import { createFlywheelWorker } from '../src/workers/createWorker.js';
import { waitForRunState } from '../src/client/status.js';
import { seedDriftedSnapshot } from '../src/backends/local/seedDrift.js';
import { abandonSignal, approveSignal, reprocessSignal } from '../src/workflows/definitions.js';
import { FLYWHEEL_SEARCH_ATTRIBUTES } from '../src/workflows/searchAttributes.js';
import { corruptSourceFile } from './lib/corruptSource.js';

const OUT = path.join(PROJECT_ROOT, 'tests', 'fixtures', 'histories');
/** Scenario names on the command line (`npm run record-history -- monthlyRefresh-batched-succeeded`): only those are recorded. */
const ONLY = process.argv.slice(2);
const EventType = proto.temporal.api.enums.v1.EventType;

Runtime.install({ logger: new DefaultLogger('WARN') });
const server = await startDevServer({ headless: true, searchAttributes: { ...FLYWHEEL_SEARCH_ATTRIBUTES } });
const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-record-'));
try {
  const raw = {
    environment: 'replay',
    backend: 'local',
    temporal: { address: server.address, taskQueue: 'flywheel-replay' },
    layout: { sourceBucket: 'replay-lake', targetBucket: 'replay-lake' },
    tables: { infobase: ['IBE_01', 'MIACS_01'], addressable: true },
    catalog: { database: 'flywheel_replay' },
    jobs: { pollMinSeconds: 0.05, pollMaxSeconds: 0.2 },
    reprocess: { waitHours: 1 },
    local: { threads: 1, memoryLimit: '256MB' },
  };
  const config = parseConfig(raw, 'record-history config', {});
  // Batched refreshes with more than one batch and an early continue-as-new while parked, on their own task queue.
  const batchedQueue = 'flywheel-replay-batched';
  const batchedConfig = parseConfig(
    { ...raw, temporal: { ...raw.temporal, taskQueue: batchedQueue }, scale: { batchSize: 2, progressSeconds: 0.2, continueAsNewAfterEvents: 20 } },
    'record-history batched config',
    {},
  );
  // A first pass continued as new between batches (its history past 10 KB), one batch at a time.
  const firstPassQueue = 'flywheel-replay-first-pass';
  const firstPassConfig = parseConfig(
    { ...raw, temporal: { ...raw.temporal, taskQueue: firstPassQueue }, scale: { batchSize: 1, batchConcurrency: 1, progressSeconds: 0.2, continueAsNewAfterBytes: 10_000 } },
    'record-history first-pass config',
    {},
  );
  await seedLake({ config, home, rows: 200 });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const worker = await createFlywheelWorker({ config, home, connection: nativeConnection });
  const batchedWorker = await createFlywheelWorker({ config: batchedConfig, home, connection: nativeConnection });
  const firstPassWorker = await createFlywheelWorker({ config: firstPassConfig, home, connection: nativeConnection });

  /** Writes one history, with its workflow id beside it when the replay needs it (the workflow reads its id). */
  async function writeHistory(file: string, handle: WorkflowHandle, workflowId?: string): Promise<void> {
    const out = path.join(OUT, `${file}.json`);
    await writeFile(out, `${historyToJSON(await handle.fetchHistory())}\n`);
    if (workflowId) await writeFile(path.join(OUT, `${file}.workflow-id`), `${workflowId}\n`);
    console.error(`recorded ${path.relative(PROJECT_ROOT, out)}`);
  }

  /**
   * Runs a batched refresh and records every run of it (`<name>-run<n>` when it continued as new) and
   * every child batch (`<name>-pass<p>-batch<b>`), each with its workflow id.
   */
  async function recordBatched(name: string, workflowId: string, args: object, operator?: (h: WorkflowHandle) => Promise<void>, taskQueue = batchedQueue): Promise<void> {
    if (ONLY.length > 0 && !ONLY.includes(name)) return;
    const started = await client.workflow.start('monthlyRefresh', { taskQueue, workflowId, args: [args] });
    const handle = client.workflow.getHandle(workflowId); // follows continue-as-new
    await operator?.(handle);
    await handle.result().catch(() => undefined);
    const runs: string[] = [];
    const children: string[] = [];
    for (let runId: string | undefined = started.firstExecutionRunId; runId; ) {
      runs.push(runId);
      const events: temporal.api.history.v1.IHistoryEvent[] = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
      for (const e of events) {
        if (e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) children.push(e.startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!);
      }
      const last: temporal.api.history.v1.IHistoryEvent | undefined = events.at(-1);
      runId = last?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW ? last.workflowExecutionContinuedAsNewEventAttributes!.newExecutionRunId! : undefined;
    }
    for (const [i, runId] of runs.entries()) {
      await writeHistory(runs.length > 1 ? `${name}-run${i + 1}` : name, client.workflow.getHandle(workflowId, runId), workflowId);
    }
    for (const child of children) await writeHistory(`${name}-${child.slice(workflowId.length + 1)}`, client.workflow.getHandle(child), child);
  }

  /** Runs a refresh; `operator` plays the operator's part while it runs (signals). */
  async function record(name: string, workflowId: string, args: object, operator?: (h: WorkflowHandle) => Promise<void>): Promise<void> {
    if (ONLY.length > 0 && !ONLY.includes(name)) return;
    const handle = await client.workflow.start('monthlyRefresh', { taskQueue: 'flywheel-replay', workflowId, args: [args] });
    await operator?.(handle);
    await handle.result().catch(() => undefined); // failed runs are recorded too
    const file = path.join(OUT, `${name}.json`);
    await writeFile(file, `${historyToJSON(await handle.fetchHistory())}\n`);
    console.error(`recorded ${path.relative(PROJECT_ROOT, file)}`);
  }

  await worker.worker.runUntil(async () => {
    await record('monthlyRefresh-succeeded', 'flywheel-replay-refresh-2026-10-01', { environment: 'replay' });
    const broken = await corruptSourceFile(config, home, 'MIACS_01', '2026-09-01');
    await record('monthlyRefresh-reprocessed', 'flywheel-replay-refresh-2026-09-01', { environment: 'replay', snapshotDt: '2026-09-01' }, async (h) => {
      await waitForRunState(h, ['awaiting-reprocess']);
      await h.signal(reprocessSignal, { tables: ['NOPE_1'] }); // rejected and recorded, run unharmed
      await broken.restore();
      await h.signal(reprocessSignal, {});
    });
    await corruptSourceFile(config, home, 'MIACS_01', '2026-09-01');
    await record('monthlyRefresh-abandoned', 'flywheel-replay-refresh-2026-09-01-abandoned', { environment: 'replay', snapshotDt: '2026-09-01' }, async (h) => {
      await waitForRunState(h, ['awaiting-reprocess']);
      await h.signal(abandonSignal, { reason: 'source will be re-delivered next month' });
    });
    // Quality gate (issue 15): IBE_01 delivers 58 % fewer rows than last month's (2026-10-01, published above),
    // waits at awaiting-approval, a bad approval is recorded, the approval continues it. Its batches are recorded too.
    if (ONLY.length > 0 && !ONLY.includes('monthlyRefresh-approved')) return; // it needs the refresh above published
    await seedDriftedSnapshot({ config, home, snapshotDt: '2026-11-01', rows: 200, cases: { IBE_01: 'fewer-rows' } });
    const gated = 'flywheel-replay-refresh-2026-11-01';
    const handle = await client.workflow.start('monthlyRefresh', { taskQueue: 'flywheel-replay', workflowId: gated, args: [{ environment: 'replay', snapshotDt: '2026-11-01' }] });
    await waitForRunState(handle, ['awaiting-approval']);
    await handle.signal(approveSignal, { tables: ['IBE_01'] }); // no reason: rejected and recorded
    await handle.signal(approveSignal, { tables: ['IBE_01'], reason: 'vendor confirmed the smaller delivery' });
    await handle.result();
    // With its workflow id: a refresh names its batches after it, so the replay must use the same id.
    for (const [name, workflowId] of [['monthlyRefresh-approved', gated], ['refreshBatch-held', `${gated}-pass1-batch1`], ['refreshBatch-approved', `${gated}-pass2-batch1`]] as const) {
      const history = JSON.parse(historyToJSON(await client.workflow.getHandle(workflowId).fetchHistory())) as object;
      await writeFile(path.join(OUT, `${name}.json`), `${JSON.stringify({ workflowId, ...history })}\n`);
      console.error(`recorded tests/fixtures/histories/${name}.json`);
    }
  });
  // Before the batched scenarios below corrupt a source file.
  await firstPassWorker.worker.runUntil(() =>
    recordBatched('monthlyRefresh-first-pass-continued', 'flywheel-replay-refresh-2026-10-01-first-pass', { environment: 'replay', snapshotDt: '2026-10-01' }, undefined, firstPassQueue),
  );
  await firstPassWorker.close();
  await batchedWorker.worker.runUntil(async () => {
    await recordBatched('monthlyRefresh-batched-succeeded', 'flywheel-replay-refresh-2026-10-01-batched', { environment: 'replay', snapshotDt: '2026-10-01' });
    // A failed table parks the run; its history is past 20 events, so it continues as new; then a rejected signal and a reprocess.
    const broken = await corruptSourceFile(batchedConfig, home, 'IBE_01', '2026-10-01');
    await recordBatched('monthlyRefresh-batched-reprocessed', 'flywheel-replay-refresh-2026-10-01-batched-reprocessed', { environment: 'replay', snapshotDt: '2026-10-01' }, async (h) => {
      await waitForRunState(h, ['awaiting-reprocess']);
      const first = (await h.describe()).runId;
      for (let i = 0; i < 100 && (await h.describe()).runId === first; i++) await new Promise((r) => setTimeout(r, 100));
      await waitForRunState(h, ['awaiting-reprocess']);
      await h.signal(reprocessSignal, { tables: ['NOPE_1'] }); // rejected and recorded, run unharmed
      await broken.restore();
      await h.signal(reprocessSignal, {});
    });
  });
  await batchedWorker.close();
  await worker.close();
  await nativeConnection.close();
  await client.connection.close();
} finally {
  await server.stop();
  await rm(home, { recursive: true, force: true });
}
