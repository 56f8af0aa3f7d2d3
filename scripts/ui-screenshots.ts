/**
 * `npm run ui-screenshots -- --out DIR` — looks at the real Temporal Web UI the way an on-call operator
 * does (issue 16), in headless Chromium (Debian's `chromium`; `CHROMIUM` overrides the binary):
 *   1. a refresh parked in `awaiting-reprocess` with a failed table (its source file is not Parquet):
 *      the run's page with the current details (state, deadline, failed table, full cause, next commands);
 *   2. a refresh that is running (CTAS held at hold points, FLYWHEEL_TEST_HOLDS): its pending activities
 *      and its history timeline, which must name their tables;
 *   3. the workflow list with the parked-runs query `FlywheelStatus = "awaiting-reprocess"`, and the
 *      default list (no planning executions in it).
 * Exits 1 when a page scrolls sideways or the details card overflows (content wider than its box).
 *
 * Options: --out DIR (required) · --temporal-address H:P (use that server; its UI is on port + 1000,
 * or --ui-url) · --width N (default 1280) · --rows N (default 500) · --keep (leave server and runs up).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { TEST_HOLDS_VARIABLE } from '../src/backends/local/testHolds.js';
import { seedLake } from '../src/backends/local/index.js';
import { PROJECT_ROOT } from '../src/config/home.js';
import { parseConfig, parseConfigYaml } from '../src/config/load.js';
import { planRefresh, startRefresh } from '../src/client/refresh.js';
import { waitForRunState } from '../src/client/status.js';
import { startDevServer, type DevServer } from '../src/temporal/devServer.js';
import { createFlywheelWorker, type FlywheelWorker } from '../src/workers/createWorker.js';
import { FLYWHEEL_SEARCH_ATTRIBUTES } from '../src/workflows/searchAttributes.js';
import { MARKDOWN_LINE_MAX } from '../src/workflows/refreshMarkdown.js';
import { Browser } from './lib/chromium.js';
import { corruptSourceFile } from './lib/corruptSource.js';
import { HoldPoints } from './lib/holdPoints.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    'temporal-address': { type: 'string' },
    'ui-url': { type: 'string' },
    width: { type: 'string', default: '1280' },
    rows: { type: 'string', default: '500' },
    keep: { type: 'boolean', default: false },
  },
});
if (!values.out) {
  console.error('usage: npm run ui-screenshots -- --out DIR [--temporal-address H:P] [--ui-url URL] [--width 1280] [--rows 500] [--keep]');
  process.exit(2);
}
const outDir = path.resolve(values.out);
const width = Number(values.width);
const rows = Number(values.rows);
if (!Number.isInteger(width) || width < 600 || !Number.isInteger(rows) || rows < 10) {
  console.error('--width must be an integer ≥ 600 and --rows an integer ≥ 10');
  process.exit(2);
}
const say = (line: string) => console.error(`ui-screenshots: ${line}`);

/** Tables of the parked run: the local config's first ones; MIACS_01 is the one that fails. */
const TABLES = ['IBE_01', 'IBE_02', 'IBE_03', 'IBE_04', 'IBE_05', 'IBE_06', 'MIACS_01', 'MIACS_02', 'CLC_01', 'NBR_01', 'PRSN_01'];
const FAILING = 'MIACS_01';
const [PARKED_DT, RUNNING_DT] = ['2026-09-01', '2026-10-01'];

/**
 * The Web UI renders Markdown (summary, details, current details) in same-origin iframes
 * (`/render?content=…`): the page's text plus theirs.
 */
const ALL_TEXT = `[document.body.innerText, ...[...document.querySelectorAll('iframe')].map((f) => { try { return f.contentDocument.body.innerText; } catch { return ''; } })].join('\\n')`;
const pageShows = (text: string) => `(${ALL_TEXT}).includes(${JSON.stringify(text)})`;

/** In the page: what is wider than its box — the page itself, or anything in the current-details frame. */
const OVERFLOW_PROBE = `(() => {
  const found = [];
  const wide = (what, e) => { if (e.scrollWidth > e.clientWidth + 1) found.push({ what, scrollWidth: e.scrollWidth, clientWidth: e.clientWidth, text: e.textContent.replace(/\\s+/g, ' ').trim().slice(0, 70) }); };
  const se = document.scrollingElement;
  if (se.scrollWidth > se.clientWidth + 1) found.push({ what: 'page', scrollWidth: se.scrollWidth, clientWidth: se.clientWidth });
  const frame = [...document.querySelectorAll('iframe')].find((f) => { try { return f.contentDocument.body.innerText.includes('Progress:'); } catch { return false; } });
  if (frame) {
    const doc = frame.contentDocument;
    wide('details frame', doc.scrollingElement);
    for (const e of doc.body.querySelectorAll('*')) if (e.clientWidth > 0 && getComputedStyle(e).display !== 'inline') wide('details ' + e.tagName.toLowerCase(), e);
  }
  // How many monospace characters a line of the card's <pre> can hold (MARKDOWN_LINE_MAX must not exceed it).
  let lineChars = 0;
  const pre = frame && frame.contentDocument.querySelector('pre');
  if (pre) {
    const probe = frame.contentDocument.createElement('span');
    probe.textContent = 'M'.repeat(100);
    pre.appendChild(probe);
    const style = getComputedStyle(pre);
    lineChars = Math.floor((pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)) / (probe.getBoundingClientRect().width / 100));
    probe.remove();
  }
  return { found, cardFound: Boolean(frame), cardWidth: frame ? frame.clientWidth : 0, lineChars };
})()`;

interface Overflow {
  found: { what: string; scrollWidth: number; clientWidth: number; text?: string }[];
  cardFound: boolean;
  cardWidth: number;
  lineChars: number;
}

async function heldPoints(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => f.endsWith('.held')).map((f) => f.replace(/\.held$/, ''));
}

Runtime.install({ logger: new DefaultLogger('WARN') });
await mkdir(outDir, { recursive: true });
const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-ui-'));
const holds = new HoldPoints(path.join(home, 'holds'));
process.env[TEST_HOLDS_VARIABLE] = holds.folder; // the in-process worker's activities see the hold points
let server: DevServer | undefined;
let browser: Browser | undefined;
let client: Client | undefined;
let nativeConnection: NativeConnection | undefined;
let worker: FlywheelWorker | undefined;
let running: Promise<void> | undefined;
const problems: string[] = [];
try {
  let address = values['temporal-address'];
  let uiUrl = values['ui-url'];
  if (!address) {
    server = await startDevServer({ searchAttributes: { ...FLYWHEEL_SEARCH_ATTRIBUTES } });
    address = server.address;
    uiUrl = server.uiUrl;
  }
  uiUrl ??= `http://${address.replace(/:(\d+)$/, (_, port: string) => `:${Number(port) + 1000}`)}`;
  say(`Temporal ${address}, Web UI ${uiUrl}, state in ${home}`);

  const document = parseConfigYaml(await readFile(path.join(PROJECT_ROOT, 'config', 'local.yaml'), 'utf8'), 'config/local.yaml') as Record<string, unknown>;
  const config = parseConfig(
    {
      ...document,
      environment: 'ui',
      temporal: { address, namespace: 'default', taskQueue: `flywheel-ui-${process.pid}` },
      tables: { mode: 'list', infobase: TABLES, addressable: true },
      reprocess: { waitHours: 72 },
      maintenance: { ...(document['maintenance'] as object), tables: [] },
      local: { lakeRoot: 'lake', threads: 1, memoryLimit: '256MB' },
    },
    'ui-screenshots config',
    {},
  );
  await seedLake({ config, home, rows, snapshots: [PARKED_DT, RUNNING_DT] });
  await corruptSourceFile(config, home, FAILING, PARKED_DT);
  await mkdir(holds.folder, { recursive: true });

  client = new Client({ connection: await Connection.connect({ address }) });
  nativeConnection = await NativeConnection.connect({ address });
  worker = await createFlywheelWorker({ config, home, connection: nativeConnection });
  running = worker.worker.run();

  const url = (workflowId: string, runId: string, tab: string) =>
    `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/${tab}`;
  /** The workflow page's tabs are links; the UI keeps the tab in the URL. */
  const openTab = async (label: string) => {
    const tab = `[...document.querySelectorAll('a')].find((a) => a.textContent.trim().startsWith(${JSON.stringify(label)}))`;
    await browser!.waitFor(tab, `the ${label} tab`);
    await browser!.evaluate(`${tab}.click()`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  };
  browser = await Browser.launch({ width, height: 1800 });
  const shoot = async (name: string, check: boolean) => {
    const file = path.join(outDir, `${name}.png`);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let frames and the timeline settle
    await browser!.screenshot(file, { fullPage: true });
    say(`wrote ${file}`);
    if (!check) return;
    const overflow = await browser!.evaluate<Overflow>(OVERFLOW_PROBE);
    if (!overflow.cardFound) problems.push(`${name}: no current-details card found on the page`);
    else say(`${name}: the current-details card is ${overflow.cardWidth}px wide; its monospace lines hold ${overflow.lineChars} characters (Flywheel writes ≤ ${MARKDOWN_LINE_MAX})`);
    if (overflow.cardFound && overflow.lineChars < MARKDOWN_LINE_MAX) problems.push(`${name}: the card holds ${overflow.lineChars} monospace characters a line, fewer than MARKDOWN_LINE_MAX ${MARKDOWN_LINE_MAX}`);
    for (const o of overflow.found) problems.push(`${name}: ${o.what} is ${o.scrollWidth}px wide in a ${o.clientWidth}px box${o.text ? ` ("${o.text}")` : ''}`);
  };

  // 1. The parked run, started as `flywheel run` starts it (planning first).
  const plan = await planRefresh(client, config, { snapshotDt: PARKED_DT });
  const parked = (await startRefresh(client, config, { snapshotDt: plan.snapshotDt })).handle;
  await waitForRunState(parked, ['awaiting-reprocess'], { timeoutMs: 180_000 });
  await browser.goto(url(parked.workflowId, (await parked.describe()).runId, 'history'));
  await openTab('User Metadata');
  await browser.waitFor(pageShows('Failed tables'), 'the current details');
  await shoot('1-parked-run', true);

  // 2. A running run: every table's CTAS waits at a hold point, so activities are pending.
  for (const table of TABLES) await holds.arm(`ctas-${table}`);
  const active = (await startRefresh(client, config, { snapshotDt: RUNNING_DT })).handle;
  const deadline = Date.now() + 180_000;
  while ((await heldPoints(holds.folder)).length < Math.min(config.tableConcurrency, TABLES.length)) {
    if (Date.now() > deadline) throw new Error('no CTAS reached its hold point within 180 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const described = await active.describe();
  await browser.goto(url(active.workflowId, described.runId, 'history'));
  await openTab('User Metadata');
  await browser.waitFor(pageShows('Progress:'), 'the running run’s details');
  await shoot('2-running-details', true);
  await openTab('Timeline');
  await shoot('3-running-timeline', false);
  // The tables' activities run in the refresh's batch children (`…-pass1-batch1`).
  const batch = described.raw.pendingChildren?.[0]?.workflowId ? described.raw.pendingChildren[0] : undefined;
  if (!batch?.workflowId || !batch.runId) throw new Error(`${active.workflowId} has no running batch child`);
  await browser.goto(url(batch.workflowId, batch.runId, 'history'));
  await openTab('Pending Activities');
  await browser.waitFor(pageShows('createBucketedTable'), 'the pending CTAS activities');
  await shoot('4-batch-pending-activities', false);
  await openTab('Timeline');
  await browser.waitFor(pageShows('CTAS'), 'the batch’s timeline');
  await shoot('5-batch-timeline', false);

  // 3. The lists: parked runs by search attribute, and the default list.
  const query = 'FlywheelStatus = "awaiting-reprocess"';
  await browser.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
  await browser.waitFor(pageShows(parked.workflowId), 'the parked run in the list');
  if (await browser.evaluate<boolean>(pageShows(active.workflowId))) {
    problems.push(`the parked-runs query also lists the running ${active.workflowId}`);
  }
  await shoot('6-list-parked-runs', false);
  await browser.goto(`${uiUrl}/namespaces/default/workflows`);
  await browser.waitFor(pageShows(active.workflowId), 'the default list');
  if (await browser.evaluate<boolean>(pageShows(`flywheel-${config.environment}-plan-`))) {
    problems.push('the default list shows a planning execution (flywheel-<env>-plan-…)');
  }
  await shoot('7-list-default', false);

  for (const table of TABLES) await holds.release(`ctas-${table}`);
  if (values.keep) {
    say(`--keep: server and worker stay up (Ctrl-C to stop); UI ${uiUrl}`);
    await running;
  }
  await active.result().catch(() => undefined);
  await parked.terminate('ui-screenshots done').catch(() => undefined);
} catch (error) {
  // What the browser showed when a wait failed: the way to see why.
  if (browser) {
    await browser.screenshot(path.join(outDir, 'error.png'), { fullPage: true }).catch(() => undefined);
    await writeFile(path.join(outDir, 'error.txt'), (await browser.evaluate<string>(ALL_TEXT).catch(() => '')) ?? '');
    say(`the page at the failure: ${path.join(outDir, 'error.png')} and error.txt`);
  }
  throw error;
} finally {
  await rm(holds.folder, { recursive: true, force: true }); // releases whatever still waits
  if (worker) {
    if (worker.worker.getState() === 'RUNNING') worker.worker.shutdown();
    await running?.catch(() => undefined);
    await worker.close();
  }
  await nativeConnection?.close();
  await client?.connection.close();
  await browser?.close();
  await server?.stop();
  await rm(home, { recursive: true, force: true, maxRetries: 5 });
}
if (problems.length) {
  console.error(`ui-screenshots: an operator would scroll sideways or miss text:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
say('no page or details card is wider than the window');
