import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PROJECT_ROOT } from '../../src/config/home.js';
import { refreshWorkflowId } from '../../src/domain/workflowIds.js';
import type { RefreshStatus } from '../../src/workflows/refreshTracker.js';

const ENVIRONMENT = 'demo-drift';

/**
 * Issue 15's "done when": `flywheel demo --scenario drift` (config/local.yaml's tables) publishes a
 * month, seeds a drifted one and leaves its refresh waiting at the quality gate, with the violations
 * in words and the commands to approve it.
 */
describe('flywheel demo --scenario drift', () => {
  let home: string;
  let result: { stdout: string; stderr: string };

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-demo-drift-'));
    const config = parse(await readFile(path.join(PROJECT_ROOT, 'config', 'local.yaml'), 'utf8')) as Record<string, any>;
    config.environment = ENVIRONMENT;
    config.temporal = { ...config.temporal, taskQueue: `flywheel-demo-drift-${process.pid}` };
    const configFile = path.join(home, 'flywheel.yaml');
    await writeFile(configFile, stringify(config));
    const env = { ...process.env, FLYWHEEL_HOME: home, FLYWHEEL_CONFIG: configFile, TEMPORAL_ADDRESS: inject('temporalAddress') };
    result = await promisify(execFile)('node', [path.join(PROJECT_ROOT, 'bin', 'flywheel.js'), 'demo', '--scenario', 'drift', '--rows', '1000', '--json'], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
  }, 400_000);
  afterAll(async () => {
    // The parked run is the demo's point; the test server does not need to keep it.
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    await new Client({ connection, namespace: inject('temporalNamespace') }).workflow
      .getHandle(refreshWorkflowId(ENVIRONMENT, '2026-11-01'))
      .terminate('test over')
      .catch(() => undefined);
    await connection.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('exits 0 with the drifted month waiting at the gate: four tables held, the rest published', () => {
    const status = JSON.parse(result.stdout) as RefreshStatus;
    expect(status).toMatchObject({ workflowId: refreshWorkflowId(ENVIRONMENT, '2026-11-01'), state: 'awaiting-approval', snapshotDt: '2026-11-01' });
    expect(status.tables.filter((t) => t.state === 'awaiting-approval').map((t) => t.name).sort()).toEqual(['IBE_02', 'IBE_03', 'IBE_04', 'IBE_05']);
    expect(status.counts).toMatchObject({ 'awaiting-approval': 4, succeeded: 22, failed: 0 });
  });

  it('says what drifted, the violations in words and the commands to approve', () => {
    expect(result.stderr).toContain('✔ flywheel-demo-drift-refresh-2026-10-01: succeeded');
    expect(result.stderr).toContain("Next month's delivery drifted (2026-11-01):");
    expect(result.stderr).toContain('      IBE_04: rows 420 vs 1,000 last month (−58 %), band −20 %…+50 %');
    expect(result.stderr).toContain('      IBE_02: column is_homeowner (boolean) removed since 2026-10-01 — stops the table');
    expect(result.stderr).toContain('npx flywheel approve --snapshot 2026-11-01 --tables IBE_02,IBE_03,IBE_04,IBE_05 --reason "…why this is fine…"');
    expect(result.stderr).toContain('temporal workflow update execute --workflow-id flywheel-demo-drift-refresh-2026-11-01 --name approve');
    expect(result.stderr).toContain('The drifted month waits at the quality gate');
  });
});
