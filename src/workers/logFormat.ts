import { inspect } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import type { LogEntry } from '@temporalio/worker';

/** Failure types that mean "the request was wrong", not "the worker broke": worth one line, not a stack trace. */
const EXPECTED_FAILURE_TYPES: ReadonlySet<string> = new Set(['InvalidInput']);

/**
 * What of a log entry's metadata is worth printing: never the activity task token (an opaque blob that tells an
 * operator nothing), and an expected failure as `Type: message` instead of the error object with its stack.
 */
export function loggableMeta(meta: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!meta) return undefined;
  const { taskToken: _token, error, ...rest } = meta;
  if (error instanceof ApplicationFailure && error.type && EXPECTED_FAILURE_TYPES.has(error.type)) {
    return { ...rest, failure: `${error.type}: ${error.message}` };
  }
  return error === undefined ? rest : { ...rest, error };
}

function time(entry: LogEntry): string {
  return new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
}

/** One JSON object per line, with the SDK's workflow/activity context (ids, types, attempt) as fields. */
export function jsonLine(entry: LogEntry): void {
  const meta = loggableMeta(entry.meta);
  const error = meta?.error instanceof Error ? { error: { name: meta.error.name, message: meta.error.message, stack: meta.error.stack } } : {};
  process.stderr.write(`${JSON.stringify({ time: time(entry), level: entry.level, message: entry.message, ...meta, ...error })}\n`);
}

/** `<time> [LEVEL] message {context}` on one line, unless an unexpected error brings its stack. */
export function prettyLine(entry: LogEntry): void {
  const meta = loggableMeta(entry.meta);
  const context = meta && Object.keys(meta).length > 0 ? ` ${inspect(meta, { breakLength: Infinity, depth: 4 })}` : '';
  process.stderr.write(`${time(entry)} [${entry.level}] ${entry.message}${context}\n`);
}
