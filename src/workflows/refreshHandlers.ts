import { ApplicationFailure, condition, setCurrentDetails, setDefaultSignalHandler, setHandler } from '@temporalio/workflow';
import { parseApproveRequest, type AcceptedApproval, type ApproveRequest } from './approvalRequests.js';
import { abandonSignal, approveSignal, approveUpdate, reprocessSignal, reprocessUpdate, statusQuery } from './definitions.js';
import { isParked, type RefreshTracker } from './refreshTracker.js';
import { unknownSignalReason } from './rejections.js';
import { parseAbandonReason, parseReprocessRequest, RequestRejected, type ReprocessRequest, type ReprocessWork } from './reprocessRequests.js';

/** What the operator's signals and updates leave for the refresh's reprocess loop. */
export interface RefreshControl {
  /** Accepted reprocess requests, in arrival order (the loop takes them). */
  readonly requests: ReprocessRequest[];
  /** Accepted approvals of tables held at the quality gate, in arrival order (the loop takes them). */
  readonly approvals: AcceptedApproval[];
  abandonedBecause?: string;
  /** Records a refused request (bounded) and refreshes the UI details. */
  reject(name: string, reason: string): void;
}

export interface RefreshHandlerOptions {
  /** Turns a request into work, or throws RequestRejected saying why it cannot apply now. */
  workFor(request: ReprocessRequest): ReprocessWork;
  /** While parked, refuse an impossible request in the handler, so it never wakes the wait. */
  rejectWhenParked: boolean;
  /**
   * Checks an approval against the run: the held tables it names (the run's spelling), or throws
   * RequestRejected. Absent in runs without the quality gate: every approval is refused.
   */
  tablesToApprove?(request: ApproveRequest): string[];
  /** False while the run is still loading its state (continue-as-new): updates wait, then validate. */
  isReady?: () => boolean;
}

/**
 * An update refused after its validator ran (it waited for a continued run to load its state): a
 * RequestRejected thrown from the handler would fail the workflow task again and again; as an
 * ApplicationFailure it fails only the update, and the caller reads the reason.
 */
function refusedAsFailure<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof RequestRejected) throw ApplicationFailure.create({ type: 'RequestRejected', message: error.message, nonRetryable: true });
    throw error;
  }
}

/**
 * The refresh's operator interface: query `status`, signals `reprocess`, `approve` and `abandon`,
 * updates `reprocess` and `approve` (validated), and a default handler that records any other signal name as rejected.
 * Nothing here issues commands, so every version of the refresh shares it.
 */
export function installRefreshHandlers(tracker: RefreshTracker, options: RefreshHandlerOptions): RefreshControl {
  const control: RefreshControl = {
    requests: [],
    approvals: [],
    reject(name, reason) {
      tracker.rejections.record(name, reason);
      setCurrentDetails(tracker.markdown());
    },
  };
  setHandler(statusQuery, () => tracker.status());
  setHandler(reprocessSignal, (payload) => {
    try {
      const request = parseReprocessRequest(payload);
      if (options.rejectWhenParked && isParked(tracker.state)) options.workFor(request);
      control.requests.push(request);
    } catch (error) {
      control.reject('reprocess', (error as Error).message);
    }
  });
  setHandler(abandonSignal, (payload) => {
    try {
      control.abandonedBecause = parseAbandonReason(payload);
    } catch (error) {
      control.reject('abandon', (error as Error).message);
    }
  });
  // Declared before any handler: setHandler runs a buffered signal's handler at once (a run that continued as new
  // gets the approvals sent while it reloaded), and a later `const` would not exist yet.
  const ready = options.isReady ?? (() => true);
  const approvable = (request: ApproveRequest): string[] => {
    if (!options.tablesToApprove) throw new RequestRejected('this run started before the quality gate existed: it holds no table for approval');
    return options.tablesToApprove(request);
  };
  const accept = (request: ApproveRequest, tables: string[]): AcceptedApproval => {
    const accepted = { tables, approval: { reason: request.reason, approvedAt: new Date().toISOString() } };
    control.approvals.push(accepted);
    return accepted;
  };
  setHandler(approveSignal, (payload) => {
    try {
      const request = parseApproveRequest(payload);
      // The held tables are known once a pass is over; an approval can only name one of them.
      accept(request, ready() ? approvable(request) : request.tables);
    } catch (error) {
      control.reject('approve', (error as Error).message);
    }
  });
  setHandler(
    approveUpdate,
    async (payload) => {
      if (!ready()) await condition(ready);
      return refusedAsFailure(() => {
        const request = parseApproveRequest(payload);
        const { tables, approval } = accept(request, approvable(request));
        return { accepted: true as const, tables, reason: approval.reason };
      });
    },
    {
      validator: (payload) => {
        const request = parseApproveRequest(payload);
        if (ready()) approvable(request);
      },
    },
  );
  // A typo'd signal name (`reprocesss`, `Reprocess`, `cancel`) is recorded, not silently dropped.
  setDefaultSignalHandler((name) => control.reject(name, unknownSignalReason(name)));
  setHandler(
    reprocessUpdate,
    async (payload) => {
      if (!ready()) await condition(ready);
      return refusedAsFailure(() => {
        const request = parseReprocessRequest(payload);
        const work = options.workFor(request);
        control.requests.push(request);
        return { accepted: true as const, tables: [...work.keys()], fromStage: request.fromStage ?? 'where each table failed' };
      });
    },
    {
      validator: (payload) => {
        const request = parseReprocessRequest(payload);
        if (ready()) options.workFor(request);
      },
    },
  );
  return control;
}
