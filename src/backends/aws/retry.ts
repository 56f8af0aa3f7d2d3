/**
 * Our own backoff on top of the SDK's retry strategy, for errors that need longer waits than the
 * SDK's few quick attempts: Glue ConcurrentRunsExceeded (a previous run is still finishing), Glue
 * OperationTimeout, and throttling that outlasts the SDK's budget (Athena DML quota).
 */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const RETRYABLE_AWS_ERRORS = new Set([
  'ConcurrentRunsExceededException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'InternalServiceException',
  'InternalServerException',
  'OperationTimeoutException',
]);

export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; Code?: unknown; __type?: unknown };
  const name = typeof e.name === 'string' ? e.name : typeof e.Code === 'string' ? e.Code : undefined;
  return name;
}

export function isRetryableAwsError(error: unknown): boolean {
  const name = awsErrorName(error);
  return name !== undefined && RETRYABLE_AWS_ERRORS.has(name);
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`operation aborted${reason ? `: ${String(reason)}` : ''}`);
}

/** Full-jitter exponential backoff: spreads a crowd of workers hitting the same quota. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.max(1, Math.round(ceiling * (0.5 + random() / 2)));
}

/**
 * Runs `call`, retrying retryable AWS errors with backoff. `beforeRetry` runs before each new attempt
 * and may return a result to stop retrying (used to find a Glue run a lost response already started).
 */
export async function withAwsRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  options: { beforeRetry?: () => Promise<T | undefined>; signal?: AbortSignal; isRetryable?: (e: unknown) => boolean } = {},
): Promise<T> {
  const retryable = options.isRetryable ?? isRetryableAwsError;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!retryable(error) || attempt + 1 >= policy.attempts) throw error;
      await sleep(backoffMs(attempt, policy), options.signal);
      const found = await options.beforeRetry?.();
      if (found !== undefined) return found;
    }
  }
}
