import { ApplicationFailure, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import type { RefreshPlan } from '../domain/plan.js';
import { sizedHeartbeat } from './activityProxies.js';
import { describeIssues, MonthlyRefreshInputSchema, type MonthlyRefreshInput } from './input.js';

const discoverOptions: ActivityOptions = {
  startToCloseTimeout: '5m',
  retry: { initialInterval: '2s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
};
const { discoverSnapshot } = proxyActivities<Activities>(discoverOptions);

/**
 * Discovery only: which snapshot and tables a refresh would process, and with what sizing. The CLI
 * uses it to name the refresh workflow after its snapshot and for `--dry-run`; it runs on the worker
 * so the CLI needs no cloud credentials.
 */
export async function planRefresh(rawInput: MonthlyRefreshInput): Promise<RefreshPlan> {
  const parsed = MonthlyRefreshInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `invalid input: ${describeIssues(parsed.error)}` });
  }
  return discoverSnapshot.executeWithOptions(sizedHeartbeat(discoverOptions), [parsed.data]);
}
