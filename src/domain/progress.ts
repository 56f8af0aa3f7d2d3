import type { TableReport } from './report.js';
import { STAGES, type Stage } from './tables.js';

/** The per-table stages, in order; what progress is counted in. */
export const TABLE_STAGES: readonly Stage[] = ['split', 'register', 'check', 'bucket', 'validate'];

/** One character per table state, for fixed-width listings (CLI and the Web UI's details). */
export const STATE_MARK: Record<TableReport['state'], string> = { failed: '✘', 'awaiting-approval': '⏸', succeeded: '✔', running: '…', pending: ' ' };

/** Tables that have finished `stage` (moved past it, or succeeded). */
export function doneWith(tables: readonly Pick<TableReport, 'stage' | 'state'>[], stage: Stage): number {
  const index = STAGES.indexOf(stage);
  return tables.filter((t) => t.state === 'succeeded' || STAGES.indexOf(t.stage) > index).length;
}

export interface StageProgress {
  stage: Stage;
  done: number;
  total: number;
}

/** `split 26/26 · register 25/26 · …` as data. */
export function stageProgress(tables: readonly Pick<TableReport, 'stage' | 'state'>[]): StageProgress[] {
  return TABLE_STAGES.map((stage) => ({ stage, done: doneWith(tables, stage), total: tables.length }));
}

export function formatStageProgress(progress: readonly StageProgress[]): string {
  return progress.map((p) => `${p.stage} ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')}`).join(' · ');
}

/**
 * The stage a run is "at" for people: the least advanced stage any running table is in (so the
 * header never says `validate` while most tables still split); otherwise the furthest one reached.
 */
export function currentStage(tables: readonly Pick<TableReport, 'stage' | 'state'>[], furthest: Stage): Stage {
  const running = tables.filter((t) => t.state === 'running').map((t) => STAGES.indexOf(t.stage));
  return running.length > 0 ? STAGES[Math.min(...running)]! : furthest;
}

/**
 * A failure message with its cause first and long paths after it: `File 'part-00000.parquet' too
 * small to be a Parquet file` then `path: /…/MIACS_01/snapshot_dt=…/part-00000.parquet`. With real
 * S3 paths, a cut at a fixed length otherwise always falls before the cause.
 */
export function causeFirst(message: string): { cause: string; paths: string[] } {
  const paths: string[] = [];
  const cause = message.replace(/(s3:\/\/[^\s'"`),;]+|(?<![\w.])\/[^\s'"`),;]*\/[^\s'"`),;]+)/g, (match: string) => {
    // `…/part-00000.parquet:` — the colon (or full stop) ends the sentence, not the path.
    const path = match.replace(/[:.]+$/, '');
    const after = match.slice(path.length);
    if (path.length < 40) return match;
    if (!paths.includes(path)) paths.push(path);
    const base = path.replace(/\/+$/, '').split('/').pop() ?? path;
    return `…/${base}${after}`;
  });
  return { cause, paths };
}
