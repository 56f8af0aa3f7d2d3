import { z } from 'zod';
import type { QualityApproval } from '../domain/qualityResult.js';
import type { TableReport } from '../domain/report.js';
import { describeValue, listSome } from '../domain/summarize.js';
import { describeIssues, tableNameSchema } from './input.js';
import { assertDecoded, RequestRejected } from './reprocessRequests.js';

/** An approval's reason is kept in the report and lineage: long enough to say why, short enough to stay bounded. */
export const APPROVAL_REASON_MAX = 1000;
export const APPROVAL_TABLES_MAX = 200;

/** Signal / update `approve`: `{"tables": ["IBE_04"], "reason": "vendor confirmed the smaller delivery"}`. */
export const ApproveRequestSchema = z
  .object({
    tables: z.array(tableNameSchema).min(1, 'name the table(s) to approve').max(APPROVAL_TABLES_MAX),
    reason: z.string().trim().min(1, 'say why the table may be published despite the failed checks').max(APPROVAL_REASON_MAX),
  })
  .strict();
export type ApproveRequest = z.infer<typeof ApproveRequestSchema>;

/** An accepted approval, stamped with the (workflow) time it was accepted. */
export interface AcceptedApproval {
  tables: string[];
  approval: QualityApproval;
}

/** Shape check only (the signal may arrive before the tables are known). */
export function parseApproveRequest(payload: unknown): ApproveRequest {
  assertDecoded('approve', payload);
  const parsed = ApproveRequestSchema.safeParse(payload ?? {});
  if (!parsed.success) throw new RequestRejected(`malformed approve payload (${describeValue(payload)}): ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Why a table cannot be approved, in words: `IBE_01 is succeeded`, `MIACS_01 is failed at split`. */
const describeState = (r: TableReport) => `${r.name} is ${r.state}${r.state === 'failed' ? ` at ${r.stage}` : ''}`;

/**
 * Checks an approval against the run: every named table must exist and wait at the quality gate.
 * Returns the run's spelling of the names (matched case-insensitively), each once.
 */
export function resolveApproval(request: ApproveRequest, reports: readonly TableReport[]): string[] {
  const byLowerName = new Map(reports.map((r) => [r.name.toLowerCase(), r]));
  const unknown = request.tables.filter((t) => !byLowerName.has(t.toLowerCase()));
  if (unknown.length > 0) {
    throw new RequestRejected(`unknown table(s) ${listSome(unknown)}; this run has ${reports.length} table(s): ${listSome(reports.map((r) => r.name), 8)}`);
  }
  const named = [...new Set(request.tables.map((t) => byLowerName.get(t.toLowerCase())!))];
  const notWaiting = named.filter((r) => r.state !== 'awaiting-approval');
  if (notWaiting.length > 0) {
    const waiting = reports.filter((r) => r.state === 'awaiting-approval').map((r) => r.name);
    throw new RequestRejected(
      `not awaiting approval: ${listSome(notWaiting.map(describeState), 5, 80)}; ` +
        (waiting.length ? `awaiting approval: ${listSome(waiting, 8)}` : 'no table of this run is awaiting approval'),
    );
  }
  return named.map((r) => r.name);
}
