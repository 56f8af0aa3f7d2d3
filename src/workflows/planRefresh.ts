import { allHandlersFinished, ApplicationFailure, condition, patched, proxyActivities, setHandler, sleep, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import type { RefreshPlan } from '../domain/plan.js';
import { sizedHeartbeat } from './activityProxies.js';
import { planUpdate } from './definitions.js';
import { describeIssues, MonthlyRefreshInputSchema, type MonthlyRefreshInput } from './input.js';

const discoverOptions: ActivityOptions = {
  startToCloseTimeout: '5m',
  retry: { initialInterval: '2s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
};
const { discoverSnapshot } = proxyActivities<Activities>(discoverOptions);

/**
 * How long a planning run answered through `plan` stays open for its caller to delete it. Deleting
 * an open execution removes it from the list at once; a closed one lingers there for 30–60 s.
 * Should the caller not delete it (it died), the run closes by itself after this.
 */
const DELETE_GRACE = '2m';

async function plan(rawInput: MonthlyRefreshInput): Promise<RefreshPlan> {
  const parsed = MonthlyRefreshInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `invalid input: ${describeIssues(parsed.error)}` });
  }
  return discoverSnapshot.executeWithOptions(sizedHeartbeat(discoverOptions), [parsed.data]);
}

/**
 * Discovery only: which snapshot and tables a refresh would process, and with what sizing. The CLI
 * uses it to name the refresh workflow after its snapshot and for `--dry-run`; it runs on the worker
 * so the CLI needs no cloud credentials. The CLI starts it with update-with-start (`plan`), reads the
 * answer and deletes the execution while it is still open, so planning leaves no row in the list.
 * A plain start still gets the plan as the workflow result.
 */
export async function planRefresh(rawInput: MonthlyRefreshInput): Promise<RefreshPlan> {
  if (!patched('flywheel-plan-by-update')) return plan(rawInput);
  let asked = false;
  const answer = plan(rawInput);
  answer.catch(() => undefined); // a failure is reported to the update's caller and as the result
  setHandler(planUpdate, () => {
    asked = true;
    return answer;
  });
  try {
    return await answer;
  } finally {
    await condition(allHandlersFinished);
    if (asked) await sleep(DELETE_GRACE);
  }
}
