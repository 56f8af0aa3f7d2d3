import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { abortError } from './semaphore.js';

/** The variable that turns the layer on: a folder where tests arm hold points. */
export const TEST_HOLDS_VARIABLE = 'FLYWHEEL_TEST_HOLDS';

/**
 * TEST LAYER — fault injection for the crash tests and the chaos bench; inert unless
 * FLYWHEEL_TEST_HOLDS names a folder. A test arms a named point (`split-IBE_01`, `ctas-IBE_01`,
 * `validate-IBE_01`: mid-split with the staged slices written aside, mid-CTAS with the bucket files
 * written aside, mid-validation with the counts taken) by creating `<folder>/<point>.armed`. A process
 * reaching an armed point writes `<point>.held` (its pid) and waits there — heartbeats go on — until
 * the `.armed` file is removed, so the test can SIGKILL it at a known moment instead of guessing with
 * sleeps. Removing `.armed` also disarms the point for the retry.
 */
export async function holdPoint(point: string, signal?: AbortSignal): Promise<void> {
  const folder = process.env[TEST_HOLDS_VARIABLE];
  if (!folder) return;
  const armed = path.join(folder, `${point}.armed`);
  if (!existsSync(armed)) return;
  await writeFile(path.join(folder, `${point}.held`), String(process.pid));
  while (existsSync(armed)) {
    if (signal?.aborted) throw abortError(signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
