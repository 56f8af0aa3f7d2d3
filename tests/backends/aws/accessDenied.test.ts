import { GetTableCommand } from '@aws-sdk/client-glue';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { iamAction, parseDeniedMessage, requestResource, toAccessDeniedError } from '../../../src/backends/aws/accessDenied.js';
import { createAwsClients, parseAwsConfig } from '../../../src/backends/aws/index.js';
import { AccessDeniedError, NON_RETRYABLE_ERROR_TYPES } from '../../../src/domain/errors.js';
import { faultInjectionErrorResponse, faultInjectionS3ErrorResponse } from './faultInjection.js';
import { BUCKET, DATABASE, testConfig, useMoto } from './helpers.js';

describe('AccessDenied: action and resource', () => {
  it('reads both from the message Glue and Athena send', () => {
    const message =
      'User: arn:aws:sts::123456789012:assumed-role/flywheel/w is not authorized to perform: glue:CreateTable on resource: ' +
      'arn:aws:glue:us-east-1:123456789012:table/omc_flywheel_prod/ibe_01_staged because no identity-based policy allows the glue:CreateTable action';
    expect(parseDeniedMessage(message)).toEqual({
      action: 'glue:CreateTable',
      resource: 'arn:aws:glue:us-east-1:123456789012:table/omc_flywheel_prod/ibe_01_staged',
    });
    expect(parseDeniedMessage('User: arn:aws:iam::1:user/x is not authorized to perform: athena:StartQueryExecution')).toEqual({
      action: 'athena:StartQueryExecution',
      resource: undefined,
    });
    expect(parseDeniedMessage('Access Denied')).toEqual({});
  });

  it('derives them from the request when S3 only says "Access Denied"', () => {
    expect(iamAction('s3', 'ListObjectsV2')).toBe('s3:ListBucket');
    expect(iamAction('s3', 'DeleteObjects')).toBe('s3:DeleteObject');
    expect(iamAction('glue', 'BatchCreatePartition')).toBe('glue:BatchCreatePartition');
    expect(requestResource('s3', 'ListObjectsV2', { Bucket: 'b', Prefix: 'x/y/' }, 'us-east-1')).toBe('arn:aws:s3:::b (prefix "x/y/")');
    expect(requestResource('s3', 'GetObject', { Bucket: 'b', Key: 'x/y.json' }, 'us-east-1')).toBe('arn:aws:s3:::b/x/y.json');
    expect(requestResource('s3', 'DeleteObjects', { Bucket: 'b', Delete: { Objects: [{ Key: 'k1' }] } }, 'r')).toBe('arn:aws:s3:::b/k1');
    expect(requestResource('glue', 'StartJobRun', { JobName: 'split' }, 'eu-west-1')).toBe('arn:aws:glue:eu-west-1:*:job/split');
    expect(requestResource('glue', 'CreateTable', { DatabaseName: 'db', TableInput: { Name: 't' } }, 'r')).toBe('arn:aws:glue:r:*:table/db/t');
    expect(requestResource('glue', 'GetTables', { DatabaseName: 'db' }, 'r')).toBe('arn:aws:glue:r:*:database/db');
    expect(requestResource('athena', 'StartQueryExecution', { WorkGroup: 'primary' }, 'r')).toBe('arn:aws:athena:r:*:workgroup/primary');
    const error = toAccessDeniedError('s3', 'GetObject', { Bucket: 'b', Key: 'k' }, 'r', Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error).toMatchObject({ name: 'AccessDenied', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' });
    expect(error.message).toMatch(/^AWS denied s3:GetObject on arn:aws:s3:::b\/k \(GetObject\): Access Denied\. .*iam\/flywheel-worker-policy\.json/);
    expect(NON_RETRYABLE_ERROR_TYPES).toContain(error.name);
    // S3's newer message names the bucket; the prefix listed (what an s3:prefix condition decides on) is kept.
    const said = 'User: arn:aws:iam::1:user/w is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::b" because no identity-based policy allows the s3:ListBucket action';
    const listing = toAccessDeniedError('s3', 'ListObjectsV2', { Bucket: 'b', Prefix: 'x/' }, 'r', Object.assign(new Error(said), { name: 'AccessDenied' }));
    expect(listing).toMatchObject({ action: 's3:ListBucket', resource: 'arn:aws:s3:::b (prefix "x/")' });
  });
});

describe('AccessDenied from the SDK clients (fault injection: moto without IAM enforcement allows everything)', () => {
  useMoto();
  const clients = () => createAwsClients(parseAwsConfig(testConfig()));

  it('Glue AccessDeniedException leaves the client as AccessDeniedError, sent once (no SDK retries)', async () => {
    const c = clients();
    const message = `User: arn:aws:iam::123456789012:user/w is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:123456789012:table/${DATABASE}/t`;
    const fault = faultInjectionErrorResponse(c.glue, 'GetTableCommand', 'AccessDeniedException', 5, 400, message);
    const sent = await c.glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: 't' })).catch((e: unknown) => e);
    expect(sent).toBeInstanceOf(AccessDeniedError);
    expect(sent).toMatchObject({ action: 'glue:GetTable', resource: `arn:aws:glue:us-east-1:123456789012:table/${DATABASE}/t` });
    expect(fault.calls()).toBe(1);
    c.destroy();
  });

  it('an S3 403 AccessDenied names s3:ListBucket and the prefix it listed', async () => {
    const c = clients();
    const fault = faultInjectionS3ErrorResponse(c.s3, 'ListObjectsV2Command', 'AccessDenied', 5, 403, 'Access Denied');
    const sent = await c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'omc_cleanroom_data/x/' })).catch((e: unknown) => e);
    expect(sent).toBeInstanceOf(AccessDeniedError);
    expect(sent).toMatchObject({ action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET} (prefix "omc_cleanroom_data/x/")` });
    expect(fault.calls()).toBe(1);
    c.destroy();
  });
});
