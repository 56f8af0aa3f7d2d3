import type { FlywheelConfig } from '../config/schema.js';
import type { LineageOutcome, LineagePublisher } from '../ports/lineage.js';
import { resolveLineageConfig, type ResolvedLineageConfig } from './config.js';
import { DurablePublisher } from './durablePublisher.js';
import { SinkError } from './errors.js';
import { eventOptions, FileSink } from './fileSink.js';
import { breakerFor } from './http/breaker.js';
import { HttpClient } from './http/client.js';
import { OpenLineageHttpSink, OpenMetadataOpenLineageSink } from './openlineage/httpSinks.js';
import { OpenMetadataRestSink } from './openmetadata/restSink.js';
import { describeTokenSource, type TokenSource } from './secrets.js';
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

function httpClient(config: ResolvedLineageConfig, baseUrl: string, authHint: string): HttpClient {
  return new HttpClient({ baseUrl, ...config.http, breaker: breakerFor(baseUrl, config.breaker), authHint });
}

export function createSink(config: ResolvedLineageConfig, home: string, env: NodeJS.ProcessEnv): LineageSink {
  const events = eventOptions(config);
  switch (config.sink) {
    case 'file':
      return new FileSink(config, home);
    case 'openlineage': {
      const apiKey: TokenSource = { envVar: config.openlineage.apiKeyEnv };
      const client = httpClient(config, config.openlineage.url!, describeTokenSource(apiKey));
      return new OpenLineageHttpSink(client, config.openlineage.endpoint, events, apiKey, env, home);
    }
    case 'openmetadata': {
      const om = config.openmetadata;
      const token: TokenSource = { envVar: om.tokenEnv, ...(om.tokenFile ? { file: om.tokenFile } : {}) };
      const client = httpClient(config, om.url!, describeTokenSource(token));
      if (om.transport === 'openlineage') return new OpenMetadataOpenLineageSink(client, events, token, env, home);
      const model = {
        databaseService: om.databaseService,
        database: om.database,
        sourceSchema: om.sourceSchema,
        pipelineService: om.pipelineService,
        pipelineName: om.pipeline ?? `${config.jobName}_${config.environment}`,
      };
      return new OpenMetadataRestSink(client, model, token, env, home);
    }
    case 'none':
      return new BrokenSink('none', 'lineage.sink is none');
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
