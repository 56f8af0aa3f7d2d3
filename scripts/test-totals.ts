/**
 * The closing `N passed, N failed` line of .ci/run, from vitest's JSON report (FLYWHEEL_TEST_REPORT, see
 * vitest.config.ts). A test file that failed to load or in its set-up counts as failed even though vitest
 * reports its tests as skipped; no report at all (tsc failed, vitest crashed) with a non-zero exit is a failure.
 *
 * Usage: node --import tsx scripts/test-totals.ts <report.json> <exit code of npm test>
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Report = z.object({
  numPassedTests: z.number(),
  numFailedTests: z.number(),
  numPendingTests: z.number(),
  numTodoTests: z.number().default(0),
  testResults: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      message: z.string().default(''),
      assertionResults: z.array(z.object({ status: z.string() })),
    }),
  ),
});

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  failedFiles: string[];
}

export function totalsOf(report: z.infer<typeof Report>): Totals {
  const failedFiles = report.testResults.filter((file) => file.status === 'failed');
  // Files whose failure is not a failed test (import error, beforeAll/globalSetup failure): one failure each.
  const fileOnlyFailures = failedFiles.filter((file) => !file.assertionResults.some((t) => t.status === 'failed')).length;
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + fileOnlyFailures,
    skipped: report.numPendingTests + report.numTodoTests,
    failedFiles: failedFiles.map((file) => file.name),
  };
}

export function closingLine(reportText: string | undefined, exitCode: number): string {
  if (reportText === undefined) {
    return exitCode === 0 ? 'vitest: no report written' : `vitest: 0 passed, 1 failed (npm test exited ${exitCode} before vitest reported)`;
  }
  const totals = totalsOf(Report.parse(JSON.parse(reportText)));
  const files = totals.failedFiles.length > 0 ? ` (failed files: ${totals.failedFiles.length})` : '';
  return `vitest: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped${files}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, code] = process.argv.slice(2);
  let text: string | undefined;
  try {
    text = file ? readFileSync(file, 'utf8') : undefined;
  } catch {
    text = undefined;
  }
  process.stdout.write(`${closingLine(text, Number(code ?? 1))}\n`);
}
