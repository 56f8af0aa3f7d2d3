/**
 * Error types shared by every layer. Their `name` doubles as the Temporal failure type, so the
 * workflow's retry policies can list them as non-retryable without importing anything else.
 */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInput';
}

/** A job run or query reached a terminal state other than success; retrying the activity cannot help. */
export class JobRunFailedError extends Error {
  override readonly name = 'JobRunFailed';
}

/** Data did not pass a check (row counts, bucket layout). */
export class ValidationFailedError extends Error {
  override readonly name = 'ValidationFailed';
}

/**
 * The cloud refused a request for lack of permission. Retrying cannot help until someone changes the
 * policy, so it is never retried; the message names the action and the resource.
 */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDenied';
  constructor(
    readonly action: string,
    readonly resource: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Failure type names that the workflow must never retry. */
export const NON_RETRYABLE_ERROR_TYPES = ['InvalidInput', 'JobRunFailed', 'ValidationFailed', 'ConfigError', 'AccessDenied'];
