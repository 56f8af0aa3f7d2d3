/**
 * An IAM identity-policy evaluator and the IAM authorization of each AWS request Flywheel (or Athena
 * on its behalf) sends, written from the AWS documentation and independent of src/ (which names
 * actions for its error messages): a mistake in src cannot agree with itself here.
 *
 * Evaluation as IAM does it for one identity policy: an explicit Deny wins; otherwise some Allow
 * statement must match the action (case-insensitive, `*`/`?` wildcards), every resource the request
 * names (case-sensitive wildcards) and all its conditions. Supported condition operators: StringEquals,
 * StringLike, StringNotEquals, StringNotLike (and their IfExists forms); any other throws, so a policy
 * using one cannot pass by being half-understood.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** One action on one or more resources (Glue checks every ARN a call touches), with condition keys. */
export interface Authorization {
  action: string;
  resources: string[];
  context?: Record<string, string>;
}

export type Decision = 'allowed' | 'explicit-deny' | 'implicit-deny';

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function glob(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(value);
}

function conditionHolds(operator: string, key: string, expected: string[], context: Record<string, string>): boolean {
  const ifExists = operator.endsWith('IfExists');
  const op = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const actual = context[key];
  const negated = op === 'StringNotEquals' || op === 'StringNotLike';
  if (!['StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike'].includes(op)) {
    throw new Error(`iamPolicy: condition operator ${operator} is not supported by this evaluator`);
  }
  // A key the request does not carry: only IfExists and the negated operators hold.
  if (actual === undefined) return ifExists || negated;
  const like = op.endsWith('Like');
  const matches = expected.some((e) => (like ? glob(e, actual, false) : e === actual));
  return negated ? !matches : matches;
}

function statementApplies(statement: PolicyStatement, action: string, resource: string, context: Record<string, string>): boolean {
  const actionMatch = statement.NotAction
    ? !list(statement.NotAction).some((a) => glob(a, action, true))
    : list(statement.Action).some((a) => glob(a, action, true));
  if (!actionMatch) return false;
  const resourceMatch = statement.NotResource
    ? !list(statement.NotResource).some((r) => glob(r, resource, false))
    : list(statement.Resource).some((r) => glob(r, resource, false));
  if (!resourceMatch) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, list(expected), context)),
  );
}

/** The decision for every resource of the request; the first resource not allowed is returned with it. */
export function evaluate(policy: PolicyDocument, request: Authorization): { decision: Decision; resource?: string } {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  for (const resource of request.resources) {
    const matching = statements.filter((s) => statementApplies(s, request.action, resource, request.context ?? {}));
    if (matching.some((s) => s.Effect === 'Deny')) return { decision: 'explicit-deny', resource };
    if (!matching.some((s) => s.Effect === 'Allow')) return { decision: 'implicit-deny', resource };
  }
  return { decision: 'allowed' };
}

export type Service = 's3' | 'glue' | 'athena';
export interface Account {
  region: string;
  accountId: string;
}

type Input = Record<string, any>;

const GLUE_TABLE_CALLS = new Set([
  'GetTable',
  'CreateTable',
  'UpdateTable',
  'DeleteTable',
  'GetPartition',
  'GetPartitions',
  'BatchGetPartition',
  'CreatePartition',
  'BatchCreatePartition',
  'UpdatePartition',
]);
const GLUE_JOB_CALLS = new Set(['StartJobRun', 'GetJobRun', 'GetJobRuns', 'BatchStopJobRun']);
const ATHENA_QUERY_CALLS = new Set(['StartQueryExecution', 'GetQueryExecution', 'GetQueryResults', 'StopQueryExecution']);

/**
 * What IAM authorizes for a request (Service Authorization Reference: actions, resource types and
 * condition keys per API). Undefined for an operation this table does not know: the caller fails
 * the request, so a new API call in src must be added here (and to the policy) deliberately.
 */
export function authorizationOf(service: Service, operation: string, input: Input, account: Account, workgroupOf: (queryId: string) => string): Authorization | undefined {
  const arn = (rest: string) => `arn:aws:${service}:${account.region}:${account.accountId}:${rest}`;
  if (service === 's3') {
    const bucket = `arn:aws:s3:::${input.Bucket}`;
    const object = `${bucket}/${input.Key}`;
    switch (operation) {
      case 'ListObjectsV2':
        return { action: 's3:ListBucket', resources: [bucket], context: input.Prefix === undefined ? {} : { 's3:prefix': input.Prefix } };
      case 'GetBucketLocation':
        return { action: 's3:GetBucketLocation', resources: [bucket] };
      case 'GetObject':
      case 'PutObject':
      case 'DeleteObject':
        return { action: `s3:${operation}`, resources: [object] };
      default:
        return undefined; // DeleteObjects is authorized per key by the caller of this function
    }
  }
  if (service === 'glue') {
    const catalog = arn('catalog');
    if (GLUE_JOB_CALLS.has(operation)) return { action: `glue:${operation}`, resources: [arn(`job/${input.JobName}`)] };
    if (operation === 'GetDatabase') return { action: 'glue:GetDatabase', resources: [catalog, arn(`database/${input.Name}`)] };
    if (operation === 'GetTables') {
      return { action: 'glue:GetTables', resources: [catalog, arn(`database/${input.DatabaseName}`), arn(`table/${input.DatabaseName}/*`)] };
    }
    if (GLUE_TABLE_CALLS.has(operation)) {
      const table = input.TableName ?? input.Name ?? input.TableInput?.Name;
      return { action: `glue:${operation}`, resources: [catalog, arn(`database/${input.DatabaseName}`), arn(`table/${input.DatabaseName}/${table}`)] };
    }
    return undefined;
  }
  if (ATHENA_QUERY_CALLS.has(operation)) {
    const workgroup = input.WorkGroup ?? (input.QueryExecutionId ? workgroupOf(input.QueryExecutionId) : 'primary');
    return { action: `athena:${operation}`, resources: [arn(`workgroup/${workgroup}`)] };
  }
  return undefined;
}
