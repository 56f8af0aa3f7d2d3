import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { keepAliveIntervalMs, withFailureTypes, withOperationContext } from '../../src/activities/context.js';
import { ConfigError } from '../../src/config/load.js';
import { AccessDeniedError, InvalidInputError, JobRunFailedError, NON_RETRYABLE_ERROR_TYPES, ValidationFailedError } from '../../src/domain/errors.js';

async function failureOf(body: () => Promise<unknown>): Promise<unknown> {
  try {
    await withFailureTypes(body);
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('withFailureTypes', () => {
  it('returns the body’s value', async () => {
    await expect(withFailureTypes(async () => 42)).resolves.toBe(42);
  });

  it.each([
    ['InvalidInput', new InvalidInputError('bad table')],
    ['JobRunFailed', new JobRunFailedError('run failed')],
    ['ValidationFailed', new ValidationFailedError('rows differ')],
    ['ConfigError', new ConfigError('bad config')],
    ['AccessDenied', new AccessDeniedError('s3:GetObject', 'arn:aws:s3:::b/k', 'AWS denied s3:GetObject on arn:aws:s3:::b/k')],
  ])('turns a domain error into a non-retryable ApplicationFailure of type %s', async (type, error) => {
    const failure = await failureOf(async () => {
      throw error;
    });
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type, nonRetryable: true, message: error.message });
    expect((failure as ApplicationFailure).cause).toBe(error);
  });

  it('every listed non-retryable type is covered by a real error class name', () => {
    const names = [new InvalidInputError(''), new JobRunFailedError(''), new ValidationFailedError(''), new ConfigError(''), new AccessDeniedError('', '', '')].map(
      (e) => e.name,
    );
    expect([...NON_RETRYABLE_ERROR_TYPES].sort()).toEqual(names.sort());
  });

  it('leaves other errors as they are (retryable)', async () => {
    const io = new Error('ECONNRESET');
    expect(await failureOf(async () => Promise.reject(io))).toBe(io);
    const typeError = new TypeError('x');
    expect(await failureOf(async () => Promise.reject(typeError))).toBe(typeError);
  });

  it('passes an ApplicationFailure through unchanged, even a retryable one', async () => {
    const original = ApplicationFailure.retryable('throttled', 'Throttling');
    expect(await failureOf(async () => Promise.reject(original))).toBe(original);
  });
});

describe('withOperationContext (keep-alive heartbeats)', () => {
  const quiet = { logger: new DefaultLogger('ERROR') };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('heartbeats on a timer while the body runs, re-sending the latest details, and stops after', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 400, heartbeatDetails: { runId: 'jr_previous' } }, quiet);
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    await env.run(() =>
      withOperationContext(async (ctx) => {
        await pause(250); // a long statement: no heartbeat of its own
        ctx.heartbeat({ step: 'written' });
        await pause(250);
      }),
    );
    const count = beats.length;
    expect(beats[0], 'before the body reports anything, the previous attempt’s details are kept').toEqual({ runId: 'jr_previous' });
    expect(beats.filter((b) => JSON.stringify(b) === '{"step":"written"}').length).toBeGreaterThanOrEqual(2);
    await pause(250);
    expect(beats).toHaveLength(count);
  });

  it('sizes the interval to the heartbeat timeout (none without one)', () => {
    expect(keepAliveIntervalMs(undefined)).toBeUndefined();
    expect(keepAliveIntervalMs(10_000)).toBe(2_500);
    expect(keepAliveIntervalMs(120_000)).toBe(5_000);
    expect(keepAliveIntervalMs(100)).toBe(100);
  });
});
