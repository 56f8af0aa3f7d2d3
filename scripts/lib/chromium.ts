/**
 * Headless Chromium (Debian's `chromium` package) driven over the DevTools protocol, with Node's own
 * WebSocket (Node 22+, or Node 20 with `--experimental-websocket`): navigate, wait for the page,
 * evaluate, screenshot. Just enough to look at the Temporal Web UI the way an operator sees it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM_VARIABLE = 'CHROMIUM';

/** `$CHROMIUM`, else /usr/bin/chromium (Debian: `apt-get install -y chromium`). */
export function locateChromium(): string {
  const candidates = [process.env[CHROMIUM_VARIABLE], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`no Chromium found (tried ${candidates.join(', ')}): on Debian/Ubuntu run \`apt-get install -y chromium\`, or set ${CHROMIUM_VARIABLE}`);
  return found;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface Viewport {
  width: number;
  height: number;
}

export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly socket: WebSocket,
    private readonly profile: string,
  ) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`DevTools: ${message.error.message}`));
      else waiter?.resolve(message.result);
    });
  }

  static async launch(viewport: Viewport): Promise<Browser> {
    if (typeof WebSocket === 'undefined') throw new Error('this Node has no WebSocket: use Node 22+, or Node 20 with --experimental-websocket');
    const profile = await mkdtemp(path.join(os.tmpdir(), 'flywheel-chromium-'));
    const child = spawn(
      locateChromium(),
      ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--remote-debugging-port=0',
        `--user-data-dir=${profile}`, `--window-size=${viewport.width},${viewport.height}`, 'about:blank'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const browserUrl = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`Chromium did not start within 30 s:\n${output.slice(-2000)}`)), 30_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`Chromium exited (${code}):\n${output.slice(-2000)}`)));
    });
    const { host } = new URL(browserUrl);
    const targets = (await (await fetch(`http://${host}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
    const page = targets.find((t) => t.type === 'page');
    if (!page) throw new Error('Chromium has no page target');
    const socket = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error('cannot connect to Chromium DevTools')), { once: true });
    });
    const browser = new Browser(child, socket, profile);
    await browser.send('Page.enable');
    await browser.send('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 1, mobile: false });
    return browser;
  }

  send<T = unknown>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Evaluates `expression` in the page (awaiting promises) and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string } }>('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    if (exceptionDetails) throw new Error(`page script failed: ${exceptionDetails.text}`);
    return result.value as T;
  }

  /** Polls `expression` until it is truthy (the SPA has rendered what we need). */
  async waitFor(expression: string, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`Boolean(${expression})`).catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`the page did not show ${what} within ${timeoutMs / 1000} s (${await this.evaluate<string>('location.href')})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async goto(url: string): Promise<void> {
    await this.send('Page.navigate', { url });
    await this.waitFor(`document.readyState === 'complete' && location.href.startsWith(${JSON.stringify(url.split('?')[0])})`, `the page ${url}`);
  }

  /** Clicks the first element matching `selector` whose text contains `text` (if given). */
  async click(selector: string, text?: string): Promise<boolean> {
    return this.evaluate<boolean>(`(() => {
      const el = [...document.querySelectorAll(${JSON.stringify(selector)})].find((e) => ${text === undefined ? 'true' : `e.textContent.includes(${JSON.stringify(text)})`});
      if (!el) return false;
      el.scrollIntoView({ block: 'center' });
      el.click();
      return true;
    })()`);
  }

  /** A PNG of the page; `fullPage` grows the capture to the document's height. */
  async screenshot(file: string, options: { fullPage?: boolean } = {}): Promise<void> {
    const params: Record<string, unknown> = { format: 'png', captureBeyondViewport: Boolean(options.fullPage) };
    if (options.fullPage) {
      const { width, height } = await this.evaluate<{ width: number; height: number }>(
        '({ width: document.documentElement.clientWidth, height: Math.min(document.scrollingElement.scrollHeight, 6000) })',
      );
      params['clip'] = { x: 0, y: 0, width, height, scale: 1 };
    }
    const { data } = await this.send<{ data: string }>('Page.captureScreenshot', params);
    await writeFile(file, Buffer.from(data, 'base64'));
  }

  async close(): Promise<void> {
    this.socket.close();
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    await rm(this.profile, { recursive: true, force: true });
  }
}
