import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { SkillsyncError, toSkillsyncError, type Env, type SkillsyncPaths } from '@skillsync/core';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { DaemonController } from '../contract.js';
import { createApiRoutes } from './api-routes.js';
import { bundledDashboardDirs, loadDashboardAssets, type DashboardAssets } from './dashboard-assets.js';
import { createEventStreams, type EventStreams } from './event-stream.js';
import { errorReply } from './http-errors.js';
import { requireOwnHost, requireOwnOrigin, requireToken } from './request-guards.js';

export interface DashboardServerOptions {
  readonly controller: DaemonController;
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  /** 0 or undefined: any free port. */
  readonly port?: number;
  /** The per-start random token every /api call must carry. */
  readonly token: string;
  /** The built page (default: the `dashboard` folder of the running bundle, scripts/build.mjs puts it there). */
  readonly assetsDir?: string;
  /** Failures that are skillsync's own (HTTP 500), for the daemon's log; never a request's body or token. */
  readonly log?: (message: string, details?: Record<string, unknown>) => void;
}

/** How long a closing server lets a request in flight finish before ending its connection. */
const CLOSE_GRACE_MS = 2000;

export interface DashboardServer {
  /** http://127.0.0.1:PORT/ (no token). */
  readonly url: string;
  close(): Promise<void>;
}

/** The dashboard's host: loopback only, whatever the caller asks. */
const HOST = '127.0.0.1';

/** Request bodies larger than this are refused before they are read (a skill draft is the largest). */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Everything the page loads comes from this server: no inline script or style, no
 * other origin, no frames. The token travels in the URL fragment, which no request
 * and no Referer carries.
 */
const contentSecurityPolicy = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  manifestSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * Serves the dashboard and its API on 127.0.0.1. Every request must name the server
 * by its loopback address (DNS rebinding) and, when a browser says where it comes from,
 * come from the dashboard's own page; every /api call must carry the per-start token
 * as a bearer token. No CORS header is ever sent.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const assets = await loadDashboardAssets(options.assetsDir === undefined ? bundledDashboardDirs() : [options.assetsDir]);
  const events = createEventStreams(options.controller);
  const server = createServer();
  // The app checks the Host header against the port, so it is made once the port is known.
  const port = await listen(server, options.port ?? 0);
  const app = createDashboardApp({ ...options, port, assets, events });
  // Node's own Request and Response stay in place: the daemon's other code (MCP clients) uses them.
  const handle = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  // The listener answers every failure itself (the app's onError); it never rejects.
  server.on('request', (request, response) => void handle(request, response));
  return {
    url: `http://${HOST}:${port}/`,
    close: async () => {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      events.closeAll();
      // Idle keep-alive sockets would hold close() open, and so would a request still being answered: it gets a moment to finish.
      server.closeIdleConnections();
      const ending = setTimeout(() => {
        server.closeAllConnections();
      }, CLOSE_GRACE_MS);
      await closed;
      clearTimeout(ending);
    },
  };
}

interface DashboardApp extends DashboardServerOptions {
  readonly port: number;
  readonly assets: DashboardAssets;
  readonly events: EventStreams;
}

function createDashboardApp(options: DashboardApp): Hono {
  const { port, assets, log } = options;
  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy,
      xFrameOptions: 'DENY',
      referrerPolicy: 'no-referrer',
      crossOriginResourcePolicy: 'same-origin',
      crossOriginOpenerPolicy: 'same-origin',
      // Plain HTTP on loopback: there is no HTTPS to pin.
      strictTransportSecurity: false,
    }),
  );
  app.use(requireOwnHost(port));
  app.use(requireOwnOrigin(port));
  app.use('/api/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  });
  app.use('/api/*', requireToken(options.token));
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => errorReply(c, new SkillsyncError('INVALID_INPUT', `The request body is larger than ${MAX_BODY_BYTES} bytes.`)),
    }),
  );
  app.route('/api', createApiRoutes(options));
  // Before the page's catch-all: an unknown API route is an error, not the page.
  app.all('/api/*', routeNotFound);
  // The page: its files by name, and index.html for every other path (the app routes on the client).
  app.get('*', (c) => {
    const asset = assets.get(c.req.path) ?? assets.get('/index.html');
    if (asset === undefined) {
      return errorReply(c, new SkillsyncError('DASHBOARD_NOT_BUILT', 'The dashboard page was not built into this install.'));
    }
    c.header('Content-Type', asset.contentType);
    c.header('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(asset.body);
  });
  app.notFound(routeNotFound);
  app.onError((error, c) => {
    const failure = toSkillsyncError(error);
    // Coded failures are the request's answer; an uncoded one is a bug worth its stack in the log (redacted like any message).
    if (failure.code === 'INTERNAL') log?.(`dashboard ${c.req.method} ${c.req.path} failed: ${failure.message}`, { stack: new SkillsyncError('INTERNAL', error.stack ?? '').message });
    return errorReply(c, failure);
  });
  return app;
}

function routeNotFound(c: Context): Response {
  return errorReply(c, new SkillsyncError('DASHBOARD_ROUTE_NOT_FOUND', `There is no ${c.req.method} ${c.req.path}.`));
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new SkillsyncError('DASHBOARD_LISTEN_FAILED', `Cannot serve the dashboard on ${HOST}:${port}: ${error.code ?? error.message}.`, {
          details: { host: HOST, port, reason: error.code },
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
