import { Client, InMemoryTransport, ProtocolError } from '@modelcontextprotocol/client';
import { connectorTarget, connectorTransport, type Env, landingScope, redactSecrets, SkillsyncError, type SkillsyncPaths, toSkillsyncError } from '@skillsync/core';
import { createGateway, GATEWAY_OWNER, NAMESPACE_SEPARATOR, serveGatewayStdio } from '@skillsync/runtime';
import { resolveServed, secretResolver } from '../../commands/serve.js';
import { prepareGovernance } from '../../gateway-governance.js';
import { readManifests, requireValidManifests } from '../../project.js';
import type { ConnectorCallReply, ConnectorsReply, ConnectorSummary, ConnectorToolsReply } from './api-types.js';
import { runCommand } from './run-command.js';

/** The client name the dashboard's calls carry in the audit log. */
const DASHBOARD_CLIENT = 'skillsync-dashboard';

/** A connector that does not start and list its tools within this is reported as failed. */
const CONNECT_TIMEOUT_MS = 15_000;
/** A test call that takes longer is abandoned (and the connector stopped). */
const CALL_TIMEOUT_MS = 30_000;

/** The connectors of both manifests, with where each stands in each client (`skillsync status`). */
export async function listConnectors(env: Env): Promise<ConnectorsReply> {
  const manifests = await readManifests(env);
  requireValidManifests(manifests);
  if (manifests.effective.connectors.length === 0) return { connectors: [], statusError: undefined };
  const status = await runCommand(env, 'status').catch((error: unknown) => toSkillsyncError(error));
  const items = status instanceof SkillsyncError ? [] : status.data.scopes.flatMap((scope) => scope.items.filter((item) => item.kind === 'connector'));
  const connectors = manifests.effective.connectors.map(({ name, connector, source }): ConnectorSummary => {
    const transport = connectorTransport(connector);
    return {
      name,
      scope: landingScope(source),
      manifest: source.file,
      transport,
      target: redactSecrets(connectorTarget(connector)),
      enabled: connector.enabled !== false,
      envNames: Object.keys(connector.env ?? {}).sort(),
      headerNames: Object.keys(connector.headers ?? {}).sort(),
      tools: connector.tools,
      clients: items
        .filter((item) => item.name === name && item.scope === landingScope(source))
        .map((item) => ({ client: item.client, scope: item.scope, status: item.status, ...(item.detail === undefined ? {} : { detail: item.detail }) })),
    };
  });
  return { connectors, statusError: status instanceof SkillsyncError ? status.toJSON() : undefined };
}

export interface ConnectorProbe {
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  readonly connector: string;
}

/** The tools the connector offers (through its allow-list and the policies), listed live. */
export function listConnectorTools(probe: ConnectorProbe): Promise<ConnectorToolsReply> {
  return withConnector(probe, async (client) => {
    const { tools } = await client.listTools(undefined, { timeout: CONNECT_TIMEOUT_MS });
    const ownPrefix = `${GATEWAY_OWNER}${NAMESPACE_SEPARATOR}`;
    return {
      connector: probe.connector,
      tools: tools
        .filter((tool) => !tool.name.startsWith(ownPrefix))
        .map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema })),
    };
  });
}

/** One call of one tool, as a client would make it through the gateway: authorized, redacted and audited. */
export function callConnectorTool(probe: ConnectorProbe, tool: string, args: Readonly<Record<string, unknown>>): Promise<ConnectorCallReply> {
  return withConnector(probe, async (client, now) => {
    const started = now();
    try {
      const result = await client.callTool({ name: tool, arguments: { ...args } }, { timeout: CALL_TIMEOUT_MS });
      return {
        connector: probe.connector,
        tool,
        isError: result.isError === true,
        content: Array.isArray(result.content) ? result.content : [],
        ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent }),
        elapsedMs: now() - started,
      };
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw new SkillsyncError('CONNECTOR_CALL_FAILED', `${probe.connector}: calling ${tool} failed: ${error.message}`, { details: { connector: probe.connector, tool, code: error.code } });
    }
  });
}

/**
 * Starts the one connector behind a gateway of its own, with the served scopes'
 * policies, redaction and audit log and its secrets injected (as `skillsync serve`
 * does), connects an MCP client to it in memory, and stops it all afterwards.
 */
async function withConnector<T>(probe: ConnectorProbe, use: (client: Client, now: () => number) => Promise<T>): Promise<T> {
  const { env, paths, connector } = probe;
  const served = await resolveServed(env, undefined, [connector]);
  const governance = prepareGovernance({
    env,
    paths,
    scopes: served.scopes,
    config: served.gateway,
    audit: true,
    warn: () => undefined,
    verbose: () => undefined,
  });
  const gateway = createGateway({
    connectors: served.connectors,
    env,
    resolveSecret: secretResolver(env),
    client: DASHBOARD_CLIENT,
    ...governance.hooks,
    namespace: 'auto',
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    requestTimeoutMs: CALL_TIMEOUT_MS,
  });
  try {
    const [started, opened] = await Promise.allSettled([gateway.start(), governance.open()]);
    if (opened.status === 'rejected') throw opened.reason;
    if (started.status === 'rejected') throw started.reason;
    const failed = started.value.find((status) => status.name === connector)?.error;
    if (failed !== undefined) throw new SkillsyncError(failed.code, failed.message, { hint: failed.hint, details: failed.details });
    const [clientSide, gatewaySide] = InMemoryTransport.createLinkedPair();
    const serving = serveGatewayStdio(gateway, { transport: gatewaySide });
    const client = new Client({ name: DASHBOARD_CLIENT, version: '1.0.0' });
    try {
      await client.connect(clientSide);
      return await use(client, () => env.now().getTime());
    } finally {
      await client.close().catch(() => undefined);
      await serving.close();
    }
  } finally {
    await gateway.close();
    await governance.close();
  }
}
