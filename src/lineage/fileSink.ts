import type { OperationContext } from '../ports/context.js';
import type { LineageRun } from '../ports/lineage.js';
import type { ResolvedLineageConfig } from './config.js';
import { buildRunEvents, type EventOptions } from './openlineage/events.js';
import { appendEvents, lineageFilePath } from './openlineage/fileTransport.js';
import type { LineageSink } from './sink.js';

/** Options of the event builder derived from the lineage config (shared by the file and HTTP sinks). */
export function eventOptions(config: ResolvedLineageConfig): EventOptions {
  return {
    jobNamespace: config.namespace,
    jobName: config.jobName,
    naming: {
      catalogNaming: config.catalogNaming,
      region: config.region,
      accountId: config.datasets.accountId,
      athenaCatalog: config.datasets.athenaCatalog,
    },
    sqlDialect: config.backend === 'aws' ? 'athena' : 'duckdb',
  };
}

/** `sink: file`: the run's OpenLineage events appended to `<home>/<lineage.file>` as JSON lines. */
export class FileSink implements LineageSink {
  readonly name = 'file';
  constructor(
    private readonly config: ResolvedLineageConfig,
    private readonly home: string,
  ) {}

  async publish(run: LineageRun, _ctx: OperationContext, done: Set<string>): Promise<{ events: number }> {
    const events = buildRunEvents(run, eventOptions(this.config));
    if (!done.has('file:events')) {
      await appendEvents(lineageFilePath(this.home, this.config.file), events);
      done.add('file:events');
    }
    return { events: events.length };
  }
}
