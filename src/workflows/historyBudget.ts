/**
 * When a refresh's first pass stops between batches to continue as new. Pure (no workflow APIs), so the rule is
 * unit-tested and the workflow only feeds it `workflowInfo()`.
 */
export interface HistoryNow {
  historySize: number;
  continueAsNewSuggested: boolean;
}

/**
 * True once the run's history has grown `limitBytes` since its first pass began (`startedAtBytes`).
 *
 * Counted from there, not from zero: a continued run first reloads every table's report from the manifest
 * (~1 KB per table, 4.75 MB at 5,000 tables), which alone passed the 4 MB limit, so every later run went on as new
 * after a single batch and reloaded everything again (measured at 5,000 tables: 30 runs of one batch each). For
 * the same reason the server's suggestion is not followed here: it counts the reload too (the dev server suggests
 * at 4 MB). A run's history is thus at most the reload + `limitBytes` + the batches in flight.
 */
export function firstPassHistoryIsLong(now: HistoryNow, startedAtBytes: number, limitBytes: number): boolean {
  return now.historySize - startedAtBytes >= limitBytes;
}

/** The rule before patch `flywheel-first-pass-grown-bytes`, for histories recorded with it. */
export function firstPassHistoryIsLongV1(now: HistoryNow, limitBytes: number): boolean {
  return now.continueAsNewSuggested || now.historySize >= limitBytes;
}
