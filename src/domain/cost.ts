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

/** What Athena bills for one query that scanned `bytes`. */
export function athenaBilledBytes(bytes: number): number {
  return Math.max(bytes, ATHENA_MIN_BYTES);
}

/** Running totals a run keeps instead of every query (a refresh of thousands of tables runs thousands). */
export interface UsageTotals {
  glueDpuSeconds: number;
  athenaBytesScanned: number;
  athenaBytesBilled: number;
}

export function costOfUsage(usage: UsageTotals, pricing: Pricing): RunCost {
  const glueUsd = (usage.glueDpuSeconds / 3600) * pricing.glueUsdPerDpuHour;
  const athenaUsd = (usage.athenaBytesBilled / TB) * pricing.athenaUsdPerTbScanned;
  return {
    glueDpuSeconds: usage.glueDpuSeconds,
    athenaBytesScanned: usage.athenaBytesScanned,
    glueUsd: cents(glueUsd),
    athenaUsd: cents(athenaUsd),
    totalUsd: cents(glueUsd + athenaUsd),
  };
}

/**
 * Estimated cost of a run at list price: Glue DPU-seconds and Athena bytes scanned per query.
 * Runs that report neither (the local backend) cost nothing.
 */
export function estimateCost(dpuSeconds: readonly number[], bytesScannedPerQuery: readonly number[], pricing: Pricing): RunCost {
  return costOfUsage(
    {
      glueDpuSeconds: dpuSeconds.reduce((sum, s) => sum + s, 0),
      athenaBytesScanned: bytesScannedPerQuery.reduce((sum, b) => sum + b, 0),
      athenaBytesBilled: bytesScannedPerQuery.reduce((sum, b) => sum + athenaBilledBytes(b), 0),
    },
    pricing,
  );
}
