import { Readable } from 'node:stream';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { createAwsClients, type AwsClients, type AwsConfig } from '../../src/backends/aws/index.js';
import { authorizationOf, evaluate, type Account, type Authorization, type PolicyDocument, type PolicyStatement, type Service } from './iamPolicy.js';

/**
 * IAM ENFORCEMENT for the AWS tests, in two parts.
 *
 * 1. moto's own IAM authorization (server mode): switched on with `POST /moto-api/reset-auth` once the
 *    test's principals exist (moto's INITIAL_NO_AUTH_ACTION_COUNT mechanism, set at run time). From then
 *    on moto checks every request's SigV4 signature against the IAM user's keys and its action against
 *    the user's attached policies. What moto cannot enforce (checked in moto 5.2.5's
 *    moto/iam/access_control.py and moto/core/responses.py):
 *    - Glue and Athena resources: moto evaluates their actions against resource "*", so a statement
 *      naming ARNs never matches; the user therefore gets the policy with Glue/Athena resources widened
 *      to "*" (`asMotoEvaluates`), and moto checks only their actions;
 *    - condition keys (`s3:prefix`): operators other than StringEquals are ignored, values never passed;
 *    - S3's 403 AccessDenied (instead of 404) for GetObject of a missing key without s3:ListBucket;
 *    - DeleteObjects: moto checks s3:DeleteObject against the bucket ARN instead of each key (the user
 *      gets the bucket ARN added to s3:DeleteObject statements);
 *    - its Glue/Athena denials come back as XML, which the SDK cannot parse (`motoDenialsAsAws`).
 * 2. `enforcePolicy`, a layer on the worker's SDK clients that evaluates the shipped policy itself,
 *    unchanged, for exactly those gaps: every request's action on every resource ARN it names, with
 *    condition keys, per-key DeleteObjects, and the 403-for-a-missing-key rule. A denied request never
 *    reaches moto and fails as AWS answers it (Glue/Athena AccessDeniedException, S3 403 AccessDenied).
 */

export interface Principal {
  userName: string;
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export const MOTO_ACCOUNT: Account = { region: 'us-east-1', accountId: '123456789012' };

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statementsOf = (policy: PolicyDocument) => (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]);

/** The shipped policy as moto can evaluate it (see 1. above); everything else is left as written. */
export function asMotoEvaluates(policy: PolicyDocument): PolicyDocument {
  const Statement = statementsOf(policy).map((s): PolicyStatement => {
    const services = new Set(list(s.Action).map((a) => a.split(':')[0]));
    if (services.size !== 1) throw new Error(`asMotoEvaluates: statement ${s.Sid} mixes services; split it`);
    if (services.has('glue') || services.has('athena')) return { ...s, Resource: '*' };
    if (list(s.Action).includes('s3:DeleteObject')) {
      const buckets = list(s.Resource).map((r) => r.replace(/^(arn:aws:s3:::[^/]+).*$/, '$1'));
      return { ...s, Resource: [...new Set([...list(s.Resource), ...buckets])] };
    }
    return s;
  });
  return { ...policy, Statement };
}

/** An IAM user with `policy` attached as a managed policy, and its access key (call before enforcement). */
export async function createMotoPrincipal(endpoint: string, userName: string, policy: PolicyDocument): Promise<Principal> {
  const iam = new IAMClient({ region: MOTO_ACCOUNT.region, endpoint, credentials: { accessKeyId: 'setup', secretAccessKey: 'setup' } });
  try {
    const user = await iam.send(new CreateUserCommand({ UserName: userName }));
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: `${userName}-policy`, PolicyDocument: JSON.stringify(policy) }));
    await iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: created.Policy!.Arn! }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    return { userName, arn: user.User!.Arn!, accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
  }
}

/** From now on moto authorizes every request (server-wide: use a moto server of the test's own). */
export async function enforceIamOnMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  if (!response.ok) throw new Error(`moto reset-auth: HTTP ${response.status} ${await response.text()}`);
}

interface Stackable {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}
type RawResult = { output: Record<string, unknown>; response: { statusCode: number; headers: Record<string, string>; body: unknown } };
type Handler = (args: { input: Record<string, any> }) => Promise<RawResult>;
type Context = { commandName?: string };
let counter = 0;

const raw = (statusCode: number, headers: Record<string, string>, body: string): RawResult => ({
  output: {},
  response: { statusCode, headers, body: Readable.from([Buffer.from(body)]) },
});

function deniedResponse(service: Service, principal: Principal, action: string, resource: string | undefined, message?: string): RawResult {
  const text = message ?? `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
  if (service === 's3') {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${text}</Message><RequestId>iam-layer</RequestId></Error>`;
    return raw(403, { 'content-type': 'application/xml' }, xml);
  }
  const json = JSON.stringify({ __type: 'AccessDeniedException', Message: text });
  return raw(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException' }, json);
}

export interface EnforcedRequest {
  service: Service;
  action: string;
  resource?: string;
  decision: string;
  /** What was evaluated (absent for the derived missing-key check). */
  authorization?: Authorization;
}

/** Adds the policy-evaluating layer (part 2 above) to one client; `seen` records every decision. */
export function enforcePolicy(client: Stackable, service: Service, policy: PolicyDocument, principal: Principal, seen: EnforcedRequest[] = []): EnforcedRequest[] {
  const workgroups = new Map<string, string>();
  const workgroupOf = (id: string) => workgroups.get(id) ?? 'primary';
  const allowed = (action: string, resource: string, context: Record<string, string> = {}) =>
    evaluate(policy, { action, resources: [resource], context }).decision === 'allowed';
  const name = `iamEnforcement${++counter}`;

  // Parsed-level part: per-key DeleteObjects, and which workgroup each Athena query runs in.
  client.middlewareStack.add(
    (next: Handler, context: Context) => async (args: { input: Record<string, any> }) => {
      if (service === 'athena' && context.commandName === 'StartQueryExecutionCommand') {
        const result = await next(args);
        workgroups.set(String(result.output.QueryExecutionId), args.input.WorkGroup ?? 'primary');
        return result;
      }
      if (service !== 's3' || context.commandName !== 'DeleteObjectsCommand') return next(args);
      const keys: { Key: string }[] = args.input.Delete?.Objects ?? [];
      const denied = keys.filter((o) => !allowed('s3:DeleteObject', `arn:aws:s3:::${args.input.Bucket}/${o.Key}`));
      for (const o of keys) {
        const resource = `arn:aws:s3:::${args.input.Bucket}/${o.Key}`;
        const authorization = { action: 's3:DeleteObject', resources: [resource] };
        seen.push({ service, action: 's3:DeleteObject', resource, decision: denied.includes(o) ? 'implicit-deny' : 'allowed', authorization });
      }
      const errors = denied.map((o) => ({ Key: o.Key, Code: 'AccessDenied', Message: 'Access Denied' }));
      const rest = keys.filter((o) => !denied.includes(o));
      if (rest.length === 0) return { output: { Deleted: [], Errors: errors, $metadata: { httpStatusCode: 200 } } };
      const result = await next({ ...args, input: { ...args.input, Delete: { ...args.input.Delete, Objects: rest } } });
      result.output.Errors = [...((result.output.Errors as unknown[]) ?? []), ...errors];
      return result;
    },
    { step: 'initialize', priority: 'low', name: `${name}Parsed` },
  );

  // HTTP-level part: authorize before the request leaves; S3's 403 for a key it may not know is missing.
  client.middlewareStack.add(
    (next: Handler, context: Context) => async (args: { input: Record<string, any> }) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      if (service === 's3' && operation === 'DeleteObjects') return next(args);
      const authorization = authorizationOf(service, operation, args.input, MOTO_ACCOUNT, workgroupOf);
      if (!authorization) throw new Error(`IAM enforcement layer: no IAM mapping for ${service} ${operation}; add it to tests/support/iamPolicy.ts`);
      const { decision, resource } = evaluate(policy, authorization);
      seen.push({ service, action: authorization.action, resource: resource ?? authorization.resources.join(' '), decision, authorization });
      if (decision !== 'allowed') return deniedResponse(service, principal, authorization.action, resource);
      const result = await next(args);
      const bucket = `arn:aws:s3:::${args.input.Bucket}`;
      if (service === 's3' && operation === 'GetObject' && result.response.statusCode === 404 && !allowed('s3:ListBucket', bucket)) {
        // What S3 does: without s3:ListBucket the caller may not learn that the key does not exist.
        seen.push({ service, action: 's3:GetObject (missing key, no s3:ListBucket)', resource: bucket, decision: 'implicit-deny' });
        return deniedResponse('s3', principal, 's3:GetObject', undefined, 'Access Denied');
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: `${name}Http` },
  );
  return seen;
}

/** moto answers Glue/Athena (JSON protocols) errors from its IAM check in XML: re-encode them as AWS does. */
export function motoDenialsAsAws(client: Stackable): void {
  client.middlewareStack.add(
    (next: Handler) => async (args: { input: Record<string, any> }) => {
      const result = await next(args);
      const contentType = String(result.response.headers['content-type'] ?? result.response.headers['Content-Type'] ?? '');
      if (result.response.statusCode < 400 || !contentType.includes('xml')) return result;
      let body = '';
      for await (const chunk of result.response.body as AsyncIterable<Buffer>) body += chunk.toString();
      const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? 'UnknownError';
      const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? body;
      const type = code === 'AccessDenied' ? 'AccessDeniedException' : code;
      return raw(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type }, JSON.stringify({ __type: type, Message: message }));
    },
    { step: 'deserialize', priority: 'low', name: `motoDenialsAsAws${++counter}` },
  );
}

const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** An administrator (for arranging and for AWS's own parts) and the worker holding `policy`, before enforcement. */
export async function createMotoPrincipals(endpoint: string, suffix: string, policy: PolicyDocument): Promise<{ admin: Principal; worker: Principal }> {
  const admin = await createMotoPrincipal(endpoint, `admin-${suffix}`, ALLOW_ALL);
  const worker = await createMotoPrincipal(endpoint, `flywheel-worker-${suffix}`, asMotoEvaluates(policy));
  return { admin, worker };
}

export const keysOf = (principal: Principal) => ({ accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey });

/**
 * The backend's SDK clients as the worker builds them, with the worker's keys (through createAwsClients'
 * environment, as on a host), moto's denials re-encoded and the policy layer on each.
 */
export function clientsAs(aws: AwsConfig, principal: Principal, policy: PolicyDocument, decisions: EnforcedRequest[]): AwsClients {
  const clients = createAwsClients(aws, { ...process.env, AWS_ACCESS_KEY_ID: principal.accessKeyId, AWS_SECRET_ACCESS_KEY: principal.secretAccessKey });
  motoDenialsAsAws(clients.glue);
  motoDenialsAsAws(clients.athena);
  enforcePolicy(clients.s3, 's3', policy, principal, decisions);
  enforcePolicy(clients.glue, 'glue', policy, principal, decisions);
  enforcePolicy(clients.athena, 'athena', policy, principal, decisions);
  return clients;
}
