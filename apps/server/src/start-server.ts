import type { AddressInfo } from 'node:net';
import { SkillsyncError, toSkillsyncError } from '@skillsync/core';
import { createAdaptorServer } from '@hono/node-server';
import { pruneBlobs } from './blobs/index.js';
import { createServerApp, type ServerLogger } from './http/app.js';
import { openServerContext, type OpenServerContext, type OpenServerOptions } from './open-server.js';
import { serverRouteModules } from './route-modules.js';
import type { RouteModule } from './server-context.js';

export interface StartServerOptions extends OpenServerOptions {
  readonly listen: { readonly host: string; readonly port: number };
  /** Request lines and server faults. Default: none. */
  readonly logger?: ServerLogger;
  /** Default: every module of the API (serverRouteModules). */
  readonly modules?: readonly RouteModule[];
  /** How long `close` lets requests under way (and event streams) finish before cutting them. Default 5000 ms. */
  readonly drainMs?: number;
}

export interface RunningServer {
  /** `http://host:port`, with the port the system picked for port 0. */
  readonly url: string;
  readonly context: OpenServerContext;
  /** Stops accepting, lets requests under way finish (up to `drainMs`), then closes the database. */
  close(): Promise<void>;
}

/**
 * Opens the server context and serves the API over HTTP on `listen` until `close`. Once
 * it listens, it sweeps the blob directory (pruneBlobs) in the background: the result is
 * logged, a failure told to `onError`.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const context = await openServerContext(options);
  const app = createServerApp(context, options.modules ?? serverRouteModules, options.logger === undefined ? {} : { logger: options.logger });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: options.listen.host });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listen.port, options.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await context.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new SkillsyncError('SERVER_CONFIG_INVALID', `Could not listen on ${options.listen.host}:${options.listen.port}${code === undefined ? '' : ` (${code})`}.`, {
      hint: code === 'EADDRINUSE' ? 'Another process uses that port: pick another with --listen HOST:PORT.' : 'Check the address: --listen HOST:PORT, with a host this machine has.',
      details: { host: options.listen.host, port: options.listen.port },
      cause: error,
    });
  }
  const { port } = server.address() as AddressInfo;
  const host = options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host;
  const drainMs = options.drainMs ?? 5000;
  const sweep = pruneBlobs(context).then(
    (result) => {
      if (result === undefined) return;
      const { removed, leftovers, bytes, recent } = result;
      options.logger?.info({ removed: removed.length, leftovers, bytes, recent }, 'blob directory swept');
    },
    (error: unknown) => options.onError?.(toSkillsyncError(error)),
  );

  let closing: Promise<void> | undefined;
  const drain = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const cut = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, drainMs);
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    });
  return {
    url: `http://${host}:${port}`,
    context,
    close: () => {
      closing ??= drain()
        .then(() => sweep)
        .finally(() => context.close());
      return closing;
    },
  };
}
