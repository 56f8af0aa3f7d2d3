/**
 * Records workflow histories for the replay tests (tests/workflows/replay.test.ts): a successful
 * refresh, one where a failed table is reprocessed by signal, one abandoned by signal, and one held at the
 * quality gate and approved by signal (with its two batches). Re-record only when a workflow change is *meant* to be
 * incompatible (and then version it with patched()); otherwise the replay test is what catches it.
 *
 *   npm run record-history
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
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

Runtime.install({ logger: new DefaultLogger('WARN') });
const server = await startDevServer({ headless: true, searchAttributes: { ...FLYWHEEL_SEARCH_ATTRIBUTES } });
const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-record-'));
try {
  const config = parseConfig(
    {
      environment: 'replay',
      backend: 'local',
      temporal: { address: server.address, taskQueue: 'flywheel-replay' },
      layout: { sourceBucket: 'replay-lake', targetBucket: 'replay-lake' },
      tables: { infobase: ['IBE_01', 'MIACS_01'], addressable: true },
      catalog: { database: 'flywheel_replay' },
      jobs: { pollMinSeconds: 0.05, pollMaxSeconds: 0.2 },
      reprocess: { waitHours: 1 },
      local: { threads: 1, memoryLimit: '256MB' },
    },
    'record-history config',
    {},
  );
  await seedLake({ config, home, rows: 200 });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const worker = await createFlywheelWorker({ config, home, connection: nativeConnection });

  /** Runs a refresh; `operator` plays the operator's part while it runs (signals). */
  async function record(name: string, workflowId: string, args: object, operator?: (h: WorkflowHandle) => Promise<void>): Promise<void> {
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
  await worker.close();
  await nativeConnection.close();
  await client.connection.close();
} finally {
  await server.stop();
  await rm(home, { recursive: true, force: true });
}
