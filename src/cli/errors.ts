import { ConfigError } from '../config/load.js';

/** Exit codes people script against: 0 success, 1 the run failed, 2 bad input or config. */
export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** An error the CLI reports in one line and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function badInput(message: string): CliError {
  return new CliError(message, EXIT_BAD_INPUT);
}

/** A command addressed a workflow that does not exist: that is bad input (exit 2), with the id it looked for. */
export function noSuchRun(workflowId: string, namespace: string): CliError {
  return badInput(`no workflow ${workflowId} in namespace ${namespace} (check --snapshot / --workflow-id and the environment)`);
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ConfigError) return EXIT_BAD_INPUT;
  if (error instanceof Error && (error.name === 'InvalidInput' || error.name === 'InvalidInputError')) return EXIT_BAD_INPUT;
  return EXIT_RUN_FAILED;
}
