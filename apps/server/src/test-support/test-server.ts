// A server for tests, in-process, on either engine: SQLite in memory, or PostgreSQL in a
// fresh schema of the test database. Tests call the app with `app.request` (no socket)
// and make members and tokens straight in the database, so a test of one route does not
// depend on the others.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv } from '@skillsync/core';
import type { Role, TokenScope } from '@skillsync/registry';
import { createTestSchema, type TestSchema } from '@skillsync/state/test-support';
import type { Hono } from 'hono';
import { createServerApp, type ServerLogger } from '../http/app.js';
import { insertApiToken } from '../identity/api-tokens.js';
import { initOrg } from '../init-org.js';
import { openServerContext, type OpenServerContext, type OpenServerOptions } from '../open-server.js';
import { serverRouteModules } from '../route-modules.js';
import type { RouteModule, ServerEnv } from '../server-context.js';

export type ServerEngine = 'sqlite' | 'postgres';
export const SERVER_ENGINES: readonly ServerEngine[] = ['sqlite', 'postgres'];

export interface TestServerOptions extends Pick<OpenServerOptions, 'limits' | 'now' | 'blobs' | 'auditFlushDelayMs' | 'auditRetentionDays'> {
  readonly modules?: readonly RouteModule[];
  readonly logger?: ServerLogger;
  /** PostgreSQL only: the database to make the schema in. Default the test database. */
  readonly postgresUrl?: string;
}

export interface CallOptions {
  readonly token?: string;
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface TestOrg {
  readonly org: string;
  /** The owner's admin-scoped token. */
  readonly ownerToken: string;
  /**
   * Adds `user` to the org with `role` (and to teams, creating them) and returns a token
   * of theirs with `scopes` (default admin: everything the role allows).
   */
  member(user: string, role: Role, options?: { readonly teams?: Readonly<Record<string, Role>>; readonly scopes?: readonly TokenScope[]; readonly expiresInDays?: number }): Promise<string>;
}

export interface TestServer {
  readonly engine: ServerEngine;
  readonly context: OpenServerContext;
  readonly app: Hono<ServerEnv>;
  call(method: string, urlPath: string, options?: CallOptions): Promise<Response>;
  /** A new org with a fresh name (tests share the database) and its owner `owner`. */
  newOrg(owner?: string): Promise<TestOrg>;
  close(): Promise<void>;
}

let orgCounter = 0;

export async function openTestServer(engine: ServerEngine, options: TestServerOptions = {}): Promise<TestServer> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'skillsync-server-'));
  const env = createEnv({ home, cwd: home });
  let schema: TestSchema | undefined;
  let context: OpenServerContext;
  try {
    schema = engine === 'postgres' ? await createTestSchema(options.postgresUrl) : undefined;
    context = await openServerContext({
      env,
      database: schema === undefined ? ':memory:' : schema.url,
      ...(schema === undefined ? {} : { schema: schema.schema }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.blobs === undefined ? {} : { blobs: options.blobs }),
      ...(options.auditFlushDelayMs === undefined ? {} : { auditFlushDelayMs: options.auditFlushDelayMs }),
      ...(options.auditRetentionDays === undefined ? {} : { auditRetentionDays: options.auditRetentionDays }),
    });
  } catch (error) {
    await schema?.drop();
    await rm(home, { recursive: true, force: true });
    throw error;
  }
  const app = createServerApp(context, options.modules ?? serverRouteModules, options.logger === undefined ? {} : { logger: options.logger });

  const call = (method: string, urlPath: string, callOptions: CallOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...callOptions.headers };
    if (callOptions.token !== undefined) headers.authorization = `Bearer ${callOptions.token}`;
    if (callOptions.body !== undefined) headers['content-type'] = 'application/json';
    return Promise.resolve(app.request(urlPath, { method, headers, ...(callOptions.body === undefined ? {} : { body: JSON.stringify(callOptions.body) }) }));
  };

  const newOrg = async (owner = 'olivia'): Promise<TestOrg> => {
    orgCounter += 1;
    const org = `org-${process.pid}-${orgCounter}`;
    const created = await initOrg(context, { org, owner });
    return {
      org,
      ownerToken: created.token.token,
      member: async (user, role, memberOptions = {}) => {
        const now = context.now();
        const at = now.toISOString();
        await context.db.insertInto('users').values({ user, created_at: at }).onConflict((conflict) => conflict.column('user').doNothing()).execute();
        await context.db.insertInto('org_members').values({ org, user, role, created_at: at }).execute();
        for (const [team, teamRole] of Object.entries(memberOptions.teams ?? {})) {
          await context.db.insertInto('teams').values({ org, team, description: null, created_at: at }).onConflict((conflict) => conflict.columns(['org', 'team']).doNothing()).execute();
          await context.db.insertInto('team_members').values({ org, team, user, role: teamRole }).execute();
        }
        const token = await insertApiToken(context.db, {
          org,
          user,
          name: `${user} (test)`,
          scopes: memberOptions.scopes ?? ['admin'],
          expiresInDays: memberOptions.expiresInDays ?? 30,
          now,
        });
        return token.token;
      },
    };
  };

  return {
    engine,
    context,
    app,
    call,
    newOrg,
    close: async () => {
      await context.close();
      await schema?.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
}
