import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';

const HISTORIES = path.join(import.meta.dirname, '..', 'fixtures', 'histories');

/**
 * Replays recorded histories (scripts/record-history.ts) against today's workflow code: a change
 * that would break running workflows (a new activity call order, a removed timer…) fails here.
 * A history recorded with `<file>.workflow-id` beside it replays under that id (batched refreshes
 * name their children and signal their parent by it).
 */
describe('workflow replay', async () => {
  const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();

  it('has recorded histories to replay, batched refreshes (parent runs and batch children) among them', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files).toEqual(expect.arrayContaining(['monthlyRefresh-batched-succeeded.json', 'monthlyRefresh-batched-succeeded-pass1-batch1.json']));
    expect(files.filter((f) => f.startsWith('monthlyRefresh-batched-reprocessed-run'))).toHaveLength(2); // continued as new
    // A first pass continued as new between batches (patch flywheel-first-pass-continue-as-new).
    expect(files).toEqual(expect.arrayContaining(['monthlyRefresh-first-pass-continued-run1.json', 'monthlyRefresh-first-pass-continued-run2.json']));
    // The same, recorded as of 46fd114: the run's whole history counted (before patch flywheel-first-pass-grown-bytes).
    expect(files).toEqual(expect.arrayContaining(['monthlyRefresh-first-pass-continued@46fd114-run1.json', 'monthlyRefresh-first-pass-continued@46fd114-run2.json']));
    // And as of b6bb414, carrying table names (before patch flywheel-first-pass-ranges).
    expect(files).toEqual(expect.arrayContaining(['monthlyRefresh-first-pass-continued@b6bb414-run1.json', 'monthlyRefresh-first-pass-continued@b6bb414-run2.json']));
    // A parked run continued as new, recorded as of e15ffb8 (before patch flywheel-parked-history-growth).
    expect(files.filter((f) => f.startsWith('monthlyRefresh-batched@e15ffb8-reprocessed-run'))).toHaveLength(2);
    // Recorded with the workflows as of 0ac11d2, before the flywheel-sized-heartbeats patch.
    expect(files.filter((f) => f.startsWith('monthlyRefresh-batched@0ac11d2-')).length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    // A fixture may say which workflow id it ran under (a batched refresh names its batch children after it).
    const { workflowId, ...recorded } = JSON.parse(await readFile(path.join(HISTORIES, file), 'utf8')) as { workflowId?: string };
    const history = historyFromJSON(recorded);
    const codePath = inject('workflowBundlePath');
    if (!codePath) throw new Error('globalSetup provided no workflow bundle');
    // Or in `<file>.workflow-id` beside it (the batched recordings).
    const idFile = path.join(HISTORIES, file.replace(/\.json$/, '.workflow-id'));
    const recordedId = workflowId ?? (existsSync(idFile) ? (await readFile(idFile, 'utf8')).trim() : undefined);
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath } }, history, recordedId ?? file)).resolves.toBeUndefined();
  });
});
