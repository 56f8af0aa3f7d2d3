/** List prices used to put a dollar figure on a run. */
export interface Pricing {
  glueUsdPerDpuHour: number;
  athenaUsdPerTbScanned: number;
}

export interface RunCost {
  glueDpuSeconds: number;
  athenaBytesScanned: number;
  glueUsd: number;
  athenaUsd: number;
  totalUsd: number;
}

const TB = 1024 ** 4;
/** Athena bills at least 10 MB per query. */
const ATHENA_MIN_BYTES = 10 * 1024 ** 2;

const cents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * Estimated cost of a run at list price: Glue DPU-seconds and Athena bytes scanned per query.
 * Runs that report neither (the local backend) cost nothing.
 */
export function estimateCost(dpuSeconds: readonly number[], bytesScannedPerQuery: readonly number[], pricing: Pricing): RunCost {
  const glueDpuSeconds = dpuSeconds.reduce((sum, s) => sum + s, 0);
  const billedBytes = bytesScannedPerQuery.reduce((sum, b) => sum + Math.max(b, ATHENA_MIN_BYTES), 0);
  const glueUsd = (glueDpuSeconds / 3600) * pricing.glueUsdPerDpuHour;
  const athenaUsd = (billedBytes / TB) * pricing.athenaUsdPerTbScanned;
  return {
    glueDpuSeconds,
    athenaBytesScanned: bytesScannedPerQuery.reduce((sum, b) => sum + b, 0),
    glueUsd: cents(glueUsd),
    athenaUsd: cents(athenaUsd),
    totalUsd: cents(glueUsd + athenaUsd),
  };
}
