import { z } from 'zod';
import { InvalidInputError } from '../domain/errors.js';

/**
 * `FLYWHEEL_MEMORY_LOG=<seconds>`: the worker writes one line of its memory use every <seconds> to stderr
 * (RSS, V8 heap used/total, external and array buffers, in MB; the peak RSS so far), for diagnosing
 * memory growth. Unset or empty: nothing is logged.
 */
export const MEMORY_LOG_ENV = 'FLYWHEEL_MEMORY_LOG';

const intervalSeconds = z.coerce.number().min(0.1).max(3600);

export function memoryLogInterval(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[MEMORY_LOG_ENV]?.trim();
  if (!raw) return undefined;
  const parsed = intervalSeconds.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`${MEMORY_LOG_ENV} must be a number of seconds from 0.1 to 3600, got ${JSON.stringify(raw.slice(0, 40))}`);
  return parsed.data;
}

const mb = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);

export function memoryLine(usage: NodeJS.MemoryUsage, peakRss: number): string {
  return (
    `${new Date().toISOString()} memory pid=${process.pid} rss=${mb(usage.rss)}MB heapUsed=${mb(usage.heapUsed)}MB ` +
    `heapTotal=${mb(usage.heapTotal)}MB external=${mb(usage.external)}MB arrayBuffers=${mb(usage.arrayBuffers)}MB peakRss=${mb(peakRss)}MB\n`
  );
}

/** Starts the periodic log when FLYWHEEL_MEMORY_LOG asks for it; `stop()` writes a last line. */
export function startMemoryLog(env: NodeJS.ProcessEnv = process.env, write: (line: string) => void = (l) => process.stderr.write(l)): { stop(): void } {
  const seconds = memoryLogInterval(env);
  if (seconds === undefined) return { stop() {} };
  let peak = 0;
  const tick = () => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    write(memoryLine(usage, peak));
  };
  tick();
  const timer = setInterval(tick, seconds * 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      tick();
    },
  };
}
