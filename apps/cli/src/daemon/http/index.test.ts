import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, skillsyncPaths } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DaemonController, DaemonEvent, DaemonStatus, SyncRunSummary } from '../contract.js';
import { startDashboardServer, type DashboardServer } from './index.js';

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuv';

interface Recorded extends DaemonController {
  readonly calls: string[];
  emit(event: DaemonEvent): void;
}

function recordingController(): Recorded {
  const listeners = new Set<(event: DaemonEvent) => void>();
  const calls: string[] = [];
  let paused = false;
  const status = (): DaemonStatus => ({
    health: paused ? 'paused' : 'in-sync',
    pid: process.pid,
    startedAt: '2026-01-01T00:00:00.000Z',
    url: undefined,
    paused,
    watching: 3,
    settings: { onDrift: { connector: 'repair', skill: 'repair', instructions: 'notify' }, settleMs: 200 },
    drift: [],
    lastSync: undefined,
    error: undefined,
    detected: [],
  });
  const syncNow: DaemonController['syncNow'] = (trigger, clients) => {
    calls.push(`syncNow:${trigger}:${(clients ?? []).join(',')}`);
    return Promise.resolve<SyncRunSummary>({ at: '2026-01-01T00:00:01.000Z', trigger, ok: true, written: 1, runIds: ['run-1'] });
  };
  return {
    calls,
    emit: (event) => {
      for (const listener of listeners) listener(event);
    },
    status,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    syncNow,
    exclusive: async (task) => {
      calls.push('exclusive');
      const result = await task(syncNow);
      calls.push('exclusive done');
      return result;
    },
    pause: () => {
      calls.push('pause');
      paused = true;
    },
    resume: () => {
      calls.push('resume');
      paused = false;
    },
    stop: () => Promise.resolve(),
  };
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** node:http, not fetch: a test must be able to send any Host header. */
function send(server: DashboardServer, target: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const url = new URL(target, server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = { Authorization: `Bearer ${TOKEN}` };
const json = { ...auth, 'Content-Type': 'application/json' };
const codeOf = (reply: Reply): unknown => (JSON.parse(reply.body) as { error?: { code?: string } }).error?.code;

describe('the dashboard server', () => {
  let root: string;
  let assets: string;
  let controller: Recorded;
  let server: DashboardServer;

  beforeEach(async () => {
    root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'skillsync-dashboard-')));
    assets = path.join(root, 'dashboard');
    await mkdir(path.join(assets, 'assets'), { recursive: true });
    await writeFile(path.join(assets, 'index.html'), '<!doctype html><title>skillsync</title>');
    await writeFile(path.join(assets, 'assets', 'index-abc.js'), 'console.log(1)');
    await writeFile(path.join(assets, '.inputs-sha256'), 'stamp');
    const env = createEnv({ home: path.join(root, 'home'), cwd: root, vars: { SKILLSYNC_HOME: path.join(root, 'skillsync') } });
    controller = recordingController();
    server = await startDashboardServer({ controller, env, paths: skillsyncPaths(env), token: TOKEN, assetsDir: assets });
  });

  afterEach(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('answers /api only with the token, compared whole', async () => {
    expect((await send(server, '/api/daemon', { headers: auth })).status).toBe(200);
    // The scheme is case-insensitive (RFC 9110), as the gateway's check has it.
    expect((await send(server, '/api/daemon', { headers: { Authorization: `bearer ${TOKEN}` } })).status).toBe(200);
    const wrong: Record<string, string>[] = [{}, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }, { Authorization: TOKEN }, { Authorization: `Basic ${TOKEN}` }];
    for (const headers of wrong) {
      const reply = await send(server, '/api/daemon', { headers });
      expect(reply.status).toBe(401);
      expect(codeOf(reply)).toBe('DASHBOARD_UNAUTHORIZED');
    }
    // The token in the query string is not a way in either.
    expect((await send(server, `/api/daemon?token=${TOKEN}`)).status).toBe(401);
  });

  it('answers only to its loopback names (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) expect((await send(server, '/api/daemon', { headers: { ...auth, Host: host } })).status).toBe(200);
    for (const host of [`evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`, 'localhost', `127.0.0.1.evil.example:${port}`]) {
      const reply = await send(server, '/api/daemon', { headers: { ...auth, Host: host } });
      expect(reply.status).toBe(403);
      expect(codeOf(reply)).toBe('DASHBOARD_HOST_REFUSED');
      expect((await send(server, '/', { headers: { Host: host } })).status).toBe(403);
    }
  });

  it('refuses other sites and never sends a CORS header', async () => {
    const own = `http://localhost:${new URL(server.url).port}`;
    const ok = await send(server, '/api/daemon/pause', { method: 'POST', headers: { ...json, Origin: own }, body: '{}' });
    expect(ok.status).toBe(200);
    const refused = await send(server, '/api/daemon/resume', { method: 'POST', headers: { ...json, Origin: 'http://evil.example' }, body: '{}' });
    expect(refused.status).toBe(403);
    expect(controller.calls).toEqual(['pause']);
    const preflight = await send(server, '/api/daemon/sync', { method: 'OPTIONS', headers: { Origin: own, 'Access-Control-Request-Method': 'POST' } });
    for (const reply of [ok, refused, preflight]) {
      expect(Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('changes state only on POST', async () => {
    const get = await send(server, '/api/daemon/pause', { headers: auth });
    expect(get.status).toBe(404);
    expect(codeOf(get)).toBe('DASHBOARD_ROUTE_NOT_FOUND');
    expect(controller.calls).toEqual([]);
    const post = await send(server, '/api/daemon/pause', { method: 'POST', headers: json, body: '{}' });
    expect((JSON.parse(post.body) as DaemonStatus).paused).toBe(true);
    expect(controller.calls).toEqual(['pause']);
  });

  it('imports on POST only: GET /api/import is the dry run', async () => {
    await mkdir(path.join(root, 'home', '.cursor'), { recursive: true });
    await writeFile(path.join(root, 'home', '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { notes: { command: 'npx', args: ['notes-mcp'] } } }));
    const manifest = path.join(root, 'skillsync', 'config', 'skillsync.yaml');
    const preview = await send(server, '/api/import', { headers: auth });
    expect(preview.status).toBe(200);
    const planned = JSON.parse(preview.body) as { data: { dryRun: boolean; connectors: { name: string }[] } };
    expect(planned.data.dryRun).toBe(true);
    expect(planned.data.connectors.map((connector) => connector.name)).toEqual(['notes']);
    await expect(readFile(manifest, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    const applied = await send(server, '/api/import', { method: 'POST', headers: json, body: '{}' });
    expect(applied.status).toBe(200);
    expect(await readFile(manifest, 'utf8')).toContain('notes:');
    // Written in the daemon's queue, never beside one of its checks.
    expect(controller.calls).toEqual(['exclusive', 'exclusive done']);
  });

  it('checks every body against its schema before acting', async () => {
    const refused = [
      { body: 'not json', code: 'INVALID_INPUT' },
      { body: '{"client":"not-a-client"}', code: 'INVALID_INPUT' },
      { body: '{"client":"cursor","extra":1}', code: 'INVALID_INPUT' },
      { body: '[]', code: 'INVALID_INPUT' },
    ];
    for (const { body, code } of refused) {
      const reply = await send(server, '/api/drift/repair', { method: 'POST', headers: json, body });
      expect(reply.status).toBe(400);
      expect(codeOf(reply)).toBe(code);
    }
    expect(controller.calls).toEqual([]);
    const repaired = await send(server, '/api/drift/repair', { method: 'POST', headers: json, body: '{"client":"cursor"}' });
    expect(repaired.status).toBe(200);
    expect(controller.calls).toEqual(['syncNow:api:cursor']);
  });

  it('refuses a body over the limit unread', async () => {
    const reply = await send(server, '/api/daemon/sync', { method: 'POST', headers: json, body: `{"clients":[],"pad":"${'x'.repeat(1024 * 1024)}"}` });
    expect(reply.status).toBe(400);
    expect(codeOf(reply)).toBe('INVALID_INPUT');
    expect(controller.calls).toEqual([]);
  });

  it('sends a strict CSP and no-store on the API', async () => {
    for (const target of ['/', '/api/daemon']) {
      const reply = await send(server, target, { headers: auth });
      const csp = String(reply.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
    }
    expect((await send(server, '/api/daemon', { headers: auth })).headers['cache-control']).toBe('no-store');
  });

  it('serves the built page: its files, index.html for its routes, never a dot file', async () => {
    const script = await send(server, '/assets/index-abc.js');
    expect(script.body).toBe('console.log(1)');
    expect(script.headers['content-type']).toContain('text/javascript');
    expect(script.headers['cache-control']).toContain('immutable');
    for (const page of ['/', '/drift', '/builder']) {
      const reply = await send(server, page);
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('<title>skillsync</title>');
    }
    expect((await send(server, '/.inputs-sha256')).body).not.toBe('stamp');
    expect((await send(server, '/../index.test.ts')).body).toContain('<title>skillsync</title>');
  });

  it('says the page is missing when it was not built, and still serves the API', async () => {
    const env = createEnv({ home: root, cwd: root });
    const bare = await startDashboardServer({ controller, env, paths: skillsyncPaths(env), token: TOKEN, assetsDir: path.join(root, 'nowhere') });
    try {
      const page = await send(bare, '/');
      expect(page.status).toBe(503);
      expect(codeOf(page)).toBe('DASHBOARD_NOT_BUILT');
      expect((await send(bare, '/api/daemon', { headers: auth })).status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it('streams the status, then every event, until the server closes', async () => {
    const events: string[] = [];
    const stream = new Promise<void>((resolve, reject) => {
      const req = httpRequest(new URL('/api/events', server.url), { headers: auth }, (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        res.setEncoding('utf8').on('data', (chunk: string) => {
          events.push(chunk);
          if (events.join('').includes('event: status')) controller.emit({ type: 'changed', paths: ['/x/.cursor/mcp.json'] });
        });
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    await expect.poll(() => events.join('')).toContain('event: changed');
    const text = events.join('');
    expect(text.indexOf('event: status')).toBeLessThan(text.indexOf('event: changed'));
    expect(text).toContain('"paths":["/x/.cursor/mcp.json"]');
    await server.close();
    await stream;
  });
});
