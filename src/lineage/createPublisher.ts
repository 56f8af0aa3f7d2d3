import type { FlywheelConfig } from '../config/schema.js';
import type { LineageOutcome, LineagePublisher } from '../ports/lineage.js';
import { resolveLineageConfig, type ResolvedLineageConfig } from './config.js';
import { DurablePublisher } from './durablePublisher.js';
import { SinkError } from './errors.js';
import { FileSink } from './fileSink.js';
import type { LineageSink } from './sink.js';

/** A sink that cannot work (bad lineage config): every publish is recorded as failed with the reason. */
class BrokenSink implements LineageSink {
  constructor(
    readonly name: string,
    private readonly reason: string,
  ) {}
  async publish(): Promise<{ events: number }> {
    throw new SinkError('config', this.reason);
  }
}

const DISABLED: LineagePublisher = {
  publish: async (): Promise<LineageOutcome> => ({ status: 'disabled', reason: 'lineage.sink is none' }),
};

export function createSink(config: ResolvedLineageConfig, home: string, env: NodeJS.ProcessEnv): LineageSink {
  void env;
  switch (config.sink) {
    case 'file':
      return new FileSink(config, home);
    default:
      return new BrokenSink(config.sink, `sink ${config.sink} is not available yet`);
  }
}

/**
 * The publisher the lineage activity uses. Never throws, not even for a bad lineage config: that would
 * fail the data run; the run's lineage is kept in the outbox as failed with the reason instead.
 * `home` is the state folder (FLYWHEEL_HOME). Secrets are read from `env` only when publishing.
 */
export function createLineagePublisher(config: FlywheelConfig, home: string, env: NodeJS.ProcessEnv = process.env): LineagePublisher {
  let resolved: ResolvedLineageConfig;
  try {
    resolved = resolveLineageConfig(config, env);
  } catch (error) {
    const sinkName = typeof config.lineage?.sink === 'string' ? config.lineage.sink : 'unknown';
    return new DurablePublisher(new BrokenSink(sinkName, (error as Error).message), home);
  }
  if (resolved.sink === 'none') return DISABLED;
  return new DurablePublisher(createSink(resolved, home, env), home);
}
