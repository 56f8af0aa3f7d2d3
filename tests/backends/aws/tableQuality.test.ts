import { GetTableCommand } from '@aws-sdk/client-glue';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsBackend, createAwsClients, parseAwsConfig, type AwsClients } from '../../../src/backends/aws/index.js';
import { qualityProfileSql } from '../../../src/backends/aws/tableQuality.js';
import type { Backend } from '../../../src/ports/backend.js';
import { NO_CONTEXT } from '../../../src/ports/context.js';
import { emulateAthenaCtas } from './athenaCtasEmulation.js';
import { faultInjectionPatchOutput, recordInputs } from './faultInjection.js';
import { createDatabase, DATABASE, parquetBytes, put, testConfig, useMoto } from './helpers.js';

const env = useMoto();
let clients: AwsClients;
let backend: Backend;

const ibe04 = { name: 'IBE_04', kind: 'infobase' } as const;
const request = (snapshotDt: string) => ({ table: ibe04, snapshotDt, bucketColumn: 'customer_user_id' });
const BASE = '2026-10-01';
const DRIFT = '2026-11-01';

async function stageAndRegister(snapshotDt: string, select: string): Promise<void> {
  await put(env.arrange.s3, `omc_cleanroom_data/split/IBE_04/snapshot_dt=${snapshotDt}/part-0.parquet`, await parquetBytes(select));
  await backend.catalog.registerStagedTable({ table: ibe04, snapshotDt });
}

/** Athena's answer to the one profile query: moto runs no SQL, it serves the next queued result set. */
const queueProfile = (rows: number, emptyKeys: number) =>
  env.moto.queueAthenaResult([['_col0', '_col1', '_col2'], [String(rows), '0', String(emptyKeys)]]);

beforeEach(async () => {
  await createDatabase(env.arrange.glue);
  clients = createAwsClients(parseAwsConfig(testConfig()));
  emulateAthenaCtas(clients.athena, { glue: env.arrange.glue, s3: env.arrange.s3, database: DATABASE }, { files: 4 });
  backend = await createAwsBackend(testConfig(), { clients });
  await stageAndRegister(BASE, `SELECT 'c1' AS customer_user_id, 42::BIGINT AS net_worth, 'A1' AS ibe_segment`);
  await backend.bucketed.createBucketedTable({ ...request(BASE), bucketCount: 256, requestToken: 'wf/run/ctas/IBE_04' }, NO_CONTEXT);
});

describe('AthenaTableQuality (Glue for schema and baseline via moto; Athena counts from moto static results)', () => {
  it('one Athena query per table over the staged snapshot; its bytes scanned are the check cost (moto reports none: a named layer sets them)', async () => {
    const starts = recordInputs(clients.athena, 'StartQueryExecutionCommand');
    // FAULT INJECTION (moto has no scan statistics): DataScannedInBytes on the quality query's execution.
    faultInjectionPatchOutput(clients.athena, 'GetQueryExecutionCommand', (output) => {
      const execution = output.QueryExecution as { Statistics?: Record<string, number> } | undefined;
      if (execution) execution.Statistics = { ...execution.Statistics, DataScannedInBytes: 123_456 };
    });
    await queueProfile(1000, 0);
    const first = await backend.quality.checkStagedTable(request(BASE), NO_CONTEXT);
    expect(first).toMatchObject({ verdict: 'pass', dataScannedBytes: 123_456, note: expect.stringMatching(/^first run of IBE_04/) });
    expect(first.checks.map((c) => c.message)).toEqual([
      'IBE_04: bucket column customer_user_id present (string)',
      'IBE_04: customer_user_id null or empty in 0 % of rows (0 of 1,000), max 5 %',
    ]);
    const sql = qualityProfileSql(DATABASE, ibe04, BASE, [{ name: 'customer_user_id', text: true, distinct: false }]);
    expect(starts.map((s) => s.QueryString)).toEqual([sql]);
    expect(sql).toBe(
      `SELECT count(*), count(*) FILTER (WHERE "customer_user_id" IS NULL), count(*) FILTER (WHERE trim("customer_user_id") = '') FROM "${DATABASE}"."ibe_04_staged" WHERE "snapshot_dt" = '${BASE}'`,
    );
  });

  it('records the baseline as Glue Parameters of the snapshot and stable tables; the next month is judged against it', async () => {
    await backend.quality.recordPublishedProfile({ table: ibe04, snapshotDt: BASE, rows: 981_442 }, NO_CONTEXT);
    const parameters = async (name: string) =>
      (await env.arrange.glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: name }))).Table?.Parameters ?? {};
    const snapshot = await parameters('ibe_04_bucketed_20261001');
    expect(snapshot).toMatchObject({
      'flywheel.quality.version': '1',
      'flywheel.quality.snapshot_dt': BASE,
      'flywheel.quality.rows': '981442',
      'flywheel.quality.columns': JSON.stringify([['customer_user_id', 'string'], ['net_worth', 'bigint'], ['ibe_segment', 'string']]),
    });
    const stable = await parameters('ibe_04_bucketed');
    expect(stable['flywheel.quality.rows']).toBe('981442');
    expect(stable['flywheel.snapshot_dt']).toBe(BASE);

    // November: net_worth retyped, ibe_segment dropped, a column added, 412,118 rows, a third of the keys empty.
    await stageAndRegister(DRIFT, `SELECT 'c1' AS customer_user_id, '42' AS net_worth, 1 AS loyalty_rank`);
    await queueProfile(412_118, 144_241);
    const result = await backend.quality.checkStagedTable(request(DRIFT), NO_CONTEXT);
    expect(result.baselineSnapshotDt).toBe(BASE);
    expect(result.verdict).toBe('fail');
    expect(result.checks.filter((c) => c.status === 'fail').map((c) => c.message)).toEqual([
      'IBE_04: column ibe_segment (string) removed since 2026-10-01 — stops the table',
      'IBE_04: column net_worth retyped bigint → string since 2026-10-01 — stops the table',
      'IBE_04: rows 412,118 vs 981,442 last month (\u221258 %), band \u221220 %\u2026+50 %',
      'IBE_04: customer_user_id null or empty in 35 % of rows (144,241 of 412,118), max 5 %',
    ]);
    expect(result.checks.find((c) => c.check === 'schema.added')).toMatchObject({ column: 'loyalty_rank', status: 'pass' });

    // Another worker (a fresh backend on new clients) reads the same baseline from the catalog.
    const other = await createAwsBackend(testConfig());
    try {
      await queueProfile(412_118, 144_241);
      expect(await other.quality.checkStagedTable(request(DRIFT), NO_CONTEXT)).toEqual({ ...result, dataScannedBytes: 0 });
    } finally {
      await other.close();
    }
  });

  it('a staged table that was never registered is a clear input error', async () => {
    await expect(backend.quality.checkStagedTable({ ...request(BASE), table: { name: 'IBE_99', kind: 'infobase' } }, NO_CONTEXT)).rejects.toThrow(
      `cannot check IBE_99: ${DATABASE}.ibe_99_staged is not in the Glue catalog (was it registered?)`,
    );
  });
});
