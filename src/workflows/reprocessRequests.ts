import { z } from 'zod';
import type { TableReport } from '../domain/report.js';
import type { SourceTable, Stage } from '../domain/tables.js';
import { describeValue, listSome } from '../domain/summarize.js';
import { describeIssues, snapshotDtSchema, tableNameSchema } from './input.js';
import { isUndecodable } from './payloadConverter.js';

export const REPROCESS_STAGES = ['split', 'register', 'bucket', 'validate'] as const;

export const ReprocessRequestSchema = z
  .object({
    tables: z.array(tableNameSchema).min(1, 'name at least one table, or leave "tables" out for the failed ones').optional(),
    snapshotDt: snapshotDtSchema.optional(),
    fromStage: z.enum(REPROCESS_STAGES).optional(),
  })
  .strict();
export type ReprocessRequest = z.infer<typeof ReprocessRequestSchema>;

const AbandonSchema = z.union([
  z.string().max(2000),
  z.object({ reason: z.string().max(2000).optional() }).strict(),
]);

/** Where a table held at the quality gate may restart: before the gate, so the checks run again. */
const GATED_RESTARTS: ReadonlySet<string> = new Set(['split', 'register']);

/** Work for one reprocess pass: table → the stage to restart from. */
export type ReprocessWork = Map<string, Stage>;

export class RequestRejected extends Error {
  override readonly name = 'RequestRejected';
}

/** A payload the converter could not decode (unknown encoding, bad JSON) is rejected with what it was. */
export function assertDecoded(what: string, payload: unknown): void {
  if (!isUndecodable(payload)) return;
  const { encoding, bytes, error } = payload.flywheelUndecodablePayload;
  throw new RequestRejected(`undecodable ${what} payload (encoding ${encoding}, ${bytes.toLocaleString('en-US')} bytes): ${error}; send JSON`);
}

/** Shape check only (the signal may arrive before the plan exists). */
export function parseReprocessRequest(payload: unknown): ReprocessRequest {
  assertDecoded('reprocess', payload);
  const parsed = ReprocessRequestSchema.safeParse(payload ?? {});
  if (!parsed.success) throw new RequestRejected(`malformed reprocess payload (${describeValue(payload)}): ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function parseAbandonReason(payload: unknown): string {
  assertDecoded('abandon', payload);
  const parsed = AbandonSchema.safeParse(payload ?? {});
  if (!parsed.success) throw new RequestRejected(`malformed abandon payload (${describeValue(payload)}): ${describeIssues(parsed.error)}`);
  const reason = typeof parsed.data === 'string' ? parsed.data : parsed.data.reason;
  return reason?.trim() || 'abandoned by operator';
}

/**
 * Checks a request against the run and turns it into work. Default tables: the failed ones;
 * default stage: where each table failed (a table that had succeeded, or waits at the quality gate,
 * restarts from split).
 */
export function resolveReprocess(
  request: ReprocessRequest,
  run: { snapshotDt: string; tables: readonly SourceTable[]; reports: readonly TableReport[] },
): ReprocessWork {
  if (request.snapshotDt && request.snapshotDt !== run.snapshotDt) {
    throw new RequestRejected(
      `this run processes snapshot ${run.snapshotDt}, not ${request.snapshotDt}; start a new run for that snapshot`,
    );
  }
  const byLowerName = new Map(run.tables.map((t) => [t.name.toLowerCase(), t.name]));
  let names: string[];
  if (request.tables) {
    const unknown = request.tables.filter((t) => !byLowerName.has(t.toLowerCase()));
    if (unknown.length > 0) {
      const known = run.tables.map((t) => t.name);
      throw new RequestRejected(`unknown table(s) ${listSome(unknown)}; this run has ${known.length} table(s): ${listSome(known, 8)}`);
    }
    names = [...new Set(request.tables.map((t) => byLowerName.get(t.toLowerCase())!))];
  } else {
    names = run.reports.filter((r) => r.state === 'failed').map((r) => r.name);
    if (names.length === 0) throw new RequestRejected('nothing to reprocess: no table has failed');
  }
  const work: ReprocessWork = new Map();
  for (const name of names) {
    const report = run.reports.find((r) => r.name === name);
    if (report?.state === 'running') throw new RequestRejected(`table ${name} is still running`);
    if (report?.state === 'awaiting-approval' && request.fromStage && !GATED_RESTARTS.has(request.fromStage)) {
      throw new RequestRejected(
        `table ${name} is awaiting approval at the quality gate: reprocess it from split or register (after fixing the source), or send "approve"`,
      );
    }
    const failedAt = report?.state === 'failed' && report.stage !== 'lineage' && report.stage !== 'discover' ? report.stage : 'split';
    work.set(name, request.fromStage ?? failedAt);
  }
  return work;
}
