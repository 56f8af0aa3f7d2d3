import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';

const HISTORIES = path.join(import.meta.dirname, '..', 'fixtures', 'histories');

/**
 * Replays recorded histories (scripts/record-history.ts) against today's workflow code: a change
 * that would break running workflows (a new activity call order, a removed timer…) fails here.
 */
describe('workflow replay', async () => {
  const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    // A fixture may say which workflow id it ran under (a batched refresh names its batch children after it).
    const { workflowId, ...recorded } = JSON.parse(await readFile(path.join(HISTORIES, file), 'utf8')) as { workflowId?: string };
    const history = historyFromJSON(recorded);
    const codePath = inject('workflowBundlePath');
    if (!codePath) throw new Error('globalSetup provided no workflow bundle');
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath } }, history, workflowId ?? file)).resolves.toBeUndefined();
  });
});
