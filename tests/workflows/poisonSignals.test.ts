import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { corruptSourceFile } from '../../scripts/lib/corruptSource.js';
import { waitForRunState } from '../../src/client/status.js';
import type { RunReport } from '../../src/domain/report.js';
import { refreshWorkflowId } from '../../src/domain/workflowIds.js';
import { reprocessSignal, statusQuery } from '../../src/workflows/definitions.js';
import { REJECTION_REASON_MAX, REJECTIONS_KEPT } from '../../src/workflows/rejections.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const run = promisify(execFile);
const bytes = (text: string) => Buffer.from(text, 'utf8');

/** `temporal workflow signal` exactly as an operator (or an attacker) would type it. */
async function cliSignal(workflowId: string, name: string, input: string, meta: string[] = []): Promise<void> {
  const args = ['workflow', 'signal', '--address', inject('temporalAddress'), '--namespace', inject('temporalNamespace'),
    '--workflow-id', workflowId, '--name', name, '--input', input, ...meta.flatMap((m) => ['--input-meta', m])];
  await run(inject('temporalCliPath'), args);
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Counts matching events, one event per page: the flooded history is larger than one gRPC message. */
async function countEvents(h: RefreshHarness, workflowId: string, match: (e: HistoryEvent) => boolean): Promise<number> {
  let count = 0;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await h.client.workflowService.getWorkflowExecutionHistory({
      namespace: h.config.temporal.namespace,
      execution: { workflowId },
      maximumPageSize: 1, // two 1.5 MB signals and the 70 KB ones can meet in one page of 5 (4.4 MB > the 4 MB gRPC limit)
      nextPageToken,
    });
    count += (page.history?.events ?? []).filter(match).length;
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return count;
}

describe('poison-proof signals', () => {
  let h: RefreshHarness;
  beforeAll(async () => {
    h = await createRefreshHarness({ tables: ['IBE_01', 'MIACS_01'], rows: 200, config: { reprocess: { waitHours: 2 } } });
  });
  afterAll(() => h?.close());

  it('records undecodable payloads, unknown signal names and a flood of oversize signals, then completes after one valid reprocess', { timeout: 120_000 }, async () => {
    const broken = await corruptSourceFile(h.config, h.home, 'MIACS_01', '2026-10-01');
    const workflowId = refreshWorkflowId(h.config.environment, '2026-10-01');
    const report = await h.withWorker(async () => {
      const handle = await h.client.workflow.start('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId,
        args: [{ environment: h.config.environment, snapshotDt: '2026-10-01' }],
      });
      const parked = await waitForRunState(handle, ['awaiting-reprocess', 'failed', 'succeeded']);
      expect(parked.state).toBe('awaiting-reprocess');
      const deadline = parked.reprocessDeadline!;
      expect(Date.parse(deadline) - Date.now()).toBeGreaterThan(1.9 * 3600_000);

      // Payloads the workflow cannot decode: an unknown encoding from the CLI, and raw ones from a client.
      await cliSignal(workflowId, 'reprocess', '"abc"', ['encoding=application/x-bogus']);
      await cliSignal(workflowId, 'abandon', '"abc"', ['encoding=application/x-bogus']);
      const raw = (signalName: string, payload: { metadata?: Record<string, Uint8Array>; data?: Uint8Array }) =>
        h.client.workflowService.signalWorkflowExecution({
          namespace: h.config.temporal.namespace,
          workflowExecution: { workflowId },
          signalName,
          input: { payloads: [payload] },
          identity: 'poison-test',
          requestId: randomUUID(),
        });
      await raw('reprocess', { metadata: { encoding: bytes('json/plain') }, data: bytes('{"tables": [') }); // bad JSON
      await raw('reprocess', { data: Buffer.from([0xff, 0xfe, 0x00, 0x13]) }); // binary, no metadata
      await raw('reprocess', { metadata: { encoding: bytes('binary/plain') }, data: Buffer.from([1, 2, 3]) }); // binary
      // Names that are not signals of this workflow.
      for (const name of ['reprocesss', 'Reprocess', 'cancel']) await cliSignal(workflowId, name, '{"tables":["MIACS_01"]}');
      // A flood of oversize requests: 5,000 unknown tables each, and a few near the 2 MB blob limit.
      const unknown = Array.from({ length: 5000 }, (_, i) => `NOPE_${i}`);
      for (let i = 0; i < 30; i++) await handle.signal(reprocessSignal, { tables: unknown });
      for (let i = 0; i < 2; i++) await handle.signal(reprocessSignal, { tables: [`T${'x'.repeat(1_500_000)}`] });
      const sent = 5 + 3 + 30 + 2;

      let status = await handle.query(statusQuery);
      for (let i = 0; i < 100 && status.rejectedSignalCount < sent; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await handle.query(statusQuery);
      }
      expect(status.state).toBe('awaiting-reprocess');
      expect(status.rejectedSignalCount).toBe(sent);
      expect(status.rejectedSignals).toHaveLength(REJECTIONS_KEPT);
      expect(JSON.stringify(status).length).toBeLessThan(64 * 1024);
      for (const r of status.rejectedSignals) expect(r.reason.length).toBeLessThanOrEqual(REJECTION_REASON_MAX);
      expect(status.reprocessDeadline).toBe(deadline); // no signal moved the deadline

      // The earliest rejections fell out of the list, so check them in the history's own order via the UI details… and
      // read the kept ones: the flood's reasons summarise the input rather than copy it.
      const last = status.rejectedSignals.at(-1)!;
      expect(last.reason).toMatch(/^malformed reprocess payload \(object \{tables: array\(1\)\}\): tables\.0: table names are/);
      expect(status.rejectedSignals.some((r) => /unknown table\(s\) NOPE_0, NOPE_1, NOPE_2, NOPE_3, NOPE_4 and 4,995 more/.test(r.reason))).toBe(true);
      // The details are rewritten by the workflow task that handled the last signal: wait for it (bounded).
      let details = '';
      for (let i = 0; i < 200 && !details.includes(`Rejected requests (${sent}`); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        details = (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ?? '';
      }
      expect(details.length).toBeLessThan(16 * 1024);
      expect(details).toContain(`Rejected requests (${sent}`);

      // Timers: the wait was started once, when the run parked; no rejected signal restarted it.
      expect(await countEvents(h, workflowId, (e) => !!e.timerStartedEventAttributes)).toBe(1);

      await broken.restore();
      await handle.signal(reprocessSignal, { tables: ['MIACS_01'] });
      return (await handle.result()) as RunReport;
    });
    expect(report.status).toBe('succeeded');
    expect(report.tables.find((t) => t.name === 'MIACS_01')).toMatchObject({ state: 'succeeded', attempts: 2 });
  });

  it('names each undecodable payload and unknown signal in its rejection', async () => {
    const broken = await corruptSourceFile(h.config, h.home, 'IBE_01', '2026-09-01');
    const workflowId = refreshWorkflowId(h.config.environment, '2026-09-01');
    await h.withWorker(async () => {
      const handle = await h.client.workflow.start('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId,
        args: [{ environment: h.config.environment, snapshotDt: '2026-09-01', tables: ['IBE_01'] }],
      });
      await waitForRunState(handle, ['awaiting-reprocess']);
      await cliSignal(workflowId, 'reprocess', '"abc"', ['encoding=application/x-bogus']);
      for (const name of ['reprocesss', 'Reprocess', 'cancel']) await cliSignal(workflowId, name, '{}');
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 50 && status.rejectedSignalCount < 4; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await handle.query(statusQuery);
      }
      expect(status.rejectedSignals.map((r) => `${r.name}: ${r.reason}`)).toEqual([
        'reprocess: undecodable reprocess payload (encoding application/x-bogus, 5 bytes): Unknown encoding: application/x-bogus; send JSON',
        expect.stringMatching(/^reprocesss: unknown signal "reprocesss" \(did you mean "reprocess"\?\)/),
        expect.stringMatching(/^Reprocess: unknown signal "Reprocess" \(did you mean "reprocess"\?\)/),
        expect.stringMatching(/^cancel: unknown signal "cancel" \(to end a waiting run, send "abandon"\)/),
      ]);
      await broken.restore();
      await handle.signal(reprocessSignal, {});
      expect(((await handle.result()) as RunReport).status).toBe('succeeded');
    });
  });
});
