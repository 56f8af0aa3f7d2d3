import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/home.js';
import { getFreePort } from '../../src/temporal/devServer.js';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;
beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-exitcodes-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** The real bin, as a script would run it. A hang is a failure too: the child is killed after `timeoutMs`. */
function flywheel(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [path.join(PROJECT_ROOT, 'bin', 'flywheel.js'), ...args],
      { env: { ...process.env, FLYWHEEL_HOME: home, TEMPORAL_ADDRESS: inject('temporalAddress'), ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('exit codes (README: 0 success, 1 the run failed, 2 bad input or config)', () => {
  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await flywheel(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('demo --rows -1 exits 2 (and exits at all)', async () => {
    const result = await flywheel(['demo', '--rows', '-1'], {}, 30_000);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/--rows must be a positive whole number, got "-1"/);
  });

  it('demo --tables NOPE exits 2 before seeding or starting a server', async () => {
    const fresh = path.join(home, 'fresh-home');
    const result = await flywheel(['demo', '--tables', 'NOPE'], { FLYWHEEL_HOME: fresh, TEMPORAL_ADDRESS: '' }, 30_000);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/unknown table\(s\) in --tables: NOPE \(known: IBE_01, /);
    expect(result.stderr).not.toMatch(/dev server|seeded/);
    expect(existsSync(fresh)).toBe(false);
  });

  it('server --port 99999 exits 2', async () => {
    const result = await flywheel(['server', '--port', '99999']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port must be a TCP port between 1 and 65535, got "99999"/);
  });

  it('status and reprocess of a run that does not exist exit 2, naming the workflow id', async () => {
    const status = await flywheel(['status', '--snapshot', '2001-01-01']);
    expect(status.code, status.stderr).toBe(2);
    expect(status.stderr).toMatch(/no workflow flywheel-local-refresh-2001-01-01 in namespace default/);
    const reprocess = await flywheel(['reprocess', '--snapshot', '2001-01-01']);
    expect(reprocess.code, reprocess.stderr).toBe(2);
    expect(reprocess.stderr).toMatch(/no workflow flywheel-local-refresh-2001-01-01/);
    const approve = await flywheel(['approve', '--snapshot', '2001-01-01', '--tables', 'IBE_04', '--reason', 'vendor confirmed']);
    expect(approve.code, approve.stderr).toBe(2);
    expect(approve.stderr).toMatch(/no workflow flywheel-local-refresh-2001-01-01/);
  });

  it('approve without tables, without a reason, or with a bad table name exits 2 before contacting anything', async () => {
    const noTables = await flywheel(['approve', '--snapshot', '2026-11-01', '--reason', 'ok']);
    expect(noTables.code).toBe(2);
    expect(noTables.stderr).toMatch(/give --tables: the table\(s\) held at the quality gate/);
    const noReason = await flywheel(['approve', '--snapshot', '2026-11-01', '--tables', 'IBE_04', '--reason', '  ']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/--reason: say why the table may be published despite the failed checks/);
    const badName = await flywheel(['approve', '--snapshot', '2026-11-01', '--tables', 'IBE-04', '--reason', 'ok'], { TEMPORAL_ADDRESS: `127.0.0.1:${await getFreePort()}` });
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/--tables "IBE-04": table names are letters/);
  });

  it('an unreachable server is exit 1, with what to do', async () => {
    const result = await flywheel(['status', '--snapshot', '2026-10-01'], { TEMPORAL_ADDRESS: `127.0.0.1:${await getFreePort()}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:\d+[\s\S]*npx flywheel server/);
  });

  it('a config with 40,000 unknown keys exits 2 with a short message', async () => {
    const file = path.join(home, 'many-keys.yaml');
    const base = await readFile(path.join(PROJECT_ROOT, 'config', 'local.yaml'), 'utf8');
    await writeFile(file, `${base}\n${Array.from({ length: 40_000 }, (_, i) => `unknown_key_${i}: 1`).join('\n')}\n`);
    const result = await flywheel(['status', '--snapshot', '2026-10-01', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\(40,000 unknown keys in all\)/);
    expect(result.stderr.length).toBeLessThan(1000);
  });

  it('sql before any refresh exits 1 and says what to run', async () => {
    const result = await flywheel(['sql', 'SELECT 1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no catalog at .*local\.duckdb yet: run a refresh first/);
  });
});

describe('flywheel demo', () => {
  it('told a server, uses it; prints milestones off a terminal, then where things are and a query that works', async () => {
    const demoHome = path.join(home, 'demo');
    const result = await flywheel(['demo', '--rows', '300', '--tables', 'IBE_01,addressable_ids'], { FLYWHEEL_HOME: demoHome }, 120_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/seeded snapshots 2026-09-01, 2026-10-01/);
    expect(result.stderr).toContain(`using the Temporal server at ${inject('temporalAddress')}`);
    expect(result.stderr).toMatch(/split done for 2\/2 tables/);
    expect(result.stderr).toMatch(/catalog \(DuckDB\): .*local\.duckdb/);
    expect(result.stderr).toMatch(/lineage \(OpenLineage JSON lines\): .*openlineage\.jsonl/);
    const query = /npx flywheel sql "(.+)"/.exec(result.stderr)?.[1];
    expect(query).toBeDefined();
    const rows = await flywheel(['sql', '--json', query!], { FLYWHEEL_HOME: demoHome });
    expect(rows.code, rows.stderr).toBe(0);
    expect(JSON.parse(rows.stdout)).toHaveLength(5);
    // One line per milestone, not per table and stage.
    expect(result.stderr.split('\n').filter((l) => /^\[\d+\.\ds\]/.test(l)).length).toBeLessThanOrEqual(8);
  });
});
