/**
 * Loopback networking for the dev server: free ports, reachability and readiness checks.
 */
import net from 'node:net';
import { Connection } from '@temporalio/client';
// ---------------------------------------------------------------------------------------------------------------
// Ports

/** Whether `port` can be bound on `host` right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS considers free on `host` (ephemeral range). */
export function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/** A free port whose +1000 neighbour is free as well (the dev server's default UI port). */
export async function pickPorts(host: string, wantUi: boolean, fixedUi?: number): Promise<{ port: number; uiPort?: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await getFreePort(host);
    if (!wantUi) return { port };
    if (fixedUi !== undefined) return { port, uiPort: fixedUi };
    if (port + 1000 <= 65535 && (await isPortFree(port + 1000, host))) return { port, uiPort: port + 1000 };
  }
  const port = await getFreePort(host);
  if (!wantUi) return { port };
  let uiPort = fixedUi ?? (await getFreePort(host));
  while (uiPort === port) uiPort = await getFreePort(host);
  return { port, uiPort };
}

// ---------------------------------------------------------------------------------------------------------------
// Health

/** Whether a Temporal frontend answers at `address` (host:port) within `timeoutMs`. Never throws. */
export async function isServerReachable(address: string, timeoutMs = 2_000): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
    if (match && !(await tcpAccepts(match[1]!, Number(match[2]), timeoutMs))) return false;
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** Whether something accepts TCP connections on host:port (cheap; gRPC's connect backs off for up to its timeout). */
export function tcpAccepts(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Throws unless the frontend answers, `namespace` exists and every search attribute is registered in it. */
export async function checkReady(address: string, namespace: string, searchAttributes: string[]): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    await connection.workflowService.getSystemInfo({});
    await connection.workflowService.describeNamespace({ namespace });
    if (searchAttributes.length) {
      const listed = await connection.operatorService.listSearchAttributes({ namespace });
      const known = new Set(Object.keys(listed.customAttributes ?? {}));
      const missing = searchAttributes.filter((name) => !known.has(name));
      if (missing.length) throw new Error(`search attributes not registered yet: ${missing.join(', ')}`);
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
