import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { createHash } from 'node:crypto';
import { JobRunFailedError } from '../../domain/errors.js';
import { pollDelayMs } from '../../domain/jobRuns.js';
import type { OperationContext } from '../../ports/context.js';
import type { AwsConfig } from './config.js';
import { abortReason, sleep, withAwsRetry, type RetryPolicy } from './retry.js';

export interface QueryOutcome {
  queryExecutionId: string;
  dataScannedBytes?: number;
  engineExecutionMs?: number;
}

/**
 * Athena's ClientRequestToken (32–128 chars): the same request token and purpose always give the same
 * token, so a retried activity gets the execution it already started instead of a second one.
 */
export function athenaClientToken(requestToken: string, purpose: string): string {
  return createHash('sha256').update(`flywheel|${purpose}|${requestToken}`).digest('hex');
}

/** Caps queries in flight from this process (Athena's DML concurrency quota is per account). */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Runs one Athena query to completion: start (idempotent), poll with heartbeats, stop on abort. */
export class AthenaQueryRunner {
  private readonly slots: Semaphore;

  constructor(
    private readonly athena: AthenaClient,
    private readonly config: AwsConfig['athena'],
    private readonly database: string,
    private readonly retry: RetryPolicy,
  ) {
    this.slots = new Semaphore(config.dmlConcurrency);
  }

  async start(sql: string, clientToken?: string): Promise<string> {
    const result = await withAwsRetry(
      () =>
        this.athena.send(
          new StartQueryExecutionCommand({
            QueryString: sql,
            ClientRequestToken: clientToken,
            WorkGroup: this.config.workgroup,
            QueryExecutionContext: { Database: this.database },
            ResultConfiguration: this.config.outputLocation ? { OutputLocation: this.config.outputLocation } : undefined,
          }),
        ),
      this.retry,
    );
    if (!result.QueryExecutionId) throw new Error('StartQueryExecution returned no id');
    return result.QueryExecutionId;
  }

  async describe(queryExecutionId: string): Promise<QueryExecution> {
    const result = await withAwsRetry(
      () => this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryExecutionId })),
      this.retry,
    );
    if (!result.QueryExecution) throw new Error(`Athena has no query ${queryExecutionId}`);
    return result.QueryExecution;
  }

  /** Polls until SUCCEEDED; FAILED/CANCELLED → JobRunFailedError; an abort stops the query first. */
  async wait(queryExecutionId: string, ctx: OperationContext, what: string): Promise<QueryOutcome> {
    for (let poll = 0; ; poll++) {
      if (ctx.signal.aborted) return this.stopAndThrow(queryExecutionId, ctx.signal);
      const execution = await this.describe(queryExecutionId);
      const state = execution.Status?.State ?? 'UNKNOWN';
      ctx.heartbeat({ queryExecutionId, state });
      if (state === 'SUCCEEDED') {
        return {
          queryExecutionId,
          dataScannedBytes: execution.Statistics?.DataScannedInBytes,
          engineExecutionMs: execution.Statistics?.EngineExecutionTimeInMillis,
        };
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = execution.Status?.StateChangeReason ?? execution.Status?.AthenaError?.ErrorMessage ?? 'no reason given';
        throw new JobRunFailedError(`${what}: Athena query ${queryExecutionId} ${state}: ${reason}`);
      }
      try {
        await sleep(pollDelayMs(poll, this.config.pollMinMs, this.config.pollMaxMs), ctx.signal);
      } catch {
        return this.stopAndThrow(queryExecutionId, ctx.signal);
      }
    }
  }

  /** start + wait, within the process-wide concurrency cap. `onStarted` records the id before waiting. */
  async run(
    sql: string,
    ctx: OperationContext,
    what: string,
    clientToken?: string,
    onStarted?: (queryExecutionId: string) => Promise<void>,
  ): Promise<QueryOutcome> {
    return this.slots.run(async () => {
      const id = await this.start(sql, clientToken);
      await onStarted?.(id);
      return this.wait(id, ctx, what);
    });
  }

  /** Runs a query returning one row with one column (counts). */
  async scalar(sql: string, ctx: OperationContext, what: string): Promise<string | undefined> {
    const { queryExecutionId } = await this.run(sql, ctx, what);
    const result = await withAwsRetry(
      () => this.athena.send(new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, MaxResults: 2 })),
      this.retry,
    );
    // Row 0 of a SELECT result is the header row.
    return result.ResultSet?.Rows?.[1]?.Data?.[0]?.VarCharValue;
  }

  /** Runs a query and returns every result row (header row dropped), following NextToken pages. */
  async rows(sql: string, ctx: OperationContext, what: string): Promise<(string | undefined)[][]> {
    return (await this.query(sql, ctx, what)).rows;
  }

  /** `rows`, with what the query cost (bytes scanned). */
  async query(sql: string, ctx: OperationContext, what: string): Promise<{ rows: (string | undefined)[][]; outcome: QueryOutcome }> {
    const outcome = await this.run(sql, ctx, what);
    const { queryExecutionId } = outcome;
    const rows: (string | undefined)[][] = [];
    let nextToken: string | undefined;
    let first = true;
    do {
      const page = await withAwsRetry(
        () => this.athena.send(new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, NextToken: nextToken, MaxResults: 1000 })),
        this.retry,
      );
      const pageRows = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue));
      rows.push(...(first ? pageRows.slice(1) : pageRows));
      first = false;
      nextToken = page.NextToken;
      ctx.heartbeat({ queryExecutionId, rows: rows.length });
    } while (nextToken);
    return { rows, outcome };
  }

  async count(sql: string, ctx: OperationContext, what: string): Promise<number> {
    const value = await this.scalar(sql, ctx, what);
    const n = Number(value);
    if (value === undefined || !Number.isSafeInteger(n)) throw new Error(`${what}: expected a count, Athena returned ${JSON.stringify(value)}`);
    return n;
  }

  private async stopAndThrow(queryExecutionId: string, signal: AbortSignal): Promise<never> {
    // The query must not keep running (and billing) after the activity gave up on it.
    await this.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryExecutionId }));
    throw abortReason(signal);
  }
}
