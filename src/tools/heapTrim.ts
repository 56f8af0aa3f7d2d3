/**
 * Keeps the worker's V8 heap near its live size. V8 grows the old generation by a factor of what was
 * live after its last full collection before it collects again; in a worker that mostly awaits DuckDB
 * and Temporal, the garbage of finished activities piles up that way (measured over 300 tiny tables:
 * heapUsed 35 → 100 MB with ~44 MB live, worker peak RSS 353 MB; 297 MB with full collections). So when
 * the heap has grown by `growthMb` since the last full collection, one is run (a few tens of ms at this
 * size, at most once per `everyMs`). Needs `gc` exposed (bin/flywheel.js starts long-running commands
 * with --expose-gc); without it this does nothing.
 */
export interface HeapTrimOptions {
  everyMs?: number;
  growthMb?: number;
  gc?: (() => void) | undefined;
  heapUsed?: () => number;
}

/** The running trim (one per process), for trimHeapIfGrown. */
let active: { check(): void } | undefined;

export function startHeapTrim(options: HeapTrimOptions = {}): { stop(): void; collections(): number } {
  const gc = options.gc ?? (typeof globalThis.gc === 'function' ? () => globalThis.gc!() : undefined);
  if (!gc) return { stop() {}, collections: () => 0 };
  const heapUsed = options.heapUsed ?? (() => process.memoryUsage().heapUsed);
  const growth = (options.growthMb ?? 24) * 1024 ** 2;
  let live = heapUsed();
  let count = 0;
  const check = () => {
    if (heapUsed() < live + growth) return;
    gc();
    count += 1;
    live = heapUsed();
  };
  const timer = setInterval(check, options.everyMs ?? 5_000);
  timer.unref();
  const trim = { check };
  active = trim;
  return {
    stop: () => {
      clearInterval(timer);
      if (active === trim) active = undefined;
    },
    collections: () => count,
  };
}

/**
 * The same check, now: for loops that build and drop big pages faster than the timer looks (the final
 * report and lineage parts of 5,000 tables made ~100 MB of garbage in 1.5 s). Nothing without a running trim.
 */
export function trimHeapIfGrown(): void {
  active?.check();
}
