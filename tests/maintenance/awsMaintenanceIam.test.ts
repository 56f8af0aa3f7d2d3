/**
 * Delta maintenance's Glue-job path as a worker holding only iam/flywheel-worker-policy.json, on a moto
 * server of its own enforcing IAM, plus the enforcement layer for what moto cannot evaluate (see
 * tests/support/iamEnforcement.ts). config/prod.yaml names the maintenance job and the result prefix.
 * moto's runs do nothing, so the result JSON is written where the job would write it (by an admin, as
 * the job's own role would).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateJobCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseAwsConfig } from '../../src/backends/aws/config.js';
import { maintenanceResultUri } from '../../src/backends/aws/deltaMaintenance.js';
import { createAwsBackend } from '../../src/backends/aws/index.js';
import { parseS3Uri } from '../../src/backends/aws/s3Objects.js';
import { PROJECT_ROOT } from '../../src/config/home.js';
import { parseConfig } from '../../src/config/load.js';
import type { Backend } from '../../src/ports/backend.js';
import type { MaintenanceTarget } from '../../src/ports/deltaMaintenance.js';
import { clientsAs, createMotoPrincipals, enforceIamOnMoto, keysOf, type EnforcedRequest } from '../support/iamEnforcement.js';
import type { PolicyDocument } from '../support/iamPolicy.js';
import { startMoto, type Moto } from '../support/moto.js';

const policy = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'iam', 'flywheel-worker-policy.json'), 'utf8')) as PolicyDocument;
const target: MaintenanceTarget = { name: 'IBE_01', catalogTable: 'omc_flywheel_prod.ibe_01_delta', zorderBy: ['customer_user_id'] };
const ctx = { heartbeat: () => undefined, signal: new AbortController().signal };

describe('Delta maintenance (Glue job) under the shipped IAM policy, config/prod.yaml', () => {
  let moto: Moto;
  let backend: Backend;
  let admin: { s3: S3Client; glue: GlueClient };
  const decisions: EnforcedRequest[] = [];
  const document = parseYaml(readFileSync(path.join(PROJECT_ROOT, 'config', 'prod.yaml'), 'utf8')) as Record<string, any>;
  const config = () =>
    parseConfig(
      { ...document, jobs: { ...document.jobs, pollMinSeconds: 0.01, pollMaxSeconds: 0.02 }, aws: { ...document.aws, endpoint: moto.endpoint, maxAttempts: 2, retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 } } },
      'config/prod.yaml (test endpoint)',
      {},
    );

  beforeAll(async () => {
    moto = await startMoto(); // a server of its own: IAM enforcement is server-wide
    const c = config();
    const { admin: adminUser, worker } = await createMotoPrincipals(moto.endpoint, 'maintenance', policy);
    const credentials = keysOf(adminUser);
    admin = { s3: new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials }), glue: new GlueClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials }) };
    await admin.s3.send(new CreateBucketCommand({ Bucket: parseS3Uri(c.maintenance.resultPrefix!).bucket }));
    await admin.glue.send(
      new CreateJobCommand({ Name: c.maintenance.glueJob!, Role: 'arn:aws:iam::123456789012:role/flywheel-glue', Command: { Name: 'glueetl', ScriptLocation: 's3://x-scripts/delta.py' }, GlueVersion: '4.0' }),
    );
    await enforceIamOnMoto(moto.endpoint);
    backend = await createAwsBackend(c, { clients: clientsAs(parseAwsConfig(c), worker, policy, decisions) });
  });
  afterAll(async () => {
    await backend?.close();
    admin?.s3.destroy();
    admin?.glue.destroy();
    await moto?.stop();
  });

  it('runs the job, finds no result without a 403 (listing, not GetObject), then reads the result the job wrote', async () => {
    const none = backend.maintenance!.maintainTable({ target, retainHours: 168, asOf: '2026-11-01T00:00:00Z', runTag: 'wf/run/m/none' }, ctx);
    await expect(none).rejects.toMatchObject({ name: 'JobRunFailed', message: expect.stringMatching(/wrote no successful result/) });

    const runTag = 'wf/run/m/counts';
    const { bucket, key } = parseS3Uri(maintenanceResultUri(config().maintenance.resultPrefix!, 'prod', runTag));
    const figures = { versionBefore: 7, versionAfter: 10, versionsCommitted: [{ version: 8, operation: 'OPTIMIZE' }], filesBefore: 40, filesAfter: 4, bytesBefore: 9, bytesAfter: 8 };
    const result = { status: 'SUCCEEDED', ...figures, filesCompacted: 12, filesWritten: 1, filesRemoved: 30, bytesRemoved: 5, optimizeMs: 1, vacuumMs: 1, durationMs: 2 };
    await admin.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(result) }));
    const counted = await backend.maintenance!.maintainTable({ target, retainHours: 168, asOf: '2026-11-01T00:00:00Z', runTag }, ctx);
    expect(counted).toMatchObject({ filesCompacted: 12, filesRemoved: 30 });

    expect(decisions.filter((d) => d.decision !== 'allowed')).toEqual([]);
    const actions = new Set(decisions.map((d) => `${d.action} ${d.resource}`));
    expect([...actions]).toEqual(
      expect.arrayContaining([
        'glue:StartJobRun arn:aws:glue:us-east-1:123456789012:job/etl-omc-flywheel-prod-delta-maintenance',
        `s3:ListBucket arn:aws:s3:::${bucket}`,
        `s3:GetObject arn:aws:s3:::${bucket}/${key}`,
      ]),
    );
  });
});
