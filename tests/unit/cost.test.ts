import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/domain/cost.js';

const pricing = { glueUsdPerDpuHour: 0.44, athenaUsdPerTbScanned: 5 };

describe('estimateCost', () => {
  it('prices Glue by DPU-hour and Athena by TB scanned', () => {
    // 2 runs of 10 DPU for 30 min = 10 DPU-hours → $4.40; 2 TiB scanned → $10.
    const cost = estimateCost([18000, 18000], [1024 ** 4, 1024 ** 4], pricing);
    expect(cost).toEqual({ glueDpuSeconds: 36000, athenaBytesScanned: 2 * 1024 ** 4, glueUsd: 4.4, athenaUsd: 10, totalUsd: 14.4 });
  });

  it('bills every Athena query at least 10 MB', () => {
    const oneTiny = estimateCost([], [0], { glueUsdPerDpuHour: 0, athenaUsdPerTbScanned: 1024 ** 2 / 10 });
    // 10 MiB at $(1 TiB / 10 MiB) per TiB is exactly $1.
    expect(oneTiny.athenaUsd).toBe(1);
    expect(oneTiny.athenaBytesScanned).toBe(0);
  });

  it('is zero when nothing ran on AWS', () => {
    expect(estimateCost([0, 0], [], pricing).totalUsd).toBe(0);
  });
});
