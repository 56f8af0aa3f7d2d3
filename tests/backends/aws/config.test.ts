import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../src/backends/aws/clients.js';
import { parseAwsConfig } from '../../../src/backends/aws/config.js';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { testConfig } from './helpers.js';

const noEnv = {} as NodeJS.ProcessEnv;

describe('config/dev.yaml and config/prod.yaml', () => {
  for (const env of ['dev', 'prod']) {
    it(`${env}.yaml loads with loadConfig and its aws section validates`, () => {
      const config = loadConfig(`config/${env}.yaml`, noEnv);
      expect(config).toMatchObject({ environment: env, backend: 'aws', catalog: { database: `omc_flywheel_${env}` } });
      const aws = parseAwsConfig(config);
      expect(aws.region).toBe('us-east-1');
      expect(aws.athena).toMatchObject({ dmlConcurrency: 20, keepPreviousSnapshots: 2, workgroup: 'primary' });
      expect(aws.athena.outputLocation).toMatch(/^s3:\/\/omc-flywheel-/);
      expect(config.tableConcurrency).toBeLessThanOrEqual(aws.athena.dmlConcurrency);
    });
  }

  it('prod names the production jobs, bucket and database', () => {
    const config = loadConfig('config/prod.yaml', noEnv);
    expect(config.jobs).toMatchObject({
      infobaseSplitAndBucket: 'etl-omc-flywheel-prod-infobase-split-and-bucket',
      addressableBucket: 'etl-omc-flywheel-prod-addressable-bucket',
    });
    expect(config.layout).toMatchObject({ sourceBucket: 'omc-flywheel-data-us-east-1-prod', targetBucket: 'omc-flywheel-data-us-east-1-prod' });
    expect(parseAwsConfig(config).athena.outputLocation).toBe('s3://omc-flywheel-prod-analysis-data/athena-results/flywheel/');
  });
});

describe('aws config section', () => {
  it('defaults everything when absent', () => {
    const aws = parseAwsConfig({ ...testConfig(), aws: undefined });
    expect(aws).toMatchObject({ maxAttempts: 5, glue: { registration: 'api' }, athena: { workgroup: 'primary', dmlConcurrency: 20, keepPreviousSnapshots: 2 } });
  });

  it('accepts glue-job registration with the register job named', () => {
    const aws = parseAwsConfig({ ...testConfig(), aws: { glue: { registration: 'glue-job', registerJob: 'etl-omc-flywheel-prod-register-staged-tables' } } });
    expect(aws.glue).toMatchObject({ registration: 'glue-job', registerJob: 'etl-omc-flywheel-prod-register-staged-tables' });
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['a bad dmlConcurrency', { athena: { dmlConcurrency: 0 } }, /aws\.athena\.dmlConcurrency:/],
    ['an unknown key', { athena: { workgroupp: 'x' } }, /aws\.athena: .*workgroupp/],
    ['a worker type without a worker count', { glue: { defaults: { workerType: 'G.1X' } } }, /aws\.glue\.defaults\.numberOfWorkers: .*together/],
    ['an output location that is not s3://', { athena: { outputLocation: 'https://x/' } }, /aws\.athena\.outputLocation: must be an s3:\/\/ URI/],
    ['glue-job registration without registerJob', { glue: { registration: 'glue-job' } }, /aws\.glue\.registerJob: required when registration is "glue-job"/],
    ['an unknown registration mode', { glue: { registration: 'crawler' } }, /aws\.glue\.registration: must be "api" or "glue-job"/],
    ['a registerJob that is not a job name', { glue: { registration: 'glue-job', registerJob: 'a b' } }, /aws\.glue\.registerJob: must be a Glue job name/],
    ['an invalid region', { region: 'mars' }, /aws\.region: must be an AWS region/],
  ];
  for (const [what, aws, message] of invalid) {
    it(`rejects ${what}, naming the field`, () => {
      const config = { ...testConfig(), aws };
      expect(() => parseAwsConfig(config)).toThrow(ConfigError);
      expect(() => parseAwsConfig(config)).toThrow(message);
    });
  }
});

describe('client factory', () => {
  it('needs a region from config or the environment', () => {
    const aws = parseAwsConfig({ ...testConfig(), aws: {} });
    expect(() => createAwsClients(aws, noEnv)).toThrow(/aws\.region: not set/);
    const clients = createAwsClients(aws, { AWS_REGION: 'eu-west-1' });
    expect(clients.region).toBe('eu-west-1');
    clients.destroy();
  });

  it('uses path-style S3 addressing only when an endpoint is overridden', async () => {
    const aws = parseAwsConfig({ ...testConfig(), aws: { region: 'us-east-1' } });
    const plain = createAwsClients(aws, noEnv);
    const moto = createAwsClients(aws, { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' });
    const configured = createAwsClients(parseAwsConfig({ ...testConfig(), aws: { region: 'us-east-1', endpoint: 'http://127.0.0.1:5000' } }), noEnv);
    expect(plain.s3.config.forcePathStyle).toBe(false);
    expect(moto.s3.config.forcePathStyle).toBe(true);
    expect(configured.s3.config.forcePathStyle).toBe(true);
    expect((await configured.glue.config.endpoint!()).hostname).toBe('127.0.0.1');
    expect((await moto.athena.config.endpoint!()).port).toBe(5000);
    const perService = createAwsClients(aws, { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_GLUE: 'http://127.0.0.1:6000' });
    expect((await perService.glue.config.endpoint!()).port).toBe(6000);
    expect((await perService.s3.config.endpoint!()).port).toBe(5000);
    perService.destroy();
    for (const c of [plain, moto, configured]) c.destroy();
  });
});

describe('iam/flywheel-worker-policy.json', () => {
  const policy = JSON.parse(readFileSync('iam/flywheel-worker-policy.json', 'utf8')) as {
    Statement: { Action: string | string[]; Resource: string | string[] }[];
  };
  const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
  const actions = policy.Statement.flatMap((s) => list(s.Action));
  const resources = policy.Statement.flatMap((s) => list(s.Resource));
  const config = loadConfig('config/prod.yaml', noEnv);

  it('grants no wildcard actions and no wildcard resources', () => {
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(resources.filter((r) => r === '*')).toEqual([]);
  });

  it('covers every API the backend calls, scoped to the prod jobs, database, buckets and workgroup', () => {
    for (const action of [
      's3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject',
      'glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun',
      'glue:CreateTable', 'glue:UpdateTable', 'glue:GetTable', 'glue:GetTables', 'glue:DeleteTable',
      'glue:BatchCreatePartition', 'glue:UpdatePartition', 'glue:GetPartition',
      'athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution',
    ]) {
      expect(actions).toContain(action);
    }
    const text = JSON.stringify(policy);
    expect(text).toContain(`job/${config.jobs.infobaseSplitAndBucket}`);
    expect(text).toContain(`job/${config.jobs.addressableBucket}`);
    // aws.glue.registration: glue-job (commented out in prod.yaml) runs this job.
    expect(text).toContain('job/etl-omc-flywheel-prod-register-staged-tables');
    expect(text).toContain(`table/${config.catalog.database}/*`);
    expect(text).toContain(`workgroup/${parseAwsConfig(config).athena.workgroup}`);
    expect(text).toContain(`${config.layout.targetBucket}/${config.layout.bucketedPrefix}*`);
    // Deletes only ever on the bucketed prefix Flywheel owns, never on source or staged data.
    const deleting = policy.Statement.filter((s) => list(s.Action).includes('s3:DeleteObject')).flatMap((s) => list(s.Resource));
    expect(deleting).toEqual([`arn:aws:s3:::${config.layout.targetBucket}/${config.layout.bucketedPrefix}*`]);
  });
});
