/** vitest reporters: the default, plus a JSON report when .ci/run asks for one (FLYWHEEL_TEST_REPORT=<file>). */
export function reporters(env: NodeJS.ProcessEnv = process.env): (string | [string, Record<string, unknown>])[] {
  const file = env.FLYWHEEL_TEST_REPORT;
  return file ? ['default', ['json', { outputFile: file }]] : ['default'];
}
