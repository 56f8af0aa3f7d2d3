import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { assertRelativePath, type RunManifests } from '../../ports/runManifests.js';
import { writeFileAtomic } from './files.js';

/** Run documents as JSON files under `<home>/runs/<workflowId>/<runId>/`, written atomically (temp + rename, see writeFileAtomic). */
export class LocalRunManifests implements RunManifests {
  private readonly root: string;

  constructor(home: string) {
    this.root = path.join(path.resolve(home), 'runs');
  }

  location(runKey: string, document?: string): string {
    const dir = path.join(this.root, assertRelativePath(runKey, 'run key'));
    return document === undefined ? dir : path.join(dir, `${assertRelativePath(document, 'document name')}.json`);
  }

  private file(runKey: string, document: string): string {
    return this.location(runKey, document);
  }

  async write(runKey: string, document: string, value: unknown): Promise<void> {
    // A killed writer's temp file is swept by the next write of the document (a retried activity's).
    await writeFileAtomic(this.file(runKey, document), JSON.stringify(value));
  }

  async writeJsonChunks(runKey: string, document: string, chunks: AsyncIterable<string>): Promise<void> {
    await writeFileAtomic(this.file(runKey, document), chunks);
  }

  async read<T>(runKey: string, document: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.file(runKey, document), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(runKey: string, folder: string): Promise<string[]> {
    const dir = path.join(this.location(runKey), assertRelativePath(folder.replace(/\/$/, ''), 'folder'));
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
    return names.filter((n) => n.endsWith('.json')).map((n) => `${folder.replace(/\/$/, '')}/${n.slice(0, -5)}`).sort();
  }
}
