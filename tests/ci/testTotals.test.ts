import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/home.js';
import { closingLine } from '../../scripts/test-totals.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flywheel-totals-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(".ci/run's closing line", () => {
  it('counts a test file that fails in its set-up as failed, and vitest exits non-zero', () => {
    const report = path.join(dir, 'report.json');
    // The same two steps as .ci/run: vitest with FLYWHEEL_TEST_REPORT, then scripts/test-totals.ts.
    const vitest = spawnSync(
      process.execPath,
      [path.join(PROJECT_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'tests/fixtures/ci-setup-failure/vitest.config.ts'],
      { cwd: PROJECT_ROOT, env: { ...process.env, FLYWHEEL_TEST_REPORT: report }, encoding: 'utf8' },
    );
    expect(vitest.status).toBe(1);
    // vitest's own Tests line shows no failure: the broken file's two tests are "skipped".
    expect(vitest.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests +1 passed \| 2 skipped/);
    const totals = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/test-totals.ts', report, String(vitest.status)], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(totals.stdout.trim()).toBe('vitest: 1 passed, 1 failed, 2 skipped (failed files: 1)');
  });

  it('a run that never reached vitest (tsc failed) is a failure, not "0 failed"', () => {
    expect(closingLine(undefined, 2)).toBe('vitest: 0 passed, 1 failed (npm test exited 2 before vitest reported)');
  });
});
