import { AccessDeniedError } from '../../domain/errors.js';

/**
 * AWS AccessDenied → AccessDeniedError (failure type `AccessDenied`, never retried) that names the IAM
 * action and the resource. Glue and Athena say both in their message ("… is not authorized to perform:
 * glue:GetTable on resource: arn:…"); S3 often says only "Access Denied", so both are also derived from
 * the request itself.
 */
export type AwsService = 's3' | 'glue' | 'athena';

const DENIED_NAMES = new Set(['AccessDenied', 'AccessDeniedException']);

export function isAccessDenied(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; Code?: unknown };
  return DENIED_NAMES.has(String(e.name)) || DENIED_NAMES.has(String(e.Code));
}

/** S3 operations whose IAM action is not `s3:<Operation>`. */
const S3_ACTIONS: Record<string, string> = {
  ListObjectsV2: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  HeadObject: 's3:GetObject',
  DeleteObjects: 's3:DeleteObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
};

type Input = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function iamAction(service: AwsService, operation: string): string {
  return (service === 's3' ? S3_ACTIONS[operation] : undefined) ?? `${service}:${operation}`;
}

/** The resource the request was about, as the policy would name it (account unknown to the worker: `*`). */
export function requestResource(service: AwsService, operation: string, input: Input, region: string): string {
  if (service === 's3') {
    const bucket = text(input.Bucket) ?? '*';
    if (operation === 'ListObjectsV2' || operation === 'ListObjects') {
      return `arn:aws:s3:::${bucket} (prefix ${JSON.stringify(text(input.Prefix) ?? '')})`;
    }
    const keys = (input.Delete as { Objects?: { Key?: string }[] } | undefined)?.Objects?.map((o) => o.Key);
    const key = text(input.Key) ?? keys?.[0];
    return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
  }
  const arn = (rest: string) => `arn:aws:${service}:${region}:*:${rest}`;
  if (service === 'athena') {
    const workgroup = text(input.WorkGroup);
    if (workgroup) return arn(`workgroup/${workgroup}`);
    return text(input.QueryExecutionId) ? `the workgroup of query ${String(input.QueryExecutionId)}` : arn('workgroup/*');
  }
  const job = text(input.JobName);
  if (job) return arn(`job/${job}`);
  const database = text(input.DatabaseName);
  const table = text(input.TableName) ?? text(input.Name) ?? text((input.TableInput as Input | undefined)?.Name);
  if (database && table) return arn(`table/${database}/${table}`);
  if (database) return arn(`database/${database}`);
  return arn('catalog');
}

/** Action and resource from "User: … is not authorized to perform: X on resource: Y because …". */
export function parseDeniedMessage(message: string): { action?: string; resource?: string } {
  const match = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)(?:\s+on resource:?\s+"?([^"\s]+?)"?(?:\s|$))?/.exec(message);
  return { action: match?.[1], resource: match?.[2]?.replace(/[.,;]$/, '') };
}

export function toAccessDeniedError(service: AwsService, operation: string, input: Input, region: string, error: unknown): AccessDeniedError {
  const message = error instanceof Error ? error.message : String(error);
  const said = parseDeniedMessage(message);
  const action = said.action ?? iamAction(service, operation);
  const derived = requestResource(service, operation, input, region);
  // A listing's prefix is what decides an s3:prefix condition: keep it even when AWS named the bucket.
  const resource = said.resource && derived.startsWith(`${said.resource} (prefix`) ? derived : (said.resource ?? derived);
  return new AccessDeniedError(
    action,
    resource,
    `AWS denied ${action} on ${resource} (${operation}): ${message || 'Access Denied'}. ` +
      `The worker's IAM role must allow it (iam/flywheel-worker-policy.json); retrying will not help.`,
    { cause: error },
  );
}

interface Stackable {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}
type Handler = (args: { input: Input }) => Promise<unknown>;

/** Outermost middleware on a client: every AccessDenied leaves the SDK as an AccessDeniedError. */
export function translateAccessDenied(client: Stackable, service: AwsService, region: string): void {
  client.middlewareStack.add(
    (next: Handler, context: { commandName?: string }) => async (args: { input: Input }) => {
      try {
        return await next(args);
      } catch (error) {
        // Already ours (a nested client's): it names the request that was really denied.
        if (error instanceof AccessDeniedError || !isAccessDenied(error)) throw error;
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        throw toAccessDeniedError(service, operation, args.input, region, error);
      }
    },
    { step: 'initialize', priority: 'high', name: 'flywheelAccessDenied' },
  );
}
