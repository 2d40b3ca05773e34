import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  inputRequired,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  UriTemplate,
  type CallToolResult,
  type ClientCapabilities,
  type GetPromptResult,
  type InputRequiredResult,
  type Progress,
  type Prompt,
  type ReadResourceResult,
  type RequestOptions,
  type Resource,
  type ResourceTemplateType,
  type Result,
  type ServerContext,
  type StandardSchemaV1,
  type Tool,
} from '@modelcontextprotocol/server';
import { SkillsyncError, type ConnectorDefinition, type Env } from '@skillsync/core';
import type { ResolveSecret } from './connector-launch.js';
import {
  allowAll,
  digestArguments,
  type AuditOutcome,
  type AuditRecord,
  type AuditSink,
  type AuthorizationDecision,
  type Authorize,
  type GatewayAction,
  type GatewayResourceType,
  type Principal,
  type Redaction,
  type RedactionFinding,
} from './hooks.js';
import { connectorNameProblem, namespacedName } from './namespacing.js';
import { LowLevelServer, sendLog, type LogMessageParams } from './sdk.js';
import { SecretScrubber } from './secret-scrub.js';
import { Upstream, type ConnectorStatus, type ListKind, type RoutedMethod, type UpstreamHost } from './upstream.js';

export interface GatewayOptions {
  /** The resolved connector map (name → definition); disabled ones (`enabled: false`) are skipped. */
  readonly connectors: Readonly<Record<string, ConnectorDefinition>>;
  /** `vars` feed `${env:NAME}` and the children's inherited variables; `cwd` anchors relative `cwd`s. */
  readonly env: Env;
  /** Looks up `${secret:NAME}`; without it, every secret reference is missing. */
  readonly resolveSecret?: ResolveSecret;
  /** Who the gateway acts for (default: the `USER`/`USERNAME` variable, else `local`). */
  readonly principal?: Principal;
  /** The AI client served, for the audit context (default: the name the client gives itself). */
  readonly client?: string;
  // ── governance wiring points (`skillsync serve` passes the real ones) ──
  /** Default: allow everything. */
  readonly authorize?: Authorize;
  /** Default: no redaction. */
  readonly redaction?: Redaction;
  /** Default: no audit. */
  readonly audit?: AuditSink;
  /** Recorded in each audit record. */
  readonly policyVersion?: string;
  // ── timing ──
  /** Per upstream request; reset by each progress notification. Default 60 s. */
  readonly requestTimeoutMs?: number;
  /** Start-up of one connector (spawn or connect, handshake, lists). Default 30 s. */
  readonly connectTimeoutMs?: number;
  /** How long an elicitation or sampling round may wait for the person. Default 10 min. */
  readonly inputTimeoutMs?: number;
  /** Connection events, for the CLI to render (stderr lines and errors are already scrubbed of secrets). */
  readonly onEvent?: (event: GatewayEvent) => void;
  readonly serverInfo?: { readonly name: string; readonly version: string };
}

export type GatewayEvent =
  | { readonly kind: 'connector-ready'; readonly connector: string; readonly status: ConnectorStatus }
  | { readonly kind: 'connector-failed'; readonly connector: string; readonly error: SkillsyncError }
  | { readonly kind: 'connector-stderr'; readonly connector: string; readonly line: string }
  | { readonly kind: 'list-changed'; readonly connector: string; readonly lists: readonly ListKind[] }
  | { readonly kind: 'resource-clash'; readonly uri: string; readonly kept: string; readonly hidden: string }
  | { readonly kind: 'session-opened'; readonly session: string; readonly era: DownstreamEra; readonly transport: DownstreamTransport }
  | { readonly kind: 'session-closed'; readonly session: string }
  | { readonly kind: 'request-refused'; readonly connector: string; readonly method: string; readonly reason: string }
  | { readonly kind: 'hook-failed'; readonly hook: 'authorize' | 'redact' | 'audit'; readonly message: string };

export type DownstreamEra = 'legacy' | 'modern';
export type DownstreamTransport = 'stdio' | 'http' | 'memory';

export interface CreateServerOptions {
  readonly era: DownstreamEra;
  readonly transport: DownstreamTransport;
  /**
   * Whether list changes are pushed to this instance (`notifications/*\/list_changed`). False
   * for the per-request instances of the stateless HTTP era, whose changes go through
   * `onListChanged` to the handler's `subscriptions/listen` streams instead.
   */
  readonly broadcast?: boolean;
}

export interface Gateway {
  /** Starts every enabled connector, in parallel. Resolves when each is ready or failed; never rejects for one connector. */
  start(): Promise<readonly ConnectorStatus[]>;
  status(): readonly ConnectorStatus[];
  /**
   * A downstream MCP server instance (the SDK's low-level `Server`) for one client
   * session. The serving entries (`serveGatewayStdio`, `serveGatewayHttp`) call it; tests
   * may connect one to a transport of their own.
   */
  createServer(options: CreateServerOptions): LowLevelServer;
  /** Called with the list that changed, after every instance that takes pushes was told. */
  onListChanged(listener: (kind: ListKind) => void): () => void;
  /** Ends every connector (stdio children included) and forgets the sessions. */
  close(): Promise<void>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_INPUT_TIMEOUT_MS = 600_000;

const CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { listChanged: true },
  completions: {},
  logging: {},
} as const;

interface ToolRoute {
  readonly upstream: Upstream;
  readonly name: string;
  readonly listed: Tool;
}

interface PromptRoute {
  readonly upstream: Upstream;
  readonly name: string;
  readonly listed: Prompt;
}

interface TemplateRoute {
  readonly upstream: Upstream;
  readonly template: UriTemplate;
  readonly listed: ResourceTemplateType;
}

interface Catalog {
  readonly tools: ReadonlyMap<string, ToolRoute>;
  readonly prompts: ReadonlyMap<string, PromptRoute>;
  readonly resources: ReadonlyMap<string, { readonly upstream: Upstream; readonly listed: Resource }>;
  readonly templates: readonly TemplateRoute[];
}

/** One downstream client connection (or, in the stateless HTTP era, one request). */
interface Session {
  readonly id: string;
  readonly era: DownstreamEra;
  readonly server: LowLevelServer;
  readonly broadcast: boolean;
}

/**
 * The downstream side of one call while it waits on its upstream: the gateway routes an
 * upstream's elicitation or sampling request here, and progress goes back through it.
 */
interface DownstreamCall {
  readonly session: Session;
  readonly signal: AbortSignal;
  capabilities(): ClientCapabilities | undefined;
  clientName(): string | undefined;
  progress(progress: Progress): void;
  requestInput(method: RoutedMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Result>;
}

/**
 * Creates the gateway: connects to every enabled connector of `options.connectors`,
 * exposes their tools and prompts as `<connector>__<name>` and their resources by URI,
 * asks `authorize` before each call and for each listed item, passes results through
 * `redaction`, and appends every decision and call to `audit`.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const env = options.env;
  const scrubber = new SecretScrubber();
  const authorize = options.authorize ?? allowAll;
  const principal: Principal = options.principal ?? { user: env.vars.USER ?? env.vars.USERNAME ?? 'local' };
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const inputTimeoutMs = options.inputTimeoutMs ?? DEFAULT_INPUT_TIMEOUT_MS;
  const serverInfo = options.serverInfo ?? { name: 'skillsync', version: '0.0.0' };
  const emit = (event: GatewayEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A renderer failure must not break the protocol.
    }
  };

  const sessions = new Set<Session>();
  const listeners = new Set<(kind: ListKind) => void>();
  const inflight = new Map<string, Set<DownstreamCall>>();
  const pending = new Map<string, PendingCall>();
  let catalog: Catalog | undefined;
  let closed = false;
  const reportedClashes = new Set<string>();

  const host: UpstreamHost = {
    env,
    resolveSecret: options.resolveSecret ?? (() => Promise.resolve(undefined)),
    scrubber,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    clientInfo: { name: `${serverInfo.name}-gateway`, version: serverInfo.version },
    changed: (upstream, kinds) => {
      catalog = undefined;
      emit({ kind: 'list-changed', connector: upstream.name, lists: kinds });
      for (const kind of kinds) broadcast(kind);
    },
    failed: (upstream, error) => {
      catalog = undefined;
      emit({ kind: 'connector-failed', connector: upstream.name, error });
    },
    log: (upstream, params) => void forwardLog(upstream, params),
    stderr: (upstream, line) => { emit({ kind: 'connector-stderr', connector: upstream.name, line }); },
    route: (upstream, method, params, signal) => routeUpstreamRequest(upstream, method, params, signal),
  };

  const upstreams: Upstream[] = [];
  const invalid: { name: string; error: SkillsyncError }[] = [];
  for (const name of Object.keys(options.connectors).sort(byteOrder)) {
    const definition = options.connectors[name];
    if (definition === undefined || definition.enabled === false) continue;
    const problem = connectorNameProblem(name);
    if (problem !== undefined) {
      invalid.push({
        name,
        error: new SkillsyncError('GATEWAY_CONNECTOR_NAME_INVALID', `Connector ${name} cannot be served through the gateway: ${problem}.`, { details: { connector: name } }),
      });
      continue;
    }
    upstreams.push(new Upstream(name, definition, host));
  }

  // ── catalog ────────────────────────────────────────────────────────────────

  function currentCatalog(): Catalog {
    if (catalog !== undefined) return catalog;
    const tools = new Map<string, ToolRoute>();
    const prompts = new Map<string, PromptRoute>();
    const resources = new Map<string, { upstream: Upstream; listed: Resource }>();
    const templates: TemplateRoute[] = [];
    const seenTemplates = new Set<string>();
    // Upstreams are in byte order of their names, so a clash always resolves the same way.
    for (const upstream of upstreams) {
      if (upstream.state !== 'ready') continue;
      for (const tool of upstream.tools) {
        const exposed = namespacedName(upstream.name, tool.name);
        tools.set(exposed, { upstream, name: tool.name, listed: { ...tool, name: exposed } });
      }
      for (const prompt of upstream.prompts) {
        const exposed = namespacedName(upstream.name, prompt.name);
        prompts.set(exposed, { upstream, name: prompt.name, listed: { ...prompt, name: exposed } });
      }
      for (const resource of upstream.resources) {
        const kept = resources.get(resource.uri);
        if (kept !== undefined) {
          const key = JSON.stringify([resource.uri, kept.upstream.name, upstream.name]);
          if (kept.upstream !== upstream && !reportedClashes.has(key)) {
            reportedClashes.add(key);
            emit({ kind: 'resource-clash', uri: resource.uri, kept: kept.upstream.name, hidden: upstream.name });
          }
          continue;
        }
        resources.set(resource.uri, { upstream, listed: resource });
      }
      for (const listed of upstream.templates) {
        let template: UriTemplate;
        try {
          template = new UriTemplate(listed.uriTemplate);
        } catch {
          continue;
        }
        if (seenTemplates.has(listed.uriTemplate)) continue;
        seenTemplates.add(listed.uriTemplate);
        templates.push({ upstream, template, listed });
      }
    }
    catalog = { tools, prompts, resources, templates };
    return catalog;
  }

  function resourceRoute(uri: string): Upstream | undefined {
    const current = currentCatalog();
    const listed = current.resources.get(uri);
    if (listed !== undefined) return listed.upstream;
    for (const route of current.templates) if (route.template.match(uri) !== null) return route.upstream;
    return undefined;
  }

  // ── notifications to the downstream side ──────────────────────────────────

  function broadcast(kind: ListKind): void {
    for (const session of sessions) {
      if (!session.broadcast) continue;
      const server = session.server;
      const send =
        kind === 'tools' ? server.sendToolListChanged() : kind === 'prompts' ? server.sendPromptListChanged() : server.sendResourceListChanged();
      send.catch(() => {
        // The session is closing or not initialised yet; it reads the new list when it asks.
      });
    }
    for (const listener of listeners) {
      try {
        listener(kind);
      } catch {
        // One listener must not stop the others.
      }
    }
  }

  async function forwardLog(upstream: Upstream, params: LogMessageParams): Promise<void> {
    let data: unknown = scrubber.scrub(params.data);
    if (options.redaction !== undefined) {
      const redacted = await runRedaction(data);
      if (redacted === undefined || (options.redaction.mode === 'block' && redacted.findings.length > 0)) return;
      data = redacted.value;
    }
    const logger = params.logger === undefined ? upstream.name : `${upstream.name}/${params.logger}`;
    for (const session of sessions) {
      if (!session.broadcast || session.era !== 'legacy') continue;
      sendLog(session.server, { level: params.level, logger, data }, session.server.transport?.sessionId).catch(() => undefined);
    }
  }

  // ── routing upstream requests (elicitation, sampling) back to the caller ──

  async function routeUpstreamRequest(upstream: Upstream, method: RoutedMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Result> {
    const calls = [...(inflight.get(upstream.name) ?? [])];
    const refuse = (reason: string): never => {
      emit({ kind: 'request-refused', connector: upstream.name, method, reason });
      throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `skillsync gateway refused ${method} from ${upstream.name}: ${reason}`);
    };
    if (calls.length === 0) return refuse('no request of a client is in progress on this connector to route it to');
    const owners = new Set(calls.map((call) => call.session));
    if (owners.size > 1) {
      return refuse('requests of several client sessions are in progress on this connector, so the one that caused it cannot be told apart; it was refused rather than risk asking the wrong client');
    }
    // The newest call of that one session (any of them reaches the same client).
    const call = calls.at(-1);
    if (call === undefined) return refuse('no request in progress');
    const capabilities = call.capabilities();
    const client = call.clientName() ?? options.client ?? 'the client';
    if (method === 'elicitation/create') {
      const mode = params.mode === 'url' ? 'url' : 'form';
      const elicitation = capabilities?.elicitation;
      const supported = elicitation !== undefined && (mode === 'form' ? elicitation.url === undefined || elicitation.form !== undefined || Object.keys(elicitation).length === 0 : elicitation.url !== undefined);
      if (!supported) return refuse(`${client} did not declare the elicitation capability${mode === 'url' ? ' for url mode' : ''}`);
    } else {
      const sampling = capabilities?.sampling;
      if (sampling === undefined) return refuse(`${client} did not declare the sampling capability`);
      if (params.tools !== undefined && sampling.tools === undefined) return refuse(`${client} did not declare sampling with tools`);
    }
    return call.requestInput(method, params, signal);
  }

  function track(connector: string, call: DownstreamCall): () => void {
    let set = inflight.get(connector);
    if (set === undefined) {
      set = new Set();
      inflight.set(connector, set);
    }
    set.add(call);
    return () => {
      set.delete(call);
      if (set.size === 0) inflight.delete(connector);
    };
  }

  // ── governance ───────────────────────────────────────────────────────────

  /** Appends one record; false when the sink refused it (the caller then withholds the result). */
  function audit(record: Omit<AuditRecord, 'time' | 'principal' | 'policyVersion'>): boolean {
    const sink = options.audit;
    if (sink === undefined) return true;
    try {
      sink.append({
        time: env.now(),
        principal: principal.user,
        ...(options.policyVersion === undefined ? {} : { policyVersion: options.policyVersion }),
        ...record,
      });
      return true;
    } catch (error) {
      emit({ kind: 'hook-failed', hook: 'audit', message: scrubber.text(String(error)) });
      return false;
    }
  }

  async function decide(
    action: GatewayAction,
    type: GatewayResourceType,
    id: string,
    connector: string,
    client: string,
    args?: Record<string, unknown>,
  ): Promise<AuthorizationDecision> {
    try {
      const answer = authorize({
        principal,
        action,
        resource: { type, id, connector },
        context: args === undefined ? { client } : { client, arguments: args },
      });
      return isPromise(answer) ? await answer : answer;
    } catch (error) {
      // Fail closed: a broken policy engine denies.
      emit({ kind: 'hook-failed', hook: 'authorize', message: scrubber.text(String(error)) });
      return { decision: 'deny', policyIds: [] };
    }
  }

  async function runRedaction(value: unknown): Promise<{ value: unknown; findings: readonly RedactionFinding[] } | undefined> {
    const redaction = options.redaction;
    if (redaction === undefined) return { value, findings: [] };
    try {
      const answer = redaction.redact(value);
      return isPromise(answer) ? await answer : answer;
    } catch (error) {
      emit({ kind: 'hook-failed', hook: 'redact', message: scrubber.text(String(error)) });
      // Fail closed: a result that could not be checked is not passed on.
      return undefined;
    }
  }

  async function filterVisible<T>(
    items: readonly T[],
    action: GatewayAction,
    type: GatewayResourceType,
    id: (item: T) => string,
    connector: (item: T) => string,
    client: string,
  ): Promise<T[]> {
    if (authorize === allowAll) return [...items];
    const decisions = await Promise.all(items.map((item) => decide(action, type, id(item), connector(item), client)));
    return items.filter((_item, index) => decisions[index]?.decision === 'allow');
  }

  /**
   * The one path every call, get and read takes: authorize (a denial looks exactly like
   * an unknown name), call the upstream with cancellation, progress and a timeout, scrub
   * and redact the result, audit.
   */
  async function governed<R>(operation: {
    readonly call: DownstreamCall;
    readonly action: GatewayAction;
    readonly type: GatewayResourceType;
    readonly target: string;
    readonly upstream: Upstream | undefined;
    readonly args?: Record<string, unknown>;
    readonly notFound: () => Error;
    readonly run: (upstream: Upstream, requestOptions: RequestOptions) => Promise<R>;
    readonly blocked: (findings: readonly RedactionFinding[]) => R;
  }): Promise<R> {
    const started = performance.now();
    const { call, action, target, upstream, args } = operation;
    const client = options.client ?? call.clientName() ?? 'unknown';
    const argumentsDigest = args === undefined || options.audit === undefined ? undefined : digestArguments(args);
    const base = {
      client,
      action,
      target,
      ...(upstream === undefined ? {} : { connector: upstream.name }),
      ...(argumentsDigest === undefined ? {} : { argumentsDigest }),
    };
    const latency = (): number => Math.round((performance.now() - started) * 100) / 100;
    if (upstream === undefined) {
      audit({ ...base, decision: 'deny', outcome: 'error', latencyMs: latency(), detail: 'unknown name' });
      throw operation.notFound();
    }
    const verdict = await decide(action, operation.type, target, upstream.name, client, args);
    if (verdict.decision !== 'allow') {
      audit({ ...base, decision: 'deny', policyIds: verdict.policyIds, outcome: 'denied', latencyMs: latency() });
      throw operation.notFound();
    }
    const allowed = { ...base, decision: 'allow' as const, policyIds: verdict.policyIds };
    const untrack = track(upstream.name, call);
    let result: R;
    try {
      result = await operation.run(upstream, {
        signal: call.signal,
        timeout: requestTimeoutMs,
        resetTimeoutOnProgress: true,
        onprogress: (progress) => { call.progress(progress); },
      });
    } catch (error) {
      const mapped = mapUpstreamError(error, upstream, target, call.signal);
      audit({ ...allowed, outcome: 'error', latencyMs: latency(), detail: mapped.message });
      throw mapped;
    } finally {
      untrack();
    }
    const scrubbed = scrubber.scrub(result);
    const redacted = await runRedaction(scrubbed);
    if (redacted === undefined) {
      audit({ ...allowed, outcome: 'blocked', latencyMs: latency(), detail: 'the redaction hook failed' });
      return operation.blocked([]);
    }
    const findings = redacted.findings.filter((finding) => finding.count > 0);
    let outcome: AuditOutcome = 'ok';
    let value = scrubbed;
    if (findings.length > 0) {
      if (options.redaction?.mode === 'block') {
        audit({ ...allowed, outcome: 'blocked', latencyMs: latency(), detail: describeFindings(findings) });
        return operation.blocked(findings);
      }
      outcome = 'redacted';
      value = redacted.value as R;
    }
    if (!audit({ ...allowed, outcome, latencyMs: latency(), ...(findings.length > 0 ? { detail: describeFindings(findings) } : {}) })) {
      // No result leaves the gateway unrecorded.
      throw new ProtocolError(ProtocolErrorCode.InternalError, `${target}: skillsync could not record this call in its audit log, so the result is withheld`);
    }
    return value;
  }

  function mapUpstreamError(error: unknown, upstream: Upstream, target: string, signal: AbortSignal): ProtocolError {
    if (error instanceof ProtocolError) {
      return new ProtocolError(error.code, scrubber.text(error.message), scrubber.scrub(error.data));
    }
    const message = scrubber.text(error instanceof Error ? error.message : String(error));
    if (signal.aborted) return new ProtocolError(ProtocolErrorCode.InternalError, `${target}: cancelled`);
    if (/timed out/i.test(message)) {
      return new ProtocolError(REQUEST_TIMEOUT, `${target}: connector ${upstream.name} did not answer within ${requestTimeoutMs} ms`, { timeout: requestTimeoutMs });
    }
    return new ProtocolError(ProtocolErrorCode.InternalError, `${target}: connector ${upstream.name} failed: ${message}`);
  }

  // ── the downstream server ──────────────────────────────────────────────────

  function createServer(serverOptions: CreateServerOptions): LowLevelServer {
    const server = new LowLevelServer(serverInfo, {
      capabilities: CAPABILITIES,
      instructions: 'Tools and prompts are named <connector>__<name>; resources keep their URIs.',
      debouncedNotificationMethods: ['notifications/tools/list_changed', 'notifications/prompts/list_changed', 'notifications/resources/list_changed'],
    });
    const session: Session = {
      id: randomBytes(8).toString('hex'),
      era: serverOptions.era,
      server,
      broadcast: serverOptions.broadcast ?? true,
    };
    const sessionClient = (ctx: ServerContext): string | undefined => clientNameOf(session, ctx);

    server.setRequestHandler('tools/list', async (_request, ctx) => {
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const routes = [...currentCatalog().tools.entries()];
      const visible = await filterVisible(routes, 'callTool', 'Tool', ([exposed]) => exposed, ([, route]) => route.upstream.name, client);
      audit({ client, action: 'listTools', decision: 'allow', outcome: 'ok', detail: `${visible.length} of ${routes.length} listed` });
      return { tools: visible.map(([, route]) => route.listed) };
    });

    server.setRequestHandler('prompts/list', async (_request, ctx) => {
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const routes = [...currentCatalog().prompts.entries()];
      const visible = await filterVisible(routes, 'getPrompt', 'Prompt', ([exposed]) => exposed, ([, route]) => route.upstream.name, client);
      audit({ client, action: 'listPrompts', decision: 'allow', outcome: 'ok', detail: `${visible.length} of ${routes.length} listed` });
      return { prompts: visible.map(([, route]) => route.listed) };
    });

    server.setRequestHandler('resources/list', async (_request, ctx) => {
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const entries = [...currentCatalog().resources.entries()];
      const visible = await filterVisible(entries, 'readResource', 'Resource', ([uri]) => uri, ([, route]) => route.upstream.name, client);
      audit({ client, action: 'listResources', decision: 'allow', outcome: 'ok', detail: `${visible.length} of ${entries.length} listed` });
      return { resources: visible.map(([, route]) => route.listed) };
    });

    server.setRequestHandler('resources/templates/list', () => ({
      resourceTemplates: currentCatalog().templates.map((route) => route.listed),
    }));

    server.setRequestHandler('tools/call', (request, ctx) =>
      withCall(session, ctx, (call) => {
        const name = request.params.name;
        const route = currentCatalog().tools.get(name);
        return governed<CallToolResult>({
          call,
          action: 'callTool',
          type: 'Tool',
          target: name,
          upstream: route?.upstream,
          args: request.params.arguments ?? {},
          notFound: () => unknownTool(name),
          run: async (upstream, requestOptions) => {
            const client = liveClient(upstream);
            const params = { name: route?.name ?? name, arguments: request.params.arguments ?? {}, ...forwardMeta(ctx) };
            return client.request({ method: 'tools/call', params }, upstreamResult<CallToolResult>(), requestOptions);
          },
          blocked: (findings) => ({
            content: [{ type: 'text', text: `skillsync withheld this result: it contains data your redaction policy blocks${findings.length > 0 ? ` (${describeFindings(findings)})` : ''}.` }],
            isError: true,
          }),
        });
      }),
    );

    server.setRequestHandler('prompts/get', (request, ctx) =>
      withCall(session, ctx, (call) => {
        const name = request.params.name;
        const route = currentCatalog().prompts.get(name);
        return governed<GetPromptResult>({
          call,
          action: 'getPrompt',
          type: 'Prompt',
          target: name,
          upstream: route?.upstream,
          args: request.params.arguments ?? {},
          notFound: () => new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`),
          run: async (upstream, requestOptions) => {
            const params = { name: route?.name ?? name, ...(request.params.arguments === undefined ? {} : { arguments: request.params.arguments }), ...forwardMeta(ctx) };
            return liveClient(upstream).request({ method: 'prompts/get', params }, upstreamResult<GetPromptResult>(), requestOptions);
          },
          blocked: (findings) => {
            throw new ProtocolError(ProtocolErrorCode.InternalError, `skillsync withheld the prompt ${name}: it contains data your redaction policy blocks (${describeFindings(findings)}).`);
          },
        });
      }),
    );

    server.setRequestHandler('resources/read', (request, ctx) =>
      withCall(session, ctx, (call) => {
        const uri = request.params.uri;
        return governed<ReadResourceResult>({
          call,
          action: 'readResource',
          type: 'Resource',
          target: uri,
          upstream: resourceRoute(uri),
          notFound: () => new ResourceNotFoundError(uri),
          run: (upstream, requestOptions) => liveClient(upstream).request({ method: 'resources/read', params: { uri, ...forwardMeta(ctx) } }, upstreamResult<ReadResourceResult>(), requestOptions),
          blocked: (findings) => {
            throw new ProtocolError(ProtocolErrorCode.InternalError, `skillsync withheld ${uri}: it contains data your redaction policy blocks (${describeFindings(findings)}).`);
          },
        });
      }),
    );

    server.setRequestHandler('completion/complete', async (request, ctx) => {
      const empty = { completion: { values: [] as string[] } };
      const ref = request.params.ref;
      let upstream: Upstream | undefined;
      let forwardedRef: typeof ref = ref;
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      if (ref.type === 'ref/prompt') {
        const route = currentCatalog().prompts.get(ref.name);
        if (route === undefined || (await decide('getPrompt', 'Prompt', ref.name, route.upstream.name, client)).decision !== 'allow') return empty;
        upstream = route.upstream;
        forwardedRef = { ...ref, name: route.name };
      } else {
        const route = currentCatalog().templates.find((candidate) => candidate.listed.uriTemplate === ref.uri);
        upstream = route?.upstream;
      }
      if (upstream?.client?.getServerCapabilities()?.completions === undefined) return empty;
      try {
        return await liveClient(upstream).request(
          { method: 'completion/complete', params: { ...request.params, ref: forwardedRef } },
          { signal: ctx.mcpReq.signal, timeout: requestTimeoutMs },
        );
      } catch {
        return empty;
      }
    });

    server.onclose = () => {
      if (sessions.delete(session)) emit({ kind: 'session-closed', session: session.id });
    };
    // Per-request instances (stateless HTTP) are not tracked: nothing is pushed to them.
    if (!closed && session.broadcast) {
      sessions.add(session);
      emit({ kind: 'session-opened', session: session.id, era: session.era, transport: serverOptions.transport });
    }
    return server;
  }

  /**
   * Runs one call, get or read for a downstream request. In the 2025-11-25 era the call
   * lives as long as the request, and an upstream's elicitation or sampling request is
   * sent to the client on the same connection. In the 2026-07-28 era the server cannot
   * send requests: the handler answers `input_required` with the upstream's request,
   * and the client's retry (carrying `requestState`) resumes the same upstream call.
   */
  async function withCall<R extends Result>(session: Session, ctx: ServerContext, body: (call: DownstreamCall) => Promise<R>): Promise<R | InputRequiredResult> {
    if (session.era === 'legacy') {
      const call: DownstreamCall = {
        session,
        signal: ctx.mcpReq.signal,
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- the 2025-11-25 accessor; this branch serves that era only.
        capabilities: () => session.server.getClientCapabilities(),
        clientName: () => clientNameOf(session, ctx),
        progress: progressSender(ctx),
        requestInput: (method, params, signal) => ctx.mcpReq.send({ method, params } as never, { signal, timeout: inputTimeoutMs }),
      };
      return body(call);
    }
    const state = ctx.mcpReq.requestState();
    let call: PendingCall | undefined;
    if (typeof state === 'string') {
      call = pending.get(state);
      if (call === undefined) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid or expired requestState', { reason: 'invalid_request_state' });
      call.resume(ctx);
    } else {
      call = new PendingCall(session, ctx, inputTimeoutMs, (token) => pending.delete(token));
      pending.set(call.token, call);
      call.begin(body);
    }
    return call.next(ctx) as Promise<R | InputRequiredResult>;
  }

  return {
    async start() {
      for (const { name, error } of invalid) emit({ kind: 'connector-failed', connector: name, error });
      await Promise.all(
        upstreams.map(async (upstream) => {
          await upstream.start();
          if (upstream.state === 'ready') emit({ kind: 'connector-ready', connector: upstream.name, status: upstream.status() });
        }),
      );
      catalog = undefined;
      return this.status();
    },
    status() {
      const failures: ConnectorStatus[] = invalid.map(({ name, error }) => ({
        name,
        transport: options.connectors[name]?.command === undefined ? (options.connectors[name]?.transport ?? 'http') : 'stdio',
        state: 'failed',
        tools: 0,
        prompts: 0,
        resources: 0,
        resourceTemplates: 0,
        error: error.toJSON(),
      }));
      return [...upstreams.map((upstream) => upstream.status()), ...failures].sort((a, b) => byteOrder(a.name, b.name));
    },
    createServer,
    onListChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      for (const call of pending.values()) call.abort('the gateway is shutting down');
      pending.clear();
      const open = [...sessions];
      sessions.clear();
      await Promise.all([...open.map((session) => session.server.close().catch(() => undefined)), ...upstreams.map((upstream) => upstream.close())]);
    },
  };
}

/**
 * The result schema of the gateway's upstream requests: any JSON object. The SDK would
 * otherwise validate each upstream result against the full spec schema (and, for a
 * method-keyed request, parse a probe first), and the downstream server validates a
 * tool result again before it leaves: once is enough, and the client at the end of the
 * line validates what it receives anyway. Measured: most of the gateway's CPU per call.
 */
const anyObjectResult = {
  '~standard': {
    version: 1,
    vendor: 'skillsync',
    validate: (value: unknown) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { value }
        : { issues: [{ message: 'the upstream result is not a JSON object' }] },
  },
} as const;

function upstreamResult<R>(): StandardSchemaV1<R, R> {
  return anyObjectResult as unknown as StandardSchemaV1<R, R>;
}

/** -32001, the request-timeout code MCP SDKs use on the wire. */
const REQUEST_TIMEOUT = -32001;

function unknownTool(name: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
}

function liveClient(upstream: Upstream): NonNullable<Upstream['client']> {
  const client = upstream.client;
  if (client === undefined || upstream.state !== 'ready') throw new Error(`connector ${upstream.name} is not connected`);
  return client;
}

/** The request's `_meta` minus the progress token (the gateway sets its own upstream). */
function forwardMeta(ctx: ServerContext): { _meta?: Record<string, unknown> } {
  const meta = ctx.mcpReq._meta;
  if (meta === undefined) return {};
  const rest: Record<string, unknown> = { ...meta };
  delete rest.progressToken;
  return Object.keys(rest).length === 0 ? {} : { _meta: rest };
}

function progressSender(ctx: ServerContext): (progress: Progress) => void {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return () => undefined;
  return (progress) => {
    ctx.mcpReq
      .notify({ method: 'notifications/progress', params: { ...progress, progressToken: token } })
      .catch(() => undefined);
  };
}

function envelopeOf(ctx: ServerContext): Record<string, unknown> | undefined {
  return ctx.mcpReq.envelope;
}

function clientNameOf(session: Session, ctx: ServerContext): string | undefined {
  if (session.era === 'modern') {
    const info = envelopeOf(ctx)?.[CLIENT_INFO_META_KEY] as { name?: unknown } | undefined;
    return typeof info?.name === 'string' ? info.name : undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the 2025-11-25 accessor; modern sessions read the envelope above.
  return session.server.getClientVersion()?.name;
}

function describeFindings(findings: readonly RedactionFinding[]): string {
  return findings.map((finding) => `${finding.detector} ×${finding.count}`).join(', ');
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A call of the 2026-07-28 era that may span several downstream requests: each time its
 * upstream asks for input, the current request answers `input_required` (the input
 * request, and this call's token as `requestState`), and the retry resumes here.
 */
class PendingCall implements DownstreamCall {
  readonly token = randomBytes(18).toString('base64url');
  private readonly controller = new AbortController();
  private ctx: ServerContext;
  private outcome: Promise<{ ok: true; value: Result } | { ok: false; error: unknown }> | undefined;
  private readonly outstanding = new Map<string, { method: RoutedMethod; params: Record<string, unknown>; resolve: (value: Result) => void; reject: (error: unknown) => void }>();
  private wake: (() => void) | undefined;
  private sequence = 0;
  private expiry: NodeJS.Timeout | undefined;
  private detach: (() => void) | undefined;

  constructor(
    readonly session: Session,
    ctx: ServerContext,
    private readonly inputTimeoutMs: number,
    private readonly forget: (token: string) => void,
  ) {
    this.ctx = ctx;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  capabilities(): ClientCapabilities | undefined {
    return envelopeOf(this.ctx)?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
  }

  clientName(): string | undefined {
    return clientNameOf(this.session, this.ctx);
  }

  progress(progress: Progress): void {
    progressSender(this.ctx)(progress);
  }

  begin(body: (call: DownstreamCall) => Promise<Result>): void {
    this.outcome = body(this).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  }

  /** A retry arrived: hand the answers it carries to the upstream requests waiting for them. */
  resume(ctx: ServerContext): void {
    this.ctx = ctx;
    if (this.expiry !== undefined) clearTimeout(this.expiry);
    this.expiry = undefined;
    const responses = ctx.mcpReq.inputResponses ?? {};
    for (const [key, entry] of this.outstanding) {
      const response = responses[key];
      if (response === undefined) continue;
      this.outstanding.delete(key);
      entry.resolve(response as Result);
    }
  }

  requestInput(method: RoutedMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Result> {
    return new Promise((resolve, reject) => {
      const key = `input-${++this.sequence}`;
      this.outstanding.set(key, { method, params, resolve, reject });
      signal.addEventListener(
        'abort',
        () => {
          if (this.outstanding.delete(key)) reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        },
        { once: true },
      );
      this.wake?.();
    });
  }

  /** Waits for the upstream result, or for input the upstream needs, and answers the current request. */
  async next(ctx: ServerContext): Promise<Result | InputRequiredResult> {
    const onAbort = (): void => { this.abort('cancelled by the client'); };
    ctx.mcpReq.signal.addEventListener('abort', onAbort, { once: true });
    this.detach = () => { ctx.mcpReq.signal.removeEventListener('abort', onAbort); };
    try {
      const inputWanted = new Promise<'input'>((resolve) => {
        this.wake = () => { resolve('input'); };
        if (this.outstanding.size > 0) resolve('input');
      });
      const outcome = this.outcome ?? Promise.resolve({ ok: false as const, error: new Error('call not started') });
      const first = await Promise.race([outcome, inputWanted]);
      if (first === 'input') {
        this.expiry = setTimeout(() => { this.abort('no answer to the input request in time'); }, this.inputTimeoutMs);
        this.expiry.unref();
        const inputRequests = Object.fromEntries([...this.outstanding].map(([key, entry]) => [key, { method: entry.method, params: entry.params }]));
        return inputRequired({ inputRequests: inputRequests as never, requestState: this.token });
      }
      this.forget(this.token);
      if (first.ok) return first.value;
      throw first.error;
    } finally {
      this.wake = undefined;
      this.detach();
      this.detach = undefined;
    }
  }

  abort(reason: string): void {
    if (this.expiry !== undefined) clearTimeout(this.expiry);
    this.forget(this.token);
    for (const entry of this.outstanding.values()) entry.reject(new Error(reason));
    this.outstanding.clear();
    this.controller.abort(new Error(reason));
  }
}
