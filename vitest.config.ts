import { defineConfig } from 'vitest/config';
import { reporters } from './tests/setup/reporters.js';

// The AWS SDK's Node-version notice would repeat in every test fork (see bin/flywheel.js).
if (Number(process.versions.node.split('.')[0]) < 22) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // .ci/run asks for a JSON report beside the usual output, to count files that fail outside a test.
    reporters: reporters(),
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
