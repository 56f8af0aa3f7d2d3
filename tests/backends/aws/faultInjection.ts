import { Readable } from 'node:stream';

/**
 * FAULT INJECTION for behaviours moto cannot produce (FAILED/TIMEOUT/ERROR/EXPIRED/STOPPED job runs,
 * BatchStopJobRun, throttling, failed Athena queries). Each helper adds an AWS SDK v3 middleware to a
 * client; everything else still goes over real HTTP to moto. Tests using these say so in their names.
 */
interface Stackable {
  middlewareStack: { add(mw: unknown, options: Record<string, unknown>): void; remove(name: string): boolean };
}

type Handler = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown>; response?: unknown }>;
type Context = { commandName?: string };
let counter = 0;

/** Patches a command's parsed output (sees it inside the SDK retry loop). Returns a remover. */
export function faultInjectionPatchOutput(
  client: Stackable,
  commandName: string,
  patch: (output: Record<string, unknown>, input: Record<string, unknown>) => void,
): () => void {
  const name = `faultInjectionPatchOutput${++counter}`;
  client.middlewareStack.add(
    (next: Handler, context: Context) => async (args: { input: Record<string, unknown> }) => {
      const result = await next(args);
      if (context.commandName === commandName) patch(result.output, args.input);
      return result;
    },
    { step: 'finalizeRequest', priority: 'low', name },
  );
  return () => client.middlewareStack.remove(name);
}

/**
 * Answers the next `times` calls of a command with an HTTP error carrying a modelled `__type`, so the
 * SDK builds the real exception class itself (and applies its own retry rules to it).
 */
export function faultInjectionErrorResponse(
  client: Stackable,
  commandName: string,
  errorType: string,
  times: number,
  statusCode = 400,
  message = `fault injection: ${errorType}`,
): { calls: () => number; remove: () => void } {
  const body = JSON.stringify({ __type: errorType, message });
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': errorType };
  return faultInjectionHttpResponse(client, commandName, times, { statusCode, headers, body });
}

/** The same for S3 (REST-XML): `<Error><Code>…</Code><Message>…</Message></Error>`. */
export function faultInjectionS3ErrorResponse(
  client: Stackable,
  commandName: string,
  code: string,
  times: number,
  statusCode = 403,
  message = `fault injection: ${code}`,
): { calls: () => number; remove: () => void } {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault</RequestId></Error>`;
  return faultInjectionHttpResponse(client, commandName, times, { statusCode, headers: { 'content-type': 'application/xml' }, body });
}

function faultInjectionHttpResponse(
  client: Stackable,
  commandName: string,
  times: number,
  response: { statusCode: number; headers: Record<string, string>; body: string },
): { calls: () => number; remove: () => void } {
  const name = `faultInjectionHttpResponse${++counter}`;
  let injected = 0;
  client.middlewareStack.add(
    (next: Handler, context: Context) => async (args: { input: Record<string, unknown> }) => {
      if (context.commandName !== commandName || injected >= times) return next(args);
      injected++;
      return { output: {}, response: { ...response, body: Readable.from([Buffer.from(response.body)]) } };
    },
    { step: 'deserialize', priority: 'low', name },
  );
  return { calls: () => injected, remove: () => client.middlewareStack.remove(name) };
}

/**
 * Replaces a command moto does not implement (BatchStopJobRun answers HTTP 500 there) with a canned
 * output, recording the inputs it was called with.
 */
export function faultInjectionReplaceCommand(
  client: Stackable,
  commandName: string,
  respond: (input: Record<string, unknown>) => Record<string, unknown>,
): { inputs: Record<string, unknown>[]; remove: () => void } {
  const name = `faultInjectionReplaceCommand${++counter}`;
  const inputs: Record<string, unknown>[] = [];
  client.middlewareStack.add(
    (next: Handler, context: Context) => async (args: { input: Record<string, unknown> }) => {
      if (context.commandName !== commandName) return next(args);
      inputs.push(args.input);
      return { output: { $metadata: {}, ...respond(args.input) } };
    },
    { step: 'initialize', priority: 'high', name },
  );
  return { inputs, remove: () => client.middlewareStack.remove(name) };
}

/** Not a fault: records the inputs of a command (for request fields moto does not echo back). */
export function recordInputs(client: Stackable, commandName: string): Record<string, unknown>[] {
  const inputs: Record<string, unknown>[] = [];
  faultInjectionPatchOutput(client, commandName, (_output, input) => inputs.push(input));
  return inputs;
}
