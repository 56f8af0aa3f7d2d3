import { InvalidInputError } from '../domain/errors.js';

/**
 * Durable documents of one refresh (its plan, each table's outputs, per-batch reports, the final
 * report), kept where the data is — `<FLYWHEEL_HOME>/runs/…` locally, S3 on AWS — and passed between
 * workflows and activities by key, so no workflow payload grows with the number of tables.
 */
export interface RunManifests {
  /** Where a run's documents live, or one document (a path or `s3://` URI), for reports and operators. */
  location(runKey: string, document?: string): string;
  write(runKey: string, document: string, value: unknown): Promise<void>;
  /** Writes a document from pieces of its JSON text (one too big to build as one object: the full report); atomic like `write`. */
  writeJsonChunks(runKey: string, document: string, chunks: AsyncIterable<string>): Promise<void>;
  read<T>(runKey: string, document: string): Promise<T | undefined>;
  /** Document names (relative to the run) under a folder such as `batches/`, sorted. */
  list(runKey: string, folder: string): Promise<string[]>;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.=-]{0,254}$/;

/** `<workflowId>/<runId>`: the first run of a refresh names its manifest for every later run (continue-as-new). */
export function runKeyOf(workflowId: string, firstRunId: string): string {
  return assertRelativePath(`${workflowId}/${firstRunId}`, 'run key');
}

/** A slash-separated relative path of safe segments (no `..`, no hidden files): run keys and document names. */
export function assertRelativePath(value: string, what: string): string {
  const segments = value.split('/');
  if (segments.length === 0 || !segments.every((s) => SEGMENT.test(s) && s !== '.' && !s.includes('..'))) {
    throw new InvalidInputError(`invalid ${what} ${JSON.stringify(value.slice(0, 200))}: use letters, digits and _.=- segments`);
  }
  return value;
}
