import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertRelativePath, type RunManifests } from '../../ports/runManifests.js';

/** Run documents as JSON files under `<home>/runs/<workflowId>/<runId>/`, written atomically (temp + rename). */
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
    const file = this.file(runKey, document);
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(partial, JSON.stringify(value));
    await rename(partial, file);
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
