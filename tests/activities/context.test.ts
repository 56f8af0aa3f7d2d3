import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { withFailureTypes } from '../../src/activities/context.js';
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
