/**
 * vitest setupFiles entry: installs the Temporal Core runtime once per fork with a quiet logger, before any test
 * touches it (otherwise the first Worker instantiates a default runtime and worker logs flood the output).
 * Expected failures (corrupt files, injected faults) log at WARN, so the default is ERROR; set FLYWHEEL_TEST_LOG_LEVEL=WARN|INFO|DEBUG to see more.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const INSTALLED = Symbol.for('flywheel.temporalRuntimeInstalled');
const flags = globalThis as unknown as Record<symbol, boolean | undefined>;

if (!flags[INSTALLED]) {
  const level = (process.env.FLYWHEEL_TEST_LOG_LEVEL ?? 'ERROR').toUpperCase() as LogLevel;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch (error) {
    // Same fork, later test file with a fresh module graph: the runtime (a process singleton) is already there.
    if (!/already been (installed|instantiated)/.test((error as Error).message)) throw error;
  }
  flags[INSTALLED] = true;
}
