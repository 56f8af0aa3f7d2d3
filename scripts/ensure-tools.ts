/**
 * Provisions the git-ignored tools venv, .tools/venv, up front (the test set-up and the demo do the same on first
 * use). Usage: npx tsx scripts/ensure-tools.ts [tool...]   (no argument: every tool; see VENV_TOOLS)
 */
import { ensureVenvTool, isVenvToolName, ToolUnavailableError, VENV_TOOLS, type VenvToolName } from '../src/tools/toolsVenv.js';

const say = (line: string): void => void process.stderr.write(`[ensure-tools] ${line}\n`);
const known = Object.keys(VENV_TOOLS) as VenvToolName[];
const args = process.argv.slice(2);
if (args.includes('-h') || args.includes('--help')) {
  say(`usage: scripts/ensure-tools.sh [${known.join('] [')}]   (no argument: all)`);
  process.exit(0);
}
const unknown = args.filter((name) => !isVenvToolName(name));
if (unknown.length > 0) {
  say(`unknown tool '${unknown[0]!.slice(0, 40)}' (expected: ${known.join(', ')})`);
  process.exit(2);
}
try {
  for (const tool of args.length > 0 ? (args as VenvToolName[]) : known) {
    say(`${tool}: ${await ensureVenvTool(tool, { log: say })} (${VENV_TOOLS[tool].requirement})`);
  }
} catch (error) {
  say(error instanceof ToolUnavailableError ? error.message : String((error as Error).stack ?? error));
  process.exit(1);
}
