/**
 * Why a sink could not take a run's lineage. The kind decides what `publish` reports:
 * `outage` (refused, timeouts, 5xx, 429, open breaker) → `pending`, worth retrying later as is;
 * `auth` (401/403, missing token), `contract` (other 4xx, bad response) and `config` → `failed`,
 * which needs an operator before a retry can succeed.
 */
export type SinkFailureKind = 'outage' | 'auth' | 'contract' | 'config';

export class SinkError extends Error {
  override readonly name = 'LineageSinkError';
  constructor(
    readonly kind: SinkFailureKind,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

export function statusForFailure(kind: SinkFailureKind): 'pending' | 'failed' {
  return kind === 'outage' ? 'pending' : 'failed';
}

/** Anything thrown by a sink becomes a SinkError; unknown errors are treated as contract bugs, not outages. */
export function asSinkError(error: unknown): SinkError {
  if (error instanceof SinkError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | undefined)?.code;
  // File-system trouble (full disk, read-only mount) clears up by itself or by an operator: keep it pending.
  if (code && /^E(NOSPC|ROFS|ACCES|PERM|IO|BUSY|AGAIN|MFILE)$/.test(code)) return new SinkError('outage', message);
  return new SinkError('contract', message);
}
