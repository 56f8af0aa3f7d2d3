import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { maintenanceRunCommand } from '../../src/cli/commands/maintenance.js';
import { schedulesApplyCommand, schedulesListCommand } from '../../src/cli/commands/schedules.js';
import { EXIT_BAD_INPUT, EXIT_OK, exitCodeFor } from '../../src/cli/errors.js';
import { monthlyRefreshScheduleId } from '../../src/domain/workflowIds.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

/** The CLI command functions (as `flywheel maintenance run` / `flywheel schedules …` call them) on the dev server. */
describe('maintenance and schedules CLI commands', () => {
  let h: RefreshHarness;
  let configFile: string;
  let out: string[];
  let err: string[];
  beforeAll(async () => {
    h = await createRefreshHarness({
      tables: ['IBE_01'],
      rows: 100,
      config: { maintenance: { tables: [{ name: 'IBE_01', location: 's3://test-lake/delta/ibe_01/', zorderBy: ['customer_user_id'] }], retainHours: 24 * 365 * 10 } },
    });
    configFile = path.join(h.home, 'flywheel.yaml');
    await writeFile(configFile, JSON.stringify(h.config)); // JSON is YAML
    vi.stubEnv('FLYWHEEL_HOME', h.home);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await h?.client.schedule.getHandle(monthlyRefreshScheduleId(h.config.environment)).delete().catch(() => {});
    await h?.client.schedule.getHandle(`flywheel-${h.config.environment}-delta-maintenance`).delete().catch(() => {});
    await h?.close();
  });
  const capture = () => {
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  };
  afterEach(() => vi.restoreAllMocks());

  it.each(['abc', '-5', '1.5', ''])('--retain-hours %j exits 2 before contacting the server', async (value) => {
    const error = await maintenanceRunCommand({ config: configFile, retainHours: value }).catch((e: unknown) => e);
    expect(exitCodeFor(error)).toBe(EXIT_BAD_INPUT);
    expect((error as Error).message).toMatch(/^--retain-hours: must be a whole number of hours/);
  });

  it('--tables with a bad name exits 2', async () => {
    const error = await maintenanceRunCommand({ config: configFile, tables: 'IBE_01,bad-name' }).catch((e: unknown) => e);
    expect(exitCodeFor(error)).toBe(EXIT_BAD_INPUT);
  });

  it('--retain-hours 24 is refused by the workflow: exit 2 with the reason', async () => {
    capture();
    const code = await h.withWorker(() => maintenanceRunCommand({ config: configFile, retainHours: '24' }));
    expect(code).toBe(EXIT_BAD_INPUT);
    expect(err.join('')).toMatch(/maintenance refused: refusing VACUUM RETAIN 24 HOURS/);
  });

  it('runs maintenance and prints the report as JSON', async () => {
    capture();
    const code = await h.withWorker(() => maintenanceRunCommand({ config: configFile, tables: 'ibe_01', json: true }));
    expect(code).toBe(EXIT_OK);
    const report = JSON.parse(out.join(''));
    expect(report).toMatchObject({ status: 'succeeded', environment: h.config.environment, tables: [{ table: 'IBE_01', state: 'succeeded' }] });
  });

  it('schedules apply then list', async () => {
    capture();
    expect(await schedulesApplyCommand({ config: configFile })).toBe(EXIT_OK);
    expect(out.join('')).toMatch(new RegExp(`created\\s+${monthlyRefreshScheduleId(h.config.environment)}`));
    capture();
    expect(await schedulesListCommand({ config: configFile, json: true })).toBe(EXIT_OK);
    const listing = JSON.parse(out.join(''));
    expect(listing).toHaveLength(2);
    expect(listing[0]).toMatchObject({ exists: true, workflowType: 'scheduledRefresh', spec: 'day 2 of every month at 06:00 UTC', overlap: 'SKIP' });
  });
});
