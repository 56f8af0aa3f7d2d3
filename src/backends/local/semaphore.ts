/** The error an aborted operation ends with: the signal's reason (Temporal's CancelledFailure) when given. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('operation aborted');
}

/**
 * Limits how many big partitioned writes (split, CTAS) run at once. Each keeps up to 256 Parquet
 * writers open; on a 2-core machine running four side by side is no faster than one after the
 * other, but multiplies peak memory.
 */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly slots: number) {}

  /** Runs `work` in a slot; `whileWaiting` is called every `everyMs` while queued (heartbeats). */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal, whileWaiting?: () => void, everyMs = 2_000): Promise<T> {
    if (this.active >= this.slots) await this.wait(signal, whileWaiting, everyMs);
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.waiters.shift();
      if (next) next(); // hand the slot over directly
      else this.active--;
    }
  }

  private wait(signal: AbortSignal | undefined, whileWaiting: (() => void) | undefined, everyMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = whileWaiting ? setInterval(whileWaiting, everyMs) : undefined;
      const granted = () => {
        if (timer) clearInterval(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(granted);
        if (index >= 0) this.waiters.splice(index, 1);
        if (timer) clearInterval(timer);
        reject(abortError(signal!));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(granted);
    });
  }
}
