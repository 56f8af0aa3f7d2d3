import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOLD_GIVE_UP_MS, holdPoint, TEST_HOLDS_VARIABLE } from '../../../src/backends/local/testHolds.js';

/** The hold layer (fault injection for the crash tests): a hold nobody releases gives up instead of wedging the process. */
describe('test hold points', () => {
  let folder: string;
  let previous: string | undefined;
  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'flywheel-holds-'));
    previous = process.env[TEST_HOLDS_VARIABLE];
    process.env[TEST_HOLDS_VARIABLE] = folder;
  });
  afterEach(async () => {
    if (previous === undefined) delete process.env[TEST_HOLDS_VARIABLE];
    else process.env[TEST_HOLDS_VARIABLE] = previous;
    await rm(folder, { recursive: true, force: true });
  });

  it('an unarmed point passes at once', async () => {
    await holdPoint('ctas-IBE_01', undefined, 10);
    expect(existsSync(path.join(folder, 'ctas-IBE_01.held'))).toBe(false);
  });

  it('an armed point holds until released', async () => {
    await writeFile(path.join(folder, 'split-IBE_01.armed'), '');
    let passed = false;
    const held = holdPoint('split-IBE_01', undefined, 60_000).then(() => (passed = true));
    while (!existsSync(path.join(folder, 'split-IBE_01.held'))) await new Promise((r) => setTimeout(r, 10));
    expect(await readFile(path.join(folder, 'split-IBE_01.held'), 'utf8')).toBe(String(process.pid));
    await new Promise((r) => setTimeout(r, 100));
    expect(passed).toBe(false);
    await rm(path.join(folder, 'split-IBE_01.armed'));
    await held;
    expect(existsSync(path.join(folder, 'split-IBE_01.gave-up'))).toBe(false);
  });

  it('a hold nobody releases gives up after its limit (10 min by default) and says so', async () => {
    expect(HOLD_GIVE_UP_MS).toBe(10 * 60_000);
    await writeFile(path.join(folder, 'validate-IBE_01.armed'), '');
    await holdPoint('validate-IBE_01', undefined, 150);
    expect(await readFile(path.join(folder, 'validate-IBE_01.gave-up'), 'utf8')).toBe(String(process.pid));
  });

  it('an aborted hold throws', async () => {
    await writeFile(path.join(folder, 'ctas-X.armed'), '');
    const controller = new AbortController();
    const held = holdPoint('ctas-X', controller.signal, 60_000);
    controller.abort();
    await expect(held).rejects.toThrow();
  });
});
