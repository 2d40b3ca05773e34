import { KNOWN_CLIENT_IDS, type Env, type SkillsyncPaths } from '@skillsync/core';
import { Hono } from 'hono';
import { z } from 'zod';
import type { DaemonController } from '../contract.js';
import type { AdoptReply, AdoptRequest, DraftRequest, RepairRequest, SyncRequest, WhatIfRequest } from './api-types.js';
import { callConnectorTool, listConnectors, listConnectorTools } from './connectors.js';
import { adoptConnector, driftReport } from './drift.js';
import type { EventStreams } from './event-stream.js';
import { readBody, readParam, readQuery } from './http-errors.js';
import { createOrgRoutes } from './org-routes.js';
import { activePolicies, whatIf } from './policies.js';
import { runCommand } from './run-command.js';
import { checkSkillDraft, createSkill } from './skill-drafts.js';
import { skillsReport } from './skills.js';

export interface ApiContext {
  readonly controller: DaemonController;
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  readonly events: EventStreams;
}

const name = z.string().min(1).max(200);
const scope = z.enum(['user', 'project']);
const client = z.enum(KNOWN_CLIENT_IDS);
const names = z.array(name).max(50);

// Each schema is held to its request type in api-types.ts, which the page sends.
const syncRequest: z.ZodType<SyncRequest> = z.strictObject({ clients: z.array(client).max(KNOWN_CLIENT_IDS.length).optional() });
const repairRequest: z.ZodType<RepairRequest> = z.strictObject({ client });
const adoptRequest: z.ZodType<AdoptRequest> = z.strictObject({ scope, client, name });
const auditQuery = z.strictObject({
  since: z.string().max(64).optional(),
  until: z.string().max(64).optional(),
  connector: name.optional(),
  client: name.optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  limit: z.string().regex(/^[1-9]\d{0,3}$/, 'must be a whole number from 1 to 9999').optional(),
});
const importQuery = z.strictObject({ scope: scope.optional() });
const toolCall = z.strictObject({ tool: name, arguments: z.record(z.string(), z.unknown()).default({}) });
const whatIfRequest: z.ZodType<WhatIfRequest> = z.strictObject({ user: name, teams: names.optional(), roles: names.optional(), connector: name, tool: name, client: name });
const draftRequest: z.ZodType<DraftRequest> = z.strictObject({
  draft: z.strictObject({
    name: z.string().max(200),
    description: z.string().max(4096),
    extra: z.record(z.string().max(200), z.unknown()).optional(),
    body: z.string().max(512 * 1024),
  }),
  scope,
});

/**
 * Every `/api` route. GETs only read; everything that changes something (a sync, an
 * adoption, an import, a new skill, a connector started for a test) is a POST with a
 * JSON body checked against its schema; what writes the manifest runs in the daemon's
 * queue (`exclusive`), never beside one of its checks. Routes that answer a CLI
 * command's data run it in-process (`runCommand`), so the page and `--json` never disagree.
 */
export function createApiRoutes(context: ApiContext): Hono {
  const { controller, env, paths } = context;
  const api = new Hono();
  api
    .get('/daemon', (c) => c.json(controller.status()))
    .post('/daemon/pause', (c) => {
      controller.pause();
      return c.json(controller.status());
    })
    .post('/daemon/resume', (c) => {
      controller.resume();
      return c.json(controller.status());
    })
    .post('/daemon/sync', async (c) => {
      const { clients } = await readBody(c, syncRequest);
      return c.json(await controller.syncNow('api', clients));
    })
    .get('/events', (c) => context.events.handle(c))
    .get('/status', async (c) => c.json(await runCommand(env, 'status')))
    .get('/clients', async (c) => c.json(await runCommand(env, 'clients')))
    .get('/skills', async (c) => c.json(await skillsReport(env)))
    .get('/connectors', async (c) => c.json(await listConnectors(env)))
    .post('/connectors/:name/tools', async (c) => c.json(await listConnectorTools({ env, paths, connector: readParam(c, 'name', name) })))
    .post('/connectors/:name/call', async (c) => {
      const call = await readBody(c, toolCall);
      return c.json(await callConnectorTool({ env, paths, connector: readParam(c, 'name', name) }, call.tool, call.arguments));
    })
    .get('/drift', async (c) => c.json(await driftReport(env)))
    .post('/drift/repair', async (c) => {
      const request = await readBody(c, repairRequest);
      return c.json(await controller.syncNow('api', [request.client]));
    })
    .post('/drift/adopt', async (c) => {
      const request = await readBody(c, adoptRequest);
      const reply = await controller.exclusive(async (syncNow): Promise<AdoptReply> => {
        const outcome = await adoptConnector(env, paths, request);
        return outcome.adopted ? { ...outcome, sync: await syncNow('api') } : outcome;
      });
      return c.json(reply);
    })
    .get('/audit', async (c) => c.json(await runCommand(env, 'audit', { options: readQuery(c, auditQuery) })))
    .get('/audit/verify', async (c) => c.json(await runCommand(env, 'audit verify')))
    .get('/policies', async (c) => c.json(await activePolicies(env, paths)))
    .post('/policies/what-if', async (c) => c.json(await whatIf(env, paths, await readBody(c, whatIfRequest))))
    .get('/import', async (c) => c.json(await runCommand(env, 'import', { options: { ...readQuery(c, importQuery), 'dry-run': true } })))
    .post('/import', async (c) => {
      const options = await readBody(c, importQuery);
      return c.json(await controller.exclusive(() => runCommand(env, 'import', { options })));
    })
    .post('/builder/check', async (c) => c.json(await checkSkillDraft(env, await readBody(c, draftRequest))))
    .post('/builder/create', async (c) => {
      const request = await readBody(c, draftRequest);
      return c.json(await controller.exclusive((syncNow) => createSkill(env, paths, { ...controller, syncNow }, request)));
    })
    .route('/org', createOrgRoutes(env));
  return api;
}
