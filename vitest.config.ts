import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Child processes (not worker threads): native Temporal core per fork, and `setpriv --pdeathsig` follows the
    // spawning thread, which must be a process's main thread.
    pool: 'forks',
    // One Temporal dev server and one workflow bundle for the whole run: inject('temporalAddress'), ….
    globalSetup: ['tests/setup/globalSetup.ts'],
    // Runtime.install({ logger }) in each fork before anything touches the Temporal runtime.
    setupFiles: ['tests/setup/runtime.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
