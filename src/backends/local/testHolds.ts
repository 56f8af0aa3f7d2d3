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
 *
 * A hold gives up after {@link HOLD_GIVE_UP_MS} (a test that died without releasing it must not wedge
 * a worker or job process for ever): it writes `<point>.gave-up` and the work goes on.
 */
export async function holdPoint(point: string, signal?: AbortSignal, giveUpMs = HOLD_GIVE_UP_MS): Promise<void> {
  const folder = process.env[TEST_HOLDS_VARIABLE];
  if (!folder) return;
  const armed = path.join(folder, `${point}.armed`);
  if (!existsSync(armed)) return;
  await writeFile(path.join(folder, `${point}.held`), String(process.pid));
  const started = Date.now();
  while (existsSync(armed)) {
    if (signal?.aborted) throw abortError(signal);
    if (Date.now() - started >= giveUpMs) {
      await writeFile(path.join(folder, `${point}.gave-up`), String(process.pid));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How long a hold point waits to be released before it gives up (10 min). */
export const HOLD_GIVE_UP_MS = 10 * 60_000;
