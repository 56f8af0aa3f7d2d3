/**
 * Dynamic output sizing for the split/bucket jobs: a fixed number of files per GiB of source data,
 * clamped to [minFiles, maxFiles]. Too few files starve Spark executors; too many make tiny files.
 */
export interface FileSizingRule {
  filesPerGb: number;
  maxFiles: number;
  minFiles: number;
}

export const DEFAULT_FILE_SIZING: FileSizingRule = { filesPerGb: 2, maxFiles: 256, minFiles: 1 };

const GIB = 1024 ** 3;

export function outputFileCount(sourceBytes: number, rule: FileSizingRule = DEFAULT_FILE_SIZING): number {
  if (!Number.isFinite(sourceBytes) || sourceBytes < 0) {
    throw new RangeError(`source size must be a non-negative number of bytes, got ${sourceBytes}`);
  }
  const wanted = Math.ceil((sourceBytes / GIB) * rule.filesPerGb);
  return Math.min(rule.maxFiles, Math.max(rule.minFiles, wanted));
}
