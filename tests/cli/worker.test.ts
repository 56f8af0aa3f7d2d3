import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../src/config/home.js';
import { getFreePort } from '../../src/temporal/devServer.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

/** The process `ppid` started, with its command line (Linux /proc). */
async function childOf(ppid: number): Promise<{ pid: number; args: string[] } | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== ppid) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    return { pid: Number(entry), args };
  }
  return undefined;
}

describe('flywheel worker', () => {
  let h: RefreshHarness;
  beforeAll(async () => {
    h = await createRefreshHarness({ tables: ['IBE_01'], rows: 50 });
  });
  afterAll(() => h?.close());

  it('serves Prometheus metrics, logs JSON with workflow context, and drains on SIGTERM', async () => {
    // The file names one port, FLYWHEEL_METRICS_ADDRESS another: the worker must serve on the variable's.
    const metricsAddress = `127.0.0.1:${await getFreePort()}`;
    const fileMetricsAddress = `127.0.0.1:${await getFreePort()}`;
    const configFile = path.join(h.home, 'worker.yaml');
    await writeFile(configFile, stringify({ ...h.config, observability: { logFormat: 'json', logLevel: 'INFO', metricsAddress: fileMetricsAddress } }));
    const child = spawn('node', [path.join(PROJECT_ROOT, 'bin', 'flywheel.js'), 'worker', '--config', configFile], {
      env: {
        ...process.env,
        FLYWHEEL_HOME: h.home,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        FLYWHEEL_METRICS_ADDRESS: metricsAddress,
        FLYWHEEL_MEMORY_LOG: '0.5',
        MALLOC_ARENA_MAX: '', // as from a shell: the wrapper re-runs the worker with its memory settings
        DUCKDB_JE_MALLOC_CONF: '',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      // Start-up bundles the workflows on a fresh FLYWHEEL_HOME: give a loaded CI machine up to two minutes.
      for (let i = 0; i < 1200 && !stderr.includes('polling') && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      expect(stderr, stderr).toContain(`polling flywheel-${h.config.environment}`);
      // The wrapper's re-run (bin/flywheel.js) carries the young-generation cap; FLYWHEEL_MEMORY_LOG lines come from it.
      const worker = await childOf(child.pid!);
      expect(worker?.args).toEqual(expect.arrayContaining(['--max-semi-space-size=2', '--expose-gc']));
      // DuckDB's jemalloc hands freed pages back within 100 ms (bin/flywheel.js); its job processes inherit this.
      const environ = (await readFile(`/proc/${worker!.pid}/environ`, 'utf8')).split('\0');
      expect(environ).toContain('DUCKDB_JE_MALLOC_CONF=dirty_decay_ms:100,muzzy_decay_ms:0');
      expect(stderr).toMatch(new RegExp(`memory pid=${worker?.pid} rss=[\\d.]+MB heapUsed=[\\d.]+MB .* peakRss=[\\d.]+MB`));

      await h.client.workflow.execute('monthlyRefresh', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId: `${h.config.environment}-worker-cli`,
        args: [{ environment: h.config.environment }],
      });
      const metrics = await (await fetch(`http://${metricsAddress}/metrics`)).text();
      expect(metrics).toMatch(/temporal_activity_execution_latency/);
      expect(metrics).toMatch(/activity_type="runGlueJob"/);
      await expect(fetch(`http://${fileMetricsAddress}/metrics`)).rejects.toThrow(); // the file's address is not bound

      const logs = stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const started = logs.find((l) => l.message === 'started job run');
      expect(started).toMatchObject({ level: 'INFO', workflowId: `${h.config.environment}-worker-cli-pass1-batch1`, activityType: 'runGlueJob' }); // the refresh's batch child
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 240_000);
});
