/**
 * When a refresh continues as new: its first pass between batches, or while parked. Pure (no workflow APIs), so the
 * rules are unit-tested and the workflow only feeds them `workflowInfo()`.
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

/** Where a run's history stood when its state was ready (after a continued run's reload). */
export interface HistoryMark {
  size: number;
  length: number;
}

/**
 * Whether a parked refresh continues as new: once its history has grown `events` events or `bytes` bytes since
 * `since`. Before patch `flywheel-parked-history-growth` it went by the whole history and the server's suggestion,
 * so a refresh of ~4,300 tables or more, reloading its reports (over 4 MB: the suggestion is then made at once),
 * continued as new on parking, again and again.
 */
export function parkedHistoryIsLong(
  now: HistoryNow & { historyLength: number },
  since: HistoryMark,
  limits: { events: number; bytes: number },
): boolean {
  return now.historyLength - since.length >= limits.events || now.historySize - since.size >= limits.bytes;
}
