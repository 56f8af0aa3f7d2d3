import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetBreakers } from '../../src/lineage/http/breaker.js';
import { createLineagePublisher, listLineage, publishPending } from '../../src/lineage/index.js';
import { NO_CONTEXT } from '../../src/ports/context.js';
import { startFakeOpenMetadata, type FakeOpenMetadata } from '../support/fakeOpenMetadata.js';
import { sampleConfig, sampleQualityRun, sampleRun } from './fixtures.js';
import { OmContract } from './omContract.js';

let fake: FakeOpenMetadata;
let home: string;
beforeEach(async () => {
  resetBreakers();
  fake = await startFakeOpenMetadata('secret-bot-token-123');
  home = await mkdtemp(path.join(tmpdir(), 'flywheel-om-'));
});
afterEach(async () => {
  await fake.stop();
  await rm(home, { recursive: true, force: true });
});

const env = () => ({ OPENMETADATA_JWT_TOKEN: fake.token });
const config = (extra: Record<string, unknown> = {}, om: Record<string, unknown> = {}) =>
  sampleConfig({
    sink: 'openmetadata',
    openmetadata: { url: fake.url, ...om },
    http: { timeoutMs: 2000, retries: 1, retryBaseMs: 1 },
    ...extra,
  });
const publish = (cfg = config(), run = sampleRun(), e: NodeJS.ProcessEnv = env()) => createLineagePublisher(cfg, home, e).publish(run, NO_CONTEXT);
const lineagePuts = () => fake.count('PUT', '/api/v1/lineage');

describe('OpenMetadata REST publisher against the fake server', () => {
  it('upserts the entity set, one edge per hop with column lineage, and the pipeline status', async () => {
    const outcome = await publish();
    expect(outcome).toMatchObject({ status: 'published' });
    expect(fake.entity('databaseService', 'aws_glue')).toMatchObject({ serviceType: 'Glue' });
    expect(fake.entity('database', 'aws_glue.awsdatacatalog')).toBeDefined();
    expect([...fake.entities.get('databaseSchema')!.keys()].sort()).toEqual(['aws_glue.awsdatacatalog.omc_flywheel_prod', 'aws_glue.awsdatacatalog.source_files']);
    expect(fake.entities.get('table')!.size).toBe(6);
    const staged = fake.entity('table', 'aws_glue.awsdatacatalog.omc_flywheel_prod.ibe_01_staged')!;
    expect(staged.columns).toEqual([
      expect.objectContaining({ name: 'customer_user_id', dataType: 'STRING', dataTypeDisplay: 'string' }),
      expect.objectContaining({ name: 'age', dataType: 'BIGINT', dataTypeDisplay: 'bigint' }),
      expect.objectContaining({ name: 'income', dataType: 'BIGINT' }),
    ]);
    const pipeline = fake.entity('pipeline', 'flywheel_temporal.cleanroom_refresh_prod')!;
    expect(fake.entity('pipelineService', 'flywheel_temporal')).toMatchObject({ serviceType: 'CustomPipeline' });
    expect((pipeline.tasks as { name: string }[]).map((t) => t.name)).toEqual(['discover', 'split', 'register', 'check', 'bucket', 'validate', 'lineage']);

    expect([...fake.edges.keys()].sort()).toEqual([
      'aws_glue.awsdatacatalog.omc_flywheel_prod.ibe_01_staged>aws_glue.awsdatacatalog.omc_flywheel_prod.ibe_01_bucketed',
      'aws_glue.awsdatacatalog.source_files.IBE_01>aws_glue.awsdatacatalog.omc_flywheel_prod.ibe_01_staged',
      'aws_glue.awsdatacatalog.source_files.addressable_ids>aws_glue.awsdatacatalog.omc_flywheel_prod.addressable_ids_bucketed',
    ]);
    const ctas = fake.edges.get('aws_glue.awsdatacatalog.omc_flywheel_prod.ibe_01_staged>aws_glue.awsdatacatalog.omc_flywheel_prod.ibe_01_bucketed')!;
    // The fake drops column mappings whose FQNs are not columns of the tables, as OpenMetadata does.
    expect(ctas.lineageDetails.columnsLineage).toHaveLength(3);
    expect(ctas.lineageDetails).toMatchObject({ source: 'PipelineLineage', pipeline: { id: pipeline.id, type: 'pipeline' }, sqlQuery: expect.stringContaining('CREATE TABLE') });
    expect(lineagePuts()).toBe(3); // one PUT per edge, all columns in it

    const [status] = fake.statuses.get('flywheel_temporal.cleanroom_refresh_prod')!;
    expect(status).toMatchObject({ executionStatus: 'Failed', timestamp: Date.parse('2026-10-02T01:00:00.000Z') });
    expect((status!.taskStatus as { name: string; executionStatus: string }[]).find((t) => t.name === 'split')).toMatchObject({ executionStatus: 'Failed' });

    expect(fake.requests.find((r) => r.path === '/api/v1/system/version')!.authorization).toBeUndefined();
    for (const r of fake.requests.filter((r) => r.body !== undefined)) expect(r.contentType).toBe('application/json');
    // The token never reaches the ledger.
    const ledger = path.join(home, 'lineage/published');
    for (const f of await readdir(ledger)) expect(await readFile(path.join(ledger, f), 'utf8')).not.toContain(fake.token);
  });

  it('every request body validates against the official OpenMetadata 1.13 schemas', async () => {
    await publish(config({}, { pipelineService: { name: 'flywheel.temporal' } }));
    const counts = new OmContract().checkAll(fake.requests);
    expect(counts['api/data/createTable.json']).toBe(6);
    expect(counts['api/lineage/addLineage.json']).toBe(3);
    expect(counts['entity/data/pipeline.json#/definitions/pipelineStatus']).toBe(1);
    expect(Object.keys(counts)).toHaveLength(8);
    const bad = new OmContract().validator('api/data/createTable.json');
    expect(bad({ name: 't', databaseSchema: 's', columns: [{ name: 'c', dataType: 'varchar' }] })).toBe(false);
  });

  it('quotes names with dots in FQNs and percent-encodes them in the status path', async () => {
    expect(await publish(config({}, { pipelineService: { name: 'flywheel.temporal' } }))).toMatchObject({ status: 'published' });
    expect(fake.entity('pipeline', '"flywheel.temporal".cleanroom_refresh_prod')).toBeDefined();
    expect(fake.statuses.get('"flywheel.temporal".cleanroom_refresh_prod')).toHaveLength(1);
  });

  it('rejects a name containing a double quote before sending anything', async () => {
    const outcome = await publish(config({}, { database: 'aws"catalog' }));
    // The config schema already refuses it, so the publisher reports the config problem.
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/double quote/);
    expect(fake.requests).toHaveLength(0);
  });

  it('is idempotent: republishing another run of the snapshot upserts, never duplicates', async () => {
    await publish();
    await publish(config(), sampleRun({ runId: 'retry-run' }));
    expect(fake.entities.get('table')!.size).toBe(6);
    expect(fake.edges.size).toBe(3);
    expect(fake.statuses.get('flywheel_temporal.cleanroom_refresh_prod')).toHaveLength(1); // same timestamp → replaced
    const before = fake.requests.length;
    expect(await publish()).toMatchObject({ status: 'published' }); // already in the ledger: no calls
    expect(fake.requests.length).toBe(before);
  });

  it('reads the token from a secret file when the env var is unset', async () => {
    await writeFile(path.join(home, 'om.jwt'), `${fake.token}\n`);
    expect(await publish(config({}, { tokenFile: 'om.jwt' }), sampleRun(), {})).toMatchObject({ status: 'published' });
  });
});

describe('OpenMetadata publisher degradation', () => {
  it('401 → failed with an auth reason naming the env var; nothing written', async () => {
    const outcome = await publish(config(), sampleRun(), { OPENMETADATA_JWT_TOKEN: 'expired' });
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/401.*authentication failed.*OPENMETADATA_JWT_TOKEN/);
    expect(outcome.reason).not.toContain('expired');
    expect(fake.count('PUT', '/')).toBe(0);
    expect((await listLineage(home))[0]).toMatchObject({ status: 'failed', attempts: 1 });
    const missing = await publish(config(), sampleRun({ runId: 'r2' }), {});
    expect(missing).toMatchObject({ status: 'failed', reason: expect.stringContaining('OPENMETADATA_JWT_TOKEN') });
  });

  it('outage (connection refused) → pending in the outbox; catch-up publishes it once the server is back', async () => {
    await fake.stop();
    const outcome = await publish();
    expect(outcome.status).toBe('pending');
    expect(outcome.reason).toMatch(/ECONNREFUSED/);
    expect(await readdir(path.join(home, 'lineage/outbox'))).toHaveLength(1);
    await fake.start();
    const results = await publishPending(config(), home, { env: env() });
    expect(results).toEqual([expect.objectContaining({ previous: 'pending', status: 'published', snapshotDt: '2026-10-01' })]);
    expect(fake.edges.size).toBe(3);
    expect(await readdir(path.join(home, 'lineage/outbox'))).toHaveLength(0);
    expect(await publishPending(config(), home, { env: env() })).toEqual([]);
  });

  it('a 5xx mid-run keeps the delivered edges; catch-up sends exactly the missing ones', async () => {
    fake.inject({ match: (m, p) => m === 'PUT' && p === '/api/v1/lineage', respond: 500, after: 1 });
    const outcome = await publish();
    expect(outcome).toMatchObject({ status: 'pending', reason: expect.stringMatching(/500/) });
    expect(fake.edges.size).toBe(1);
    const [entry] = await listLineage(home);
    expect(entry).toMatchObject({ status: 'pending', attempts: 1 });
    const edgePutsBefore = lineagePuts();
    fake.clearFaults();
    const [result] = await publishPending(config(), home, { env: env(), snapshotDt: '2026-10-01' });
    expect(result).toMatchObject({ status: 'published' });
    expect(lineagePuts() - edgePutsBefore).toBe(2);
    expect(fake.edges.size).toBe(3);
    expect(fake.count('PUT', '/api/v1/pipelines/flywheel_temporal.cleanroom_refresh_prod/status')).toBe(1);
    expect((await listLineage(home))[0]).toMatchObject({ status: 'published', attempts: 2 });
  });

  it('slow responses time out → pending', async () => {
    fake.inject({ respond: 'slow', delayMs: 400 });
    const outcome = await publish(config({ http: { timeoutMs: 100, retries: 1, retryBaseMs: 1 } }));
    expect(outcome).toMatchObject({ status: 'pending', reason: expect.stringMatching(/timed out after 100 ms.*2 attempts/) });
  });

  it('a 404 on an entity is a contract failure → failed', async () => {
    fake.inject({ match: (m, p) => m === 'PUT' && p === '/api/v1/tables', respond: 404 });
    const outcome = await publish();
    expect(outcome).toMatchObject({ status: 'failed', reason: expect.stringMatching(/PUT \/api\/v1\/tables answered 404/) });
  });

  it('the breaker opens after N consecutive failures, skips calls while open, and closes after a half-open probe', async () => {
    const cfg = config({ http: { timeoutMs: 1000, retries: 0, retryBaseMs: 1 }, breaker: { failureThreshold: 2, cooldownMs: 300 } });
    await fake.stop();
    expect((await publish(cfg, sampleRun({ runId: 'a' }))).status).toBe('pending');
    expect((await publish(cfg, sampleRun({ runId: 'b' }))).status).toBe('pending');
    await fake.start();
    const skipped = await publish(cfg, sampleRun({ runId: 'c' }));
    expect(skipped).toMatchObject({ status: 'pending', reason: expect.stringMatching(/circuit open after 2 consecutive failures/) });
    expect(fake.requests).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 350));
    expect((await publish(cfg, sampleRun({ runId: 'd' }))).status).toBe('published');
    expect((await publishPending(cfg, home, { env: env() })).map((r) => r.status)).toEqual(['published', 'published', 'published']);
  });

  it('quality gate results become test definitions, a suite per checked table, test cases and one result per case and run', async () => {
    expect(await publish(config(), sampleQualityRun())).toMatchObject({ status: 'published' });
    const counts = new OmContract().checkAll(fake.requests);
    const cases = fake.entities.get('testCase')!;
    expect(counts['api/tests/createTestSuite.json']).toBe(2);
    expect(counts['api/tests/createTestCase.json']).toBe(cases.size);
    expect(counts['api/tests/createTestCaseResult.json']).toBe(cases.size);
    const rows = 'aws_glue.awsdatacatalog.omc_flywheel_prod.ibe_01_staged.flywheel_rows_change';
    expect(cases.get(rows)).toMatchObject({ testDefinition: 'flywheelRowCountChangeWithinBand' });
    expect(cases.get('aws_glue.awsdatacatalog.omc_flywheel_prod.ibe_01_staged.customer_user_id.flywheel_nullRate_customer_user_id')).toBeDefined();
    expect(fake.testCaseResults.get(rows)).toEqual([
      expect.objectContaining({ testCaseStatus: 'Failed', result: expect.stringContaining('(−58 %), band −20 %…+50 % — approved 2026-10-02T02:00:00.000Z: vendor confirmed') }),
    ]);

    // Published again (catch-up): no result is sent twice.
    const posts = fake.count('POST', '/api/v1/dataQuality/testCases/testCaseResults/');
    await createLineagePublisher(config(), home, env()).publish(sampleQualityRun(), NO_CONTEXT);
    expect(fake.count('POST', '/api/v1/dataQuality/testCases/testCaseResults/') - posts).toBe(0);
    expect(fake.testCaseResults.get(rows)).toHaveLength(1);
  });
});
