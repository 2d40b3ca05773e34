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
  type JSONRPCMessage,
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
import { RESOURCES_DIRECTORY_READ_METHOD, SKILLS_EXTENSION_ID, SKILLS_GET_METHOD, SKILLS_LIST_METHOD, type Skill } from '@modelcontextprotocol/server/ext/skills';
import { byteOrder, type ConnectorDefinition, connectorTransport, type Env, isRecord, SkillsyncError } from '@skillsync/core';
import { digestArguments } from '@skillsync/policy';
import { z } from 'zod';
import { Cancellation } from './cancellation.js';
import type { ResolveSecret } from './connector-launch.js';
import {
  entrySummary,
  fromGatewaySkillUri,
  GATEWAY_OWNER,
  isOwnSkillUri,
  isSkillEntry,
  loadGatewaySkills,
  ownSkillDirectory,
  ownSkillPath,
  readOwnSkillFile,
  rewriteSkillEntry,
  SKILL_SCHEME,
  skillBody,
  skillFileList,
  skillResource,
  toGatewaySkillUri,
  type GatewaySkill,
  type GatewaySkillSource,
} from './gateway-skills.js';
import {
  allowAll,
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
  type RedactionResult,
} from './hooks.js';
import type { MessageInterceptor } from './json-lines.js';
import { connectorNameProblem, DEFAULT_NAMESPACE_MODE, exposeNames, type NameClaim, type NamespaceMode } from './namespacing.js';
import { LowLevelServer, sendLog, type LogMessageParams } from './sdk.js';
import { SecretScrubber } from './secret-scrub.js';
import { Upstream, type ConnectorStatus, type LinkEra, type ListKind, type RoutedMethod, type UpstreamHost } from './upstream.js';

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
  /** How tools and prompts are named (namespacing.ts). Default `always`: `<connector>__<name>`. */
  readonly namespace?: NamespaceMode;
  /**
   * The installed skills to serve (the lockfile's skills of the served manifests, in the
   * store): over the Skills extension, as prompts, and through the gateway's own tools.
   */
  readonly skills?: readonly GatewaySkillSource[];
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
  | { readonly kind: 'hook-failed'; readonly hook: 'authorize' | 'redact' | 'audit'; readonly message: string }
  | { readonly kind: 'skill-skipped'; readonly skill: string; readonly reason: string };

export type DownstreamEra = 'legacy' | 'modern';
export type DownstreamTransport = 'stdio' | 'http' | 'memory';

/** A session's direct calls (`Gateway.directCalls`). */
export interface DirectCalls {
  readonly take: MessageInterceptor;
  /** The connection ended: cancels the calls in flight (their results are not sent). */
  close(): void;
}

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
  /** Called with the (exposed) URI of a resource a connector said changed, after every subscribed session was told. */
  onResourceUpdated(listener: (uri: string) => void): () => void;
  /**
   * The hot path of one 2025-11-25 session on a stdio pipe (serve-stdio.ts), for the
   * server `createServer` made for it: `take` is offered each message the client sends
   * before the SDK parses it, and answers plain `tools/call` requests (no progress token,
   * no task) itself through `reply`, with the same governance as every call (policy,
   * redaction, audit: `governed`) but without the SDK's request machinery on either side.
   * Anything else it leaves to the server. Undefined for other sessions.
   */
  directCalls(server: LowLevelServer, reply: (message: JSONRPCMessage) => Promise<void>): DirectCalls | undefined;
  /**
   * The policies changed (`skillsync serve` on SIGHUP): every session whose visible tools
   * differ from what its last `tools/list` showed gets `notifications/tools/list_changed`.
   */
  policiesChanged(): Promise<void>;
  /** The input schema of the tool a client knows as `name` (for the HTTP entry's `Mcp-Param-*` header checks). */
  toolInputSchema(name: string): Tool['inputSchema'] | undefined;
  /** The skills the gateway serves itself (after `start`). */
  skills(): readonly { readonly name: string; readonly uri: string }[];
  /**
   * Serves exactly these connectors from now on (`skillsync serve` when an org profile
   * changes): each one served that is not among them is dropped from every list at once
   * (every session is told to list again) and then closed, its processes ended, so a call
   * to one of its tools answers as for an unknown tool; each one among them not served
   * yet is started like at `start`, and the sessions told once it is ready. A connector
   * already served stays as it is (its definition is not compared). Resolves when the
   * stopped ones have ended and the started ones are ready or failed.
   */
  setConnectors(connectors: Readonly<Record<string, ConnectorDefinition>>): Promise<ConnectorChanges>;
  /** Ends every connector (stdio children included) and forgets the sessions. */
  close(): Promise<void>;
}

/** What `setConnectors` changed, by connector name. */
export interface ConnectorChanges {
  readonly stopped: readonly string[];
  /** The new connectors that are ready (one that could not start is a `connector-failed` event, as at `start`). */
  readonly started: readonly string[];
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_INPUT_TIMEOUT_MS = 600_000;

const CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  completions: {},
  logging: {},
  // SEP-2640, settings inline; `directoryRead` because the gateway answers resources/directory/read.
  extensions: { [SKILLS_EXTENSION_ID]: { directoryRead: true } },
};

/** The gateway's own tools (reserved: no connector's tool is exposed under these names). */
const LIST_SKILLS_TOOL = `${GATEWAY_OWNER}__list_skills`;
const LOAD_SKILL_TOOL = `${GATEWAY_OWNER}__load_skill`;
const OWN_TOOL_NAMES: ReadonlySet<string> = new Set([LIST_SKILLS_TOOL, LOAD_SKILL_TOOL]);

/** Pages of a connector's skills/list the gateway follows. */
const MAX_SKILL_PAGES = 50;

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
  /** The gateway's own skills as prompts, by exposed name. */
  readonly skillPrompts: ReadonlyMap<string, GatewaySkill>;
  /** By exposed URI; `uri` is the connector's own (they differ for `skill://`). */
  readonly resources: ReadonlyMap<string, { readonly upstream: Upstream; readonly uri: string; readonly listed: Resource }>;
  readonly templates: readonly TemplateRoute[];
}

/** One downstream client connection (or, in the stateless HTTP era, one request). */
interface Session {
  readonly id: string;
  readonly era: DownstreamEra;
  readonly server: LowLevelServer;
  readonly broadcast: boolean;
  /** Exposed URIs this session subscribed to (`resources/subscribe`, 2025-11-25). */
  readonly subscriptions: Set<string>;
  /** The connector tools this session's last `tools/list` showed, and for which client: what `policiesChanged` compares with. */
  listedTools?: { readonly client: string; readonly names: ReadonlySet<string> };
}

/**
 * The downstream side of one call while it waits on its upstream: the gateway routes an
 * upstream's elicitation or sampling request here, and progress goes back through it.
 */
interface DownstreamCall {
  readonly session: Session;
  readonly signal: AbortSignal;
  /**
   * The connector's 2026-07-28 connection, when this call is a 2026-07-28 request passed
   * through on it unchanged (`input_required` results go back as they are); otherwise
   * the call goes over the 2025-11-25 connection.
   */
  readonly modern?: NonNullable<Upstream['client']>;
  capabilities(): ClientCapabilities | undefined;
  clientName(): string | undefined;
  progress(progress: Progress): void;
  requestInput(method: RoutedMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Result>;
}

/**
 * Creates the gateway: connects to every enabled connector of `options.connectors`,
 * exposes their tools and prompts as `<connector>__<name>` (or, under `namespace:
 * 'auto'`, under their own names where no two owners share one) and their resources by
 * URI, serves the installed skills (`options.skills`), asks `authorize` before each call
 * and for each listed item, passes results through `redaction`, and appends every
 * decision and call to `audit`.
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

  const namespace = options.namespace ?? DEFAULT_NAMESPACE_MODE;
  const sessions = new Set<Session>();
  const listeners = new Set<(kind: ListKind) => void>();
  const updateListeners = new Set<(uri: string) => void>();
  const inflight = new Map<string, Set<DownstreamCall>>();
  const pending = new Map<string, PendingCall>();
  /** What each era's clients see (the 2026-07-28 one from the connectors' 2026-07-28 connections where open); rebuilt after any change. */
  let catalogs: { legacy?: Catalog; modern?: Catalog } = {};
  let closed = false;
  const reportedClashes = new Set<string>();
  /** The gateway's own skills by name (filled by `start`). */
  let ownSkills: ReadonlyMap<string, GatewaySkill> = new Map();
  /** Upstream subscriptions: exposed URI → the sessions subscribed to it. */
  const subscribers = new Map<string, Set<Session>>();
  /** Each session by its server instance, for `directCalls`. */
  const sessionOf = new WeakMap<LowLevelServer, Session>();

  const host: UpstreamHost = {
    env,
    resolveSecret: options.resolveSecret ?? (() => Promise.resolve(undefined)),
    scrubber,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    clientInfo: { name: `${serverInfo.name}-gateway`, version: serverInfo.version },
    changed: (upstream, kinds) => {
      catalogs = {};
      emit({ kind: 'list-changed', connector: upstream.name, lists: kinds });
      for (const kind of kinds) broadcast(kind);
    },
    failed: (upstream, error) => {
      catalogs = {};
      emit({ kind: 'connector-failed', connector: upstream.name, error });
    },
    log: (upstream, params) => void forwardLog(upstream, params),
    stderr: (upstream, line) => { emit({ kind: 'connector-stderr', connector: upstream.name, line }); },
    resourceUpdated: (upstream, uri) => { resourceUpdated(toGatewaySkillUri(upstream.name, uri)); },
    linkChanged: () => {
      catalogs = {};
    },
    route: (upstream, method, params, signal) => routeUpstreamRequest(upstream, method, params, signal),
  };

  /** The connectors served, in byte order of their names (a resource clash always resolves the same way). */
  const upstreams: Upstream[] = [];
  /** Connectors refused for their name, reported as failed. */
  const invalid = new Map<string, { readonly definition: ConnectorDefinition; readonly error: SkillsyncError }>();
  /** Whether `start` has begun: from then on, a connector `setConnectors` adds is started at once. */
  let started = false;

  /** An upstream for one enabled connector, or the error (also kept in `invalid`) when its name cannot be served. */
  function admit(name: string, definition: ConnectorDefinition): Upstream | SkillsyncError {
    const problem = connectorNameProblem(name) ?? (name === GATEWAY_OWNER ? `"${GATEWAY_OWNER}" is the gateway's own name (its tools, prompts and skill:// URIs)` : undefined);
    if (problem === undefined) return new Upstream(name, definition, host);
    const error = new SkillsyncError('GATEWAY_CONNECTOR_NAME_INVALID', `Connector ${name} cannot be served through the gateway: ${problem}.`, { details: { connector: name } });
    invalid.set(name, { definition, error });
    return error;
  }

  for (const [name, definition] of enabledConnectors(options.connectors)) {
    const admitted = admit(name, definition);
    if (admitted instanceof Upstream) upstreams.push(admitted);
  }

  // ── catalog ────────────────────────────────────────────────────────────────

  function currentCatalog(era: LinkEra = 'legacy'): Catalog {
    const cached = catalogs[era];
    if (cached !== undefined) return cached;
    const resources = new Map<string, { upstream: Upstream; uri: string; listed: Resource }>();
    const templates: TemplateRoute[] = [];
    const seenTemplates = new Set<string>();
    const ready = upstreams.filter((upstream) => upstream.state === 'ready');
    // Names first: every (owner, name) pair of the moment, then one pure mapping (namespacing.ts).
    const toolClaims: (NameClaim & { readonly upstream: Upstream; readonly tool: Tool })[] = [];
    const promptClaims: (NameClaim & { readonly route: { readonly upstream: Upstream; readonly prompt: Prompt } | { readonly skill: GatewaySkill } })[] = [];
    for (const upstream of ready) {
      const lists = upstream.lists(era);
      for (const tool of lists.tools) toolClaims.push({ owner: upstream.name, name: tool.name, upstream, tool });
      for (const prompt of lists.prompts) promptClaims.push({ owner: upstream.name, name: prompt.name, route: { upstream, prompt } });
    }
    for (const skill of ownSkills.values()) promptClaims.push({ owner: GATEWAY_OWNER, name: skill.name, route: { skill } });
    const tools = new Map<string, ToolRoute>();
    exposeNames(toolClaims, namespace, OWN_TOOL_NAMES).forEach((exposed, index) => {
      const claim = toolClaims[index];
      if (claim !== undefined) tools.set(exposed, { upstream: claim.upstream, name: claim.tool.name, listed: { ...claim.tool, name: exposed } });
    });
    const prompts = new Map<string, PromptRoute>();
    const skillPrompts = new Map<string, GatewaySkill>();
    exposeNames(promptClaims, namespace).forEach((exposed, index) => {
      const route = promptClaims[index]?.route;
      if (route === undefined) return;
      if ('skill' in route) skillPrompts.set(exposed, route.skill);
      else prompts.set(exposed, { upstream: route.upstream, name: route.prompt.name, listed: { ...route.prompt, name: exposed } });
    });
    // Upstreams are in byte order of their names, so a clash always resolves the same way.
    for (const upstream of ready) {
      const lists = upstream.lists(era);
      for (const resource of lists.resources) {
        // A connector's skill:// URIs move under its own segment (gateway-skills.ts); others stay.
        const exposedUri = toGatewaySkillUri(upstream.name, resource.uri);
        const kept = resources.get(exposedUri);
        if (kept !== undefined) {
          const key = JSON.stringify([exposedUri, kept.upstream.name, upstream.name]);
          if (kept.upstream !== upstream && !reportedClashes.has(key)) {
            reportedClashes.add(key);
            emit({ kind: 'resource-clash', uri: exposedUri, kept: kept.upstream.name, hidden: upstream.name });
          }
          continue;
        }
        resources.set(exposedUri, { upstream, uri: resource.uri, listed: { ...resource, uri: exposedUri } });
      }
      for (const listed of lists.templates) {
        // skill:// URIs are routed by their connector segment, not by template.
        if (listed.uriTemplate.startsWith(SKILL_SCHEME)) continue;
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
    const built: Catalog = { tools, prompts, skillPrompts, resources, templates };
    catalogs[era] = built;
    return built;
  }

  /**
   * The catalog one session sees. A 2026-07-28 session first opens each connector's
   * 2026-07-28 connection (once; a connector that does not speak it keeps its
   * 2025-11-25 lists), so what it lists is what its calls reach.
   */
  async function catalogFor(session: Session): Promise<Catalog> {
    if (session.era === 'legacy') return currentCatalog('legacy');
    await Promise.all(upstreams.filter((upstream) => upstream.state === 'ready').map((upstream) => upstream.modern()));
    return currentCatalog('modern');
  }

  /** The connector that serves a URI, and the URI on that connector. */
  function resourceRoute(uri: string, era: LinkEra = 'legacy'): { readonly upstream: Upstream; readonly uri: string } | undefined {
    const skill = fromGatewaySkillUri(uri);
    if (skill !== undefined) {
      const upstream = upstreams.find((candidate) => candidate.name === skill.connector && candidate.state === 'ready');
      return upstream === undefined ? undefined : { upstream, uri: skill.uri };
    }
    if (isOwnSkillUri(uri)) return undefined;
    const current = currentCatalog(era);
    const listed = current.resources.get(uri);
    if (listed !== undefined) return { upstream: listed.upstream, uri: listed.uri };
    for (const route of current.templates) if (route.template.match(uri) !== null) return { upstream: route.upstream, uri };
    return undefined;
  }

  // ── notifications to the downstream side ──────────────────────────────────

  /** Connectors came or went: every list may differ (and, under `auto`, other connectors' names with them). */
  function everyListChanged(): void {
    catalogs = {};
    for (const kind of ['tools', 'prompts', 'resources'] as const) broadcast(kind);
  }

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

  /** A connector said a resource changed: tell the sessions subscribed to it, and the 2026-07-28 listeners. */
  function resourceUpdated(uri: string): void {
    for (const session of subscribers.get(uri) ?? []) {
      session.server.sendResourceUpdated({ uri }).catch(() => undefined);
    }
    for (const listener of updateListeners) {
      try {
        listener(uri);
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
    } else if (method === 'roots/list') {
      if (capabilities?.roots === undefined) return refuse(`${client} did not declare the roots capability`);
    } else {
      const sampling = capabilities?.sampling;
      if (sampling === undefined) return refuse(`${client} did not declare the sampling capability`);
      if (params.tools !== undefined && sampling.tools === undefined) return refuse(`${client} did not declare sampling with tools`);
    }
    return call.requestInput(method, params, signal);
  }

  function track(connector: string, call: DownstreamCall): void {
    let set = inflight.get(connector);
    if (set === undefined) {
      set = new Set();
      inflight.set(connector, set);
    }
    set.add(call);
  }

  function untrack(connector: string, call: DownstreamCall): void {
    const set = inflight.get(connector);
    if (set?.delete(call) === true && set.size === 0) inflight.delete(connector);
  }

  // ── governance ───────────────────────────────────────────────────────────

  /** Appends one record; false when the sink refused it (the caller then withholds the result). */
  function audit(record: Omit<AuditRecord, 'time' | 'principal' | 'policyVersion'>): boolean {
    return options.audit === undefined || appendAudit({ time: env.now(), principal: principal.user, policyVersion: options.policyVersion, ...record });
  }

  function appendAudit(record: AuditRecord): boolean {
    try {
      options.audit?.append(record);
      return true;
    } catch (error) {
      emit({ kind: 'hook-failed', hook: 'audit', message: scrubber.text(String(error)) });
      return false;
    }
  }

  /** The decision, synchronously when the hook answers synchronously (a call then waits for no promise). */
  function decide(
    action: GatewayAction,
    type: GatewayResourceType,
    id: string,
    connector: string | undefined,
    client: string,
    args?: Record<string, unknown>,
  ): AuthorizationDecision | Promise<AuthorizationDecision> {
    try {
      const answer = authorize({
        principal,
        action,
        resource: connector === undefined ? { type, id } : { type, id, connector },
        context: args === undefined ? { client } : { client, arguments: args },
      });
      return isPromise(answer) ? answer.catch(authorizeFailed) : answer;
    } catch (error) {
      return authorizeFailed(error);
    }
  }

  function authorizeFailed(error: unknown): AuthorizationDecision {
    // Fail closed: a broken policy engine denies.
    emit({ kind: 'hook-failed', hook: 'authorize', message: scrubber.text(String(error)) });
    return { decision: 'deny', policyIds: [] };
  }

  /** The redacted value (undefined when the hook failed), synchronously when the hook answers synchronously. */
  function runRedaction(value: unknown): RedactionResult | undefined | Promise<RedactionResult | undefined> {
    const redaction = options.redaction;
    if (redaction === undefined) return { value, findings: [] };
    try {
      const answer = redaction.redact(value);
      return isPromise(answer) ? answer.catch(redactionFailed) : answer;
    } catch (error) {
      return redactionFailed(error);
    }
  }

  function redactionFailed(error: unknown): RedactionResult | undefined {
    emit({ kind: 'hook-failed', hook: 'redact', message: scrubber.text(String(error)) });
    // Fail closed: a result that could not be checked is not passed on.
    return undefined;
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
    const decisions = await Promise.all(items.map((item) => Promise.resolve(decide(action, type, id(item), connector(item), client))));
    return items.filter((_item, index) => decisions[index]?.decision === 'allow');
  }

  /**
   * The one path every call, get and read takes: authorize (a denial looks exactly like
   * an unknown name), call the upstream with cancellation, progress and a timeout, scrub
   * and redact the result, audit. On the hot path of `skillsync serve`: it awaits no
   * promise but the upstream's when the hooks answer synchronously, and builds each
   * audit record as one object literal (spreading optional parts cost microseconds).
   */
  async function governed<R>(operation: {
    readonly call: DownstreamCall;
    readonly action: GatewayAction;
    readonly type: GatewayResourceType;
    /** The name the client used (a namespaced name, or a resource URI): what the audit record names. */
    readonly target: string;
    /** What policies see: the name on the connector (the upstream's own tool or prompt name). Default `target` (a URI). */
    readonly resourceId?: string | undefined;
    readonly upstream: Upstream | undefined;
    readonly args?: Record<string, unknown>;
    readonly notFound: () => Error;
    /** Sends the request. `requestOptions()` are for the SDK client (the call's signal, the timeout, progress): a function, so a direct call, which needs none, never makes the signal. */
    readonly run: (upstream: Upstream, requestOptions: () => RequestOptions) => Promise<R>;
    readonly blocked: (findings: readonly RedactionFinding[]) => R;
  }): Promise<R> {
    const started = performance.now();
    const { call, action, target, upstream, args } = operation;
    const client = options.client ?? call.clientName() ?? 'unknown';
    let argumentsDigest: string | undefined;
    const digest = (): string | undefined => (args === undefined || options.audit === undefined ? undefined : (argumentsDigest ??= digestArguments(args)));
    const record = (decision: AuditRecord['decision'], policyIds: AuditRecord['policyIds'], outcome: AuditOutcome, detail?: string): boolean => {
      if (options.audit === undefined) return true;
      return appendAudit({
        time: env.now(),
        principal: principal.user,
        policyVersion: options.policyVersion,
        client,
        action,
        target,
        connector: upstream?.name,
        argumentsDigest: digest(),
        decision,
        policyIds,
        outcome,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        detail,
      });
    };
    if (upstream === undefined) {
      record('deny', undefined, 'error', 'unknown name');
      throw operation.notFound();
    }
    const decided = decide(action, operation.type, operation.resourceId ?? target, upstream.name, client, args);
    const verdict = isPromise(decided) ? await decided : decided;
    if (verdict.decision !== 'allow') {
      record('deny', verdict.policyIds, 'denied');
      throw operation.notFound();
    }
    const allowed = (outcome: AuditOutcome, detail?: string): boolean => record('allow', verdict.policyIds, outcome, detail);
    track(upstream.name, call);
    let result: R;
    try {
      const running = operation.run(upstream, () => ({
        signal: call.signal,
        timeout: requestTimeoutMs,
        resetTimeoutOnProgress: true,
        onprogress: (progress) => { call.progress(progress); },
      }));
      // The transports write on the next tick, which (when the hooks answered synchronously)
      // runs before this continues: the arguments' digest is computed while the connector
      // works, not before the request leaves.
      await Promise.resolve();
      digest();
      result = await running;
    } catch (error) {
      const mapped = mapUpstreamError(error, upstream, target, call.signal);
      allowed('error', mapped.message);
      throw mapped;
    } finally {
      untrack(upstream.name, call);
    }
    const scrubbed = scrubber.scrub(result);
    const redaction = runRedaction(scrubbed);
    const redacted = isPromise(redaction) ? await redaction : redaction;
    if (redacted === undefined) {
      allowed('blocked', 'the redaction hook failed');
      return operation.blocked([]);
    }
    const findings = redacted.findings.filter((finding) => finding.count > 0);
    if (findings.length === 0) {
      // No result leaves the gateway unrecorded.
      if (!allowed('ok')) throw unrecorded(target);
      return scrubbed;
    }
    if (options.redaction?.mode === 'block') {
      allowed('blocked', describeFindings(findings));
      return operation.blocked(findings);
    }
    if (!allowed('redacted', describeFindings(findings))) throw unrecorded(target);
    return redacted.value as R;
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

  /** The connector tools one session may see, by exposed name. */
  async function visibleTools(session: Session, client: string): Promise<[string, ToolRoute][]> {
    const routes = [...(await catalogFor(session)).tools.entries()];
    return filterVisible(routes, 'callTool', 'Tool', ([, route]) => route.name, ([, route]) => route.upstream.name, client);
  }

  /** New policies: each session whose visible tools changed since it listed them is told so. */
  async function policiesChanged(): Promise<void> {
    await Promise.all(
      [...sessions].map(async (session) => {
        const listed = session.listedTools;
        if (listed === undefined) return;
        const names = new Set((await visibleTools(session, listed.client)).map(([name]) => name));
        if (names.size === listed.names.size && [...names].every((name) => listed.names.has(name))) return;
        session.listedTools = { client: listed.client, names };
        await session.server.sendToolListChanged().catch(() => {
          // The session is closing; it reads the new list when it asks.
        });
      }),
    );
  }

  // ── the gateway's own skills, and the skills connectors serve ─────────────

  /**
   * Whether the principal may use one of the gateway's own skills: `useSkill` on
   * `Skill::"<name>"`, and every connector its sidecar requires (`requires.connectors`)
   * must be served by this gateway and usable: each tool the sidecar lists callable
   * (and let through by the connector's `tools:` allow-list), or, when it lists none,
   * at least one of the connector's tools. A skill bound to a connector the principal
   * may not use is denied like any other action.
   */
  async function skillDecision(skill: GatewaySkill, client: string): Promise<AuthorizationDecision> {
    const verdict = await decide('useSkill', 'Skill', skill.name, undefined, client);
    if (verdict.decision !== 'allow') return verdict;
    for (const connector of Object.keys(skill.requires.connectors).sort(byteOrder)) {
      const listed = skill.requires.connectors[connector]?.tools;
      const upstream = upstreams.find((candidate) => candidate.name === connector);
      if (upstream === undefined) return { decision: 'deny', policyIds: [] };
      const tools = listed ?? upstream.tools.map((tool) => tool.name);
      const decisions = await Promise.all(
        tools.map(async (tool) => (upstream.allows(tool) ? await decide('callTool', 'Tool', tool, connector, client) : { decision: 'deny' as const, policyIds: [] })),
      );
      const usable = listed === undefined ? decisions.some((decision) => decision.decision === 'allow') : decisions.every((decision) => decision.decision === 'allow');
      if (!usable) return { decision: 'deny', policyIds: decisions.flatMap((decision) => (decision.decision === 'deny' ? decision.policyIds : [])) };
    }
    return verdict;
  }

  async function visibleSkills(client: string): Promise<GatewaySkill[]> {
    const all = [...ownSkills.values()];
    const decisions = await Promise.all(all.map((skill) => skillDecision(skill, client)));
    return all.filter((_skill, index) => decisions[index]?.decision === 'allow');
  }

  /** Whether there are skills to serve at all: the gateway's own tools are listed (and answered) only then. */
  function servesSkills(): boolean {
    return ownSkills.size > 0 || skillConnectors().length > 0;
  }

  /** Connectors that declare the Skills extension (their skills are re-served under `skill://<connector>/`). */
  function skillConnectors(): Upstream[] {
    return upstreams.filter((upstream) => upstream.state === 'ready' && upstream.capabilities()?.extensions?.[SKILLS_EXTENSION_ID] !== undefined);
  }

  /** Every skill the connectors serve, URIs rewritten, as far as the principal may use them. A connector that fails to answer adds none. */
  async function connectorSkills(client: string, signal: AbortSignal): Promise<Skill[]> {
    const lists = await Promise.all(
      skillConnectors().map(async (upstream) => {
        const out: Skill[] = [];
        try {
          let cursor: string | undefined;
          for (let page = 0; page < MAX_SKILL_PAGES; page += 1) {
            const result = await liveClient(upstream).request(
              { method: SKILLS_LIST_METHOD, params: cursor === undefined ? {} : { cursor } },
              upstreamResult<{ skills?: unknown; nextCursor?: unknown }>(),
              { signal, timeout: requestTimeoutMs },
            );
            const skills = Array.isArray(result.skills) ? result.skills.filter(isSkillEntry) : [];
            for (const skill of skills) {
              if ((await decide('useSkill', 'Skill', entrySummary(skill).name, upstream.name, client)).decision === 'allow') {
                out.push(scrubber.scrub(rewriteSkillEntry(upstream.name, skill)));
              }
            }
            if (typeof result.nextCursor !== 'string' || result.nextCursor === cursor) break;
            cursor = result.nextCursor;
          }
        } catch {
          // Its skills are missing from this listing; its other offers are unaffected.
        }
        return out;
      }),
    );
    return lists.flat();
  }

  /** The 2026-07-28 caching fields (SEP-2549) for the gateway's own results: per principal, not cached. */
  function cacheFields(session: Session): { ttlMs?: number; cacheScope?: 'private' } {
    return session.era === 'modern' ? { ttlMs: 0, cacheScope: 'private' } : {};
  }

  /** Records a use of one of the gateway's own skills (its files are the user's own, so they are not redacted). */
  function auditSkill(client: string, target: string, verdict: AuthorizationDecision, started: number, outcome: AuditOutcome, detail?: string): boolean {
    return audit({
      client,
      action: 'useSkill',
      target,
      decision: verdict.decision,
      policyIds: verdict.policyIds,
      outcome,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      ...(detail === undefined ? {} : { detail }),
    });
  }

  /** A skill the client may use, by name or SKILL.md URI; undefined when unknown or denied (the two look the same). */
  async function usableOwnSkill(client: string, reference: string, started: number): Promise<GatewaySkill | undefined> {
    const skill = ownSkills.get(reference) ?? ownSkillPath(ownSkills, reference)?.skill;
    if (skill === undefined) {
      auditSkill(client, reference, { decision: 'deny', policyIds: [] }, started, 'error', 'unknown skill');
      return undefined;
    }
    const verdict = await skillDecision(skill, client);
    if (verdict.decision !== 'allow') {
      auditSkill(client, skill.name, verdict, started, 'denied');
      return undefined;
    }
    if (!auditSkill(client, skill.name, verdict, started, 'ok')) {
      throw new ProtocolError(ProtocolErrorCode.InternalError, `${skill.name}: skillsync could not record this use in its audit log, so it is withheld`);
    }
    return skill;
  }

  function skillPromptResult(skill: GatewaySkill): GetPromptResult {
    const files = skillFileList(skill);
    const messages: GetPromptResult['messages'] = [{ role: 'user', content: { type: 'text', text: `Use the skill "${skill.name}": ${skill.description}\n\n${skillBody(skill)}` } }];
    if (files.length > 0) {
      messages.push({
        role: 'user',
        content: {
          type: 'text',
          text: `The skill's other files (read them with ${LOAD_SKILL_TOOL} {"skill": "${skill.name}", "file": "<path>"} or resources/read of ${skill.uri.replace(/SKILL\.md$/, '<path>')} when the instructions call for them):\n${files.map((file) => `- ${file}`).join('\n')}`,
        },
      });
    }
    return { description: skill.description, messages };
  }

  async function callOwnTool(name: string, args: Record<string, unknown>, client: string, call: DownstreamCall): Promise<CallToolResult> {
    const started = performance.now();
    if (name === LIST_SKILLS_TOOL) {
      const own = (await visibleSkills(client)).map((skill) => ({ name: skill.name, description: skill.description, uri: skill.uri }));
      const served = (await connectorSkills(client, call.signal)).map((skill) => ({ ...entrySummary(skill), uri: skill.uri }));
      const skills = [...own, ...served];
      audit({ client, action: 'listSkills', decision: 'allow', outcome: 'ok', detail: `${skills.length} listed` });
      const text =
        skills.length === 0
          ? 'No skills are available.'
          : `${skills.map((skill) => `- ${skill.name} (${skill.uri}): ${skill.description}`).join('\n')}\n\nLoad one with ${LOAD_SKILL_TOOL} before you follow it.`;
      return { content: [{ type: 'text', text }], structuredContent: { skills } };
    }
    const reference = typeof args.skill === 'string' ? args.skill : '';
    const file = typeof args.file === 'string' && args.file !== '' ? args.file.replace(/^\.\//, '') : 'SKILL.md';
    const unknown = (): CallToolResult => ({ content: [{ type: 'text', text: `Unknown skill: ${reference}. ${LIST_SKILLS_TOOL} lists the skills available.` }], isError: true });
    const served = fromGatewaySkillUri(reference);
    if (served !== undefined) {
      // A connector's skill: read through the connector like any of its resources.
      const uri = file === 'SKILL.md' ? reference : reference.replace(/SKILL\.md$/, file);
      const route = resourceRoute(uri, call.session.era);
      const result = await governed<ReadResourceResult>({
        call,
        action: 'readResource',
        type: 'Resource',
        target: uri,
        upstream: route?.upstream,
        notFound: () => new ResourceNotFoundError(uri),
        run: (upstream, requestOptions) => liveClient(upstream).request({ method: 'resources/read', params: { uri: route?.uri ?? uri } }, upstreamResult<ReadResourceResult>(), requestOptions()),
        blocked: withheld(uri),
      }).catch(() => undefined);
      const text = result?.contents.map((item) => ('text' in item ? item.text : '')).join('\n');
      return text === undefined ? unknown() : { content: [{ type: 'text', text }] };
    }
    const skill = await usableOwnSkill(client, reference, started);
    if (skill === undefined) return unknown();
    if (file === 'SKILL.md') {
      const files = skillFileList(skill);
      const text = `${skillBody(skill)}${files.length > 0 ? `\n\n---\nFiles of this skill (load one with ${LOAD_SKILL_TOOL} and "file"):\n${files.map((entry) => `- ${entry}`).join('\n')}` : ''}`;
      return { content: [{ type: 'text', text }], structuredContent: { name: skill.name, description: skill.description, uri: skill.uri, files } };
    }
    const read = readOwnSkillFile(skill, file, `${skill.uri.slice(0, -'SKILL.md'.length)}${file}`);
    const contents = read?.contents[0];
    if (contents === undefined) return { content: [{ type: 'text', text: `The skill ${skill.name} has no file ${file}.` }], isError: true };
    return { content: [{ type: 'resource', resource: contents }] };
  }

  // ── the downstream server ──────────────────────────────────────────────────

  function createServer(serverOptions: CreateServerOptions): LowLevelServer {
    const naming =
      namespace === 'always'
        ? 'Tools and prompts are named <connector>__<name>; resources keep their URIs.'
        : 'Tools and prompts keep their own names unless two connectors offer the same one (then <connector>__<name>); resources keep their URIs.';
    const server = new LowLevelServer(serverInfo, {
      capabilities: CAPABILITIES,
      instructions: servesSkills() ? `${naming} Skills: ${LIST_SKILLS_TOOL} lists them and ${LOAD_SKILL_TOOL} loads one before you follow it.` : naming,
      debouncedNotificationMethods: ['notifications/tools/list_changed', 'notifications/prompts/list_changed', 'notifications/resources/list_changed'],
    });
    const session: Session = {
      id: randomBytes(8).toString('hex'),
      era: serverOptions.era,
      server,
      broadcast: serverOptions.broadcast ?? true,
      subscriptions: new Set(),
    };
    sessionOf.set(server, session);
    const sessionClient = (ctx: ServerContext): string | undefined => clientNameOf(session, ctx);

    server.setRequestHandler('tools/list', async (_request, ctx) => {
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const routes = [...(await catalogFor(session)).tools.entries()];
      const visible = await visibleTools(session, client);
      session.listedTools = { client, names: new Set(visible.map(([name]) => name)) };
      audit({ client, action: 'listTools', decision: 'allow', outcome: 'ok', detail: `${visible.length} of ${routes.length} listed` });
      return { tools: [...visible.map(([, route]) => route.listed), ...(servesSkills() ? OWN_TOOLS : [])] };
    });

    server.setRequestHandler('prompts/list', async (_request, ctx) => {
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const current = await catalogFor(session);
      const routes = [...current.prompts.entries()];
      const visible = await filterVisible(routes, 'getPrompt', 'Prompt', ([, route]) => route.name, ([, route]) => route.upstream.name, client);
      const skills = new Set(await visibleSkills(client));
      const skillPrompts: Prompt[] = [...current.skillPrompts]
        .filter(([, skill]) => skills.has(skill))
        .map(([exposed, skill]) => ({ name: exposed, title: skill.name, description: skill.description }));
      audit({ client, action: 'listPrompts', decision: 'allow', outcome: 'ok', detail: `${visible.length + skillPrompts.length} of ${routes.length + current.skillPrompts.size} listed` });
      return { prompts: [...visible.map(([, route]) => route.listed), ...skillPrompts] };
    });

    server.setRequestHandler('resources/list', async (_request, ctx) => {
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const entries = [...(await catalogFor(session)).resources.entries()];
      const visible = await filterVisible(entries, 'readResource', 'Resource', ([, route]) => route.uri, ([, route]) => route.upstream.name, client);
      // Each of the gateway's own skills lists its SKILL.md (SEP-2640 hosts look for it there).
      const skills = (await visibleSkills(client)).map(skillResource);
      audit({ client, action: 'listResources', decision: 'allow', outcome: 'ok', detail: `${visible.length + skills.length} of ${entries.length + ownSkills.size} listed` });
      return { resources: [...skills, ...visible.map(([, route]) => route.listed)] };
    });

    server.setRequestHandler('resources/templates/list', async (_request, ctx) => {
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const templates = (await catalogFor(session)).templates;
      // Asked like a resource whose URI is the template: a policy on a resource id can hide a whole family of resources.
      const visible = await filterVisible(templates, 'readResource', 'Resource', (route) => route.listed.uriTemplate, (route) => route.upstream.name, client);
      return { resourceTemplates: visible.map((route) => route.listed) };
    });

    server.setRequestHandler('tools/call', async (request, ctx) => {
      const name = request.params.name;
      const route = (await catalogFor(session)).tools.get(name);
      return withCall(session, ctx, route?.upstream, async (call) => {
        if (route === undefined && OWN_TOOL_NAMES.has(name) && servesSkills()) {
          return callOwnTool(name, request.params.arguments ?? {}, options.client ?? call.clientName() ?? 'unknown', call);
        }
        return governed<CallToolResult>({
          call,
          action: 'callTool',
          type: 'Tool',
          target: name,
          resourceId: route?.name,
          upstream: route?.upstream,
          args: request.params.arguments ?? {},
          notFound: () => unknownTool(name),
          run: async (upstream, requestOptions) => {
            const client = call.modern ?? liveClient(upstream);
            const params = { name: route?.name ?? name, arguments: request.params.arguments ?? {}, ...roundParams(call, ctx), ...forwardMeta(ctx, call) };
            return client.request({ method: 'tools/call', params }, upstreamResult<CallToolResult>(), roundOptions(call, requestOptions()));
          },
          blocked: withheldToolResult,
        });
      });
    });

    server.setRequestHandler('prompts/get', async (request, ctx) => {
      const name = request.params.name;
      const current = await catalogFor(session);
      const route = current.prompts.get(name);
      const skill = route === undefined ? current.skillPrompts.get(name) : undefined;
      if (skill !== undefined) {
        return (async () => {
          const started = performance.now();
          const usable = await usableOwnSkill(options.client ?? sessionClient(ctx) ?? 'unknown', skill.name, started);
          if (usable === undefined) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`);
          return skillPromptResult(usable);
        })();
      }
      return withCall(session, ctx, route?.upstream, (call) =>
        governed<GetPromptResult>({
          call,
          action: 'getPrompt',
          type: 'Prompt',
          target: name,
          resourceId: route?.name,
          upstream: route?.upstream,
          args: request.params.arguments ?? {},
          notFound: () => new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`),
          run: async (upstream, requestOptions) => {
            const params = {
              name: route?.name ?? name,
              ...(request.params.arguments === undefined ? {} : { arguments: request.params.arguments }),
              ...roundParams(call, ctx),
              ...forwardMeta(ctx, call),
            };
            return (call.modern ?? liveClient(upstream)).request({ method: 'prompts/get', params }, upstreamResult<GetPromptResult>(), roundOptions(call, requestOptions()));
          },
          blocked: withheld(`the prompt ${name}`),
        }),
      );
    });

    server.setRequestHandler('resources/read', async (request, ctx) => {
      const uri = request.params.uri;
      if (isOwnSkillUri(uri)) {
        return (async (): Promise<ReadResourceResult> => {
          const started = performance.now();
          const client = options.client ?? sessionClient(ctx) ?? 'unknown';
          const found = ownSkillPath(ownSkills, uri);
          const skill = found === undefined ? undefined : await usableOwnSkill(client, found.skill.name, started);
          const read = skill === undefined || found === undefined ? undefined : readOwnSkillFile(skill, found.file, uri);
          if (read === undefined) {
            if (skill !== undefined && found !== undefined && skill.dirs.has(found.file)) throw new ResourceNotFoundError(uri, `${uri} is a directory; use resources/directory/read`);
            throw new ResourceNotFoundError(uri);
          }
          return { ...read, ...cacheFields(session) };
        })();
      }
      if (session.era === 'modern') await catalogFor(session);
      const route = resourceRoute(uri, session.era);
      return withCall(session, ctx, route?.upstream, (call) =>
        governed<ReadResourceResult>({
          call,
          action: 'readResource',
          type: 'Resource',
          target: uri,
          upstream: route?.upstream,
          notFound: () => new ResourceNotFoundError(uri),
          run: async (upstream, requestOptions) => {
            const params = { uri: route?.uri ?? uri, ...roundParams(call, ctx), ...forwardMeta(ctx, call) };
            const result = await (call.modern ?? liveClient(upstream)).request({ method: 'resources/read', params }, upstreamResult<ReadResourceResult>(), roundOptions(call, requestOptions()));
            // A connector's skill:// contents keep the URI the client asked for.
            return route !== undefined && route.uri !== uri && Array.isArray(result.contents)
              ? { ...result, contents: result.contents.map((item) => ({ ...item, uri: toGatewaySkillUri(upstream.name, item.uri) })) }
              : result;
          },
          blocked: withheld(uri),
        }),
      );
    });

    // resources/subscribe and unsubscribe (2025-11-25): forwarded to the connector that
    // serves the URI, once however many sessions subscribe; its updates come back to each.
    server.setRequestHandler('resources/subscribe', async (request, ctx) => {
      const uri = request.params.uri;
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const route = resourceRoute(uri);
      if (route === undefined || (await decide('readResource', 'Resource', route.uri, route.upstream.name, client)).decision !== 'allow') throw new ResourceNotFoundError(uri);
      if (!route.upstream.subscribable) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${uri}: connector ${route.upstream.name} does not support resource subscriptions`);
      }
      let set = subscribers.get(uri);
      if (set === undefined || set.size === 0) {
        await liveClient(route.upstream).request({ method: 'resources/subscribe', params: { uri: route.uri } }, upstreamResult(), { signal: ctx.mcpReq.signal, timeout: requestTimeoutMs });
        set = subscribers.get(uri) ?? new Set();
        subscribers.set(uri, set);
      }
      set.add(session);
      session.subscriptions.add(uri);
      return {};
    });

    server.setRequestHandler('resources/unsubscribe', async (request, ctx) => {
      const uri = request.params.uri;
      session.subscriptions.delete(uri);
      await dropSubscriber(uri, session, ctx.mcpReq.signal);
      return {};
    });

    // ── SEP-2640: skills/list, skills/get, resources/directory/read ──

    server.setRequestHandler(SKILLS_LIST_METHOD, { params: z.looseObject({ cursor: z.string().optional() }) }, async (params, ctx) => {
      // One page: the gateway's own skills, then each connector's (in connector order).
      if (params.cursor !== undefined) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor');
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const own = (await visibleSkills(client)).map((skill) => skill.entry);
      const served = await connectorSkills(client, ctx.mcpReq.signal);
      audit({ client, action: 'listSkills', decision: 'allow', outcome: 'ok', detail: `${own.length + served.length} listed` });
      return { skills: [...own, ...served], ...cacheFields(session) };
    });

    server.setRequestHandler(SKILLS_GET_METHOD, { params: z.looseObject({ uri: z.string() }) }, async (params, ctx) => {
      const uri = params.uri;
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const unknown = (): ProtocolError => new ProtocolError(ProtocolErrorCode.InvalidParams, `No skill is served at ${uri}`);
      const own = ownSkillPath(ownSkills, uri);
      if (own !== undefined && own.skill.uri === uri) {
        const skill = await usableOwnSkill(client, own.skill.name, performance.now());
        if (skill === undefined) throw unknown();
        return { skill: skill.entry, ...cacheFields(session) };
      }
      const served = fromGatewaySkillUri(uri);
      const upstream = served === undefined ? undefined : skillConnectors().find((candidate) => candidate.name === served.connector);
      if (served === undefined || upstream === undefined) throw unknown();
      const result = await liveClient(upstream)
        .request({ method: SKILLS_GET_METHOD, params: { uri: served.uri } }, upstreamResult<{ skill?: unknown }>(), { signal: ctx.mcpReq.signal, timeout: requestTimeoutMs })
        .catch(() => undefined);
      const skill = result?.skill;
      if (!isSkillEntry(skill) || (await decide('useSkill', 'Skill', entrySummary(skill).name, upstream.name, client)).decision !== 'allow') throw unknown();
      return { skill: scrubber.scrub(rewriteSkillEntry(upstream.name, skill)), ...cacheFields(session) };
    });

    server.setRequestHandler(RESOURCES_DIRECTORY_READ_METHOD, { params: z.looseObject({ uri: z.string(), cursor: z.string().optional() }) }, async (params, ctx) => {
      const uri = params.uri;
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const notDirectory = (): ProtocolError => new ProtocolError(ProtocolErrorCode.InvalidParams, `${uri} is not a directory resource`);
      if (params.cursor !== undefined) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor');
      if (isOwnSkillUri(uri)) {
        const found = ownSkillPath(ownSkills, uri);
        const children = found === undefined ? undefined : ownSkillDirectory(found.skill, found.file);
        if (found === undefined || children === undefined || (await skillDecision(found.skill, client)).decision !== 'allow') throw notDirectory();
        return { resources: children, ...cacheFields(session) };
      }
      const route = resourceRoute(uri, session.era);
      const settings = route?.upstream.capabilities()?.extensions?.[SKILLS_EXTENSION_ID] as { directoryRead?: unknown } | undefined;
      if (route === undefined || settings?.directoryRead !== true || (await decide('readResource', 'Resource', route.uri, route.upstream.name, client)).decision !== 'allow') {
        throw notDirectory();
      }
      const result = await liveClient(route.upstream).request(
        { method: RESOURCES_DIRECTORY_READ_METHOD, params: { uri: route.uri } },
        upstreamResult<{ resources?: unknown }>(),
        { signal: ctx.mcpReq.signal, timeout: requestTimeoutMs },
      );
      const children = Array.isArray(result.resources) ? (result.resources as Resource[]) : [];
      return { resources: scrubber.scrub(children.map((child) => ({ ...child, uri: toGatewaySkillUri(route.upstream.name, child.uri) }))), ...cacheFields(session) };
    });

    server.setRequestHandler('completion/complete', async (request, ctx) => {
      const empty = { completion: { values: [] as string[] } };
      const ref = request.params.ref;
      let upstream: Upstream | undefined;
      let forwardedRef: typeof ref = ref;
      const client = options.client ?? sessionClient(ctx) ?? 'unknown';
      const current = await catalogFor(session);
      if (ref.type === 'ref/prompt') {
        const route = current.prompts.get(ref.name);
        if (route === undefined || (await decide('getPrompt', 'Prompt', route.name, route.upstream.name, client)).decision !== 'allow') return empty;
        upstream = route.upstream;
        forwardedRef = { ...ref, name: route.name };
      } else {
        const route = current.templates.find((candidate) => candidate.listed.uriTemplate === ref.uri);
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
      for (const uri of session.subscriptions) void dropSubscriber(uri, session);
      session.subscriptions.clear();
      if (sessions.delete(session)) emit({ kind: 'session-closed', session: session.id });
    };
    // Per-request instances (stateless HTTP) are not tracked: nothing is pushed to them.
    if (!closed && session.broadcast) {
      sessions.add(session);
      emit({ kind: 'session-opened', session: session.id, era: session.era, transport: serverOptions.transport });
    }
    return server;
  }

  /** Forgets one session's subscription; the last one out unsubscribes upstream. */
  async function dropSubscriber(uri: string, session: Session, signal?: AbortSignal): Promise<void> {
    const set = subscribers.get(uri);
    if (set === undefined || !set.delete(session) || set.size > 0) return;
    subscribers.delete(uri);
    const route = resourceRoute(uri);
    if (route === undefined || route.upstream.client === undefined) return;
    await route.upstream.client
      .request({ method: 'resources/unsubscribe', params: { uri: route.uri } }, upstreamResult(), { timeout: requestTimeoutMs, ...(signal === undefined ? {} : { signal }) })
      .catch(() => undefined);
  }

  /**
   * Runs one call, get or read for a downstream request.
   *
   * - 2025-11-25: the call lives as long as the request, and a connector's elicitation,
   *   sampling or roots request is sent to the client on the same connection.
   * - 2026-07-28, when the connector speaks it too: the request goes through unchanged on
   *   the connector's 2026-07-28 connection (`Upstream.modern`), `inputResponses` and
   *   `requestState` included, and an `input_required` result comes back as it is, so
   *   multi-round requests are the connector's own, keys and state unchanged.
   * - 2026-07-28 to a connector that speaks only 2025-11-25: the server cannot send the
   *   client requests, so the handler answers `input_required` with the connector's
   *   request, and the client's retry (carrying the gateway's `requestState`) resumes the
   *   same upstream call.
   */
  async function withCall<R extends Result>(
    session: Session,
    ctx: ServerContext,
    upstream: Upstream | undefined,
    body: (call: DownstreamCall) => Promise<R>,
  ): Promise<R | InputRequiredResult> {
    if (session.era === 'legacy') {
      const relay = progressRelay(ctx);
      const call: DownstreamCall = {
        session,
        signal: ctx.mcpReq.signal,
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- the 2025-11-25 accessor; this branch serves that era only.
        capabilities: () => session.server.getClientCapabilities(),
        clientName: () => clientNameOf(session, ctx),
        progress: relay.send,
        requestInput: (method, params, signal) => ctx.mcpReq.send({ method, params } as never, { signal, timeout: inputTimeoutMs }),
      };
      const result = await body(call);
      await relay.flush();
      return result;
    }
    const state = ctx.mcpReq.requestState();
    const resumed = typeof state === 'string' ? pending.get(state) : undefined;
    if (resumed !== undefined) {
      resumed.resume(ctx);
      return resumed.next(ctx) as Promise<R | InputRequiredResult>;
    }
    const modern = upstream === undefined ? undefined : await upstream.modern();
    if (upstream === undefined || modern !== undefined) {
      const relay = progressRelay(ctx);
      const call: DownstreamCall = {
        session,
        signal: ctx.mcpReq.signal,
        ...(modern === undefined ? {} : { modern }),
        capabilities: () => envelopeOf(ctx)?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined,
        clientName: () => clientNameOf(session, ctx),
        progress: relay.send,
        requestInput: (method) => Promise.reject(new ProtocolError(ProtocolErrorCode.InvalidRequest, `${method} cannot be sent to a 2026-07-28 client`)),
      };
      const result = await body(call);
      await relay.flush();
      return result;
    }
    if (typeof state === 'string') throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid or expired requestState', { reason: 'invalid_request_state' });
    const call = new PendingCall(session, ctx, inputTimeoutMs, (token) => pending.delete(token));
    pending.set(call.token, call);
    call.begin(body);
    return call.next(ctx) as Promise<R | InputRequiredResult>;
  }

  function directCalls(server: LowLevelServer, reply: (message: JSONRPCMessage) => Promise<void>): DirectCalls | undefined {
    const session = sessionOf.get(server);
    if (session?.era !== 'legacy') return undefined;
    /** The calls in flight, by the client's request id. */
    const running = new Map<string | number, DirectCall>();
    const answer = async (id: string | number, call: DirectCall, route: ToolRoute, name: string, args: Record<string, unknown>, meta: Record<string, unknown> | undefined): Promise<void> => {
      const forwarded = meta === undefined ? { name: route.name, arguments: args } : { name: route.name, arguments: args, _meta: meta };
      let message: JSONRPCMessage;
      try {
        const result = await governed<CallToolResult>({
          call,
          action: 'callTool',
          type: 'Tool',
          target: name,
          resourceId: route.name,
          upstream: route.upstream,
          args,
          notFound: () => unknownTool(name),
          run: (upstream, requestOptions) =>
            (upstream.callDirect('tools/call', forwarded, { timeout: requestTimeoutMs, cancellation: call.cancellation }) as Promise<CallToolResult> | undefined) ??
            liveClient(upstream).request({ method: 'tools/call', params: forwarded }, upstreamResult<CallToolResult>(), requestOptions()),
          blocked: withheldToolResult,
        });
        message = { jsonrpc: '2.0', id, result };
      } catch (error) {
        message = { jsonrpc: '2.0', id, error: errorBody(error) };
      }
      running.delete(id);
      // A cancelled call is not answered (JSON-RPC cancellation, as the SDK server does).
      if (!call.cancellation.cancelled) await reply(message).catch(() => undefined);
    };
    const take = (message: unknown): boolean => {
      if (!isRecord(message) || message.jsonrpc !== '2.0') return false;
      if (message.method === 'notifications/cancelled') {
        const requestId = isRecord(message.params) ? message.params.requestId : undefined;
        const call = typeof requestId === 'string' || typeof requestId === 'number' ? running.get(requestId) : undefined;
        call?.cancellation.cancel(new Error('cancelled by the client'));
        return call !== undefined;
      }
      const { id, params } = message;
      if (message.method !== 'tools/call' || (typeof id !== 'string' && typeof id !== 'number') || running.has(id) || !isRecord(params)) return false;
      // Exactly what a plain call carries: anything more (a progress token, a task) is the SDK's to handle.
      for (const key in params) if (key !== 'name' && key !== 'arguments' && key !== '_meta') return false;
      const { name, arguments: args = {}, _meta: meta } = params;
      if (typeof name !== 'string' || !isRecord(args) || !isPlainCallMeta(meta)) return false;
      // Not before the handshake, and never the gateway's own tools or a name it does not serve.
      if (legacyClientName(session) === undefined) return false;
      const route = currentCatalog('legacy').tools.get(name);
      if (route === undefined) return false;
      const call = new DirectCall(session, inputTimeoutMs);
      running.set(id, call);
      void answer(id, call, route, name, args, meta);
      return true;
    };
    return {
      take,
      close() {
        for (const call of running.values()) call.cancellation.cancel(new Error('the client disconnected'));
        running.clear();
      },
    };
  }

  /**
   * Stops serving a connector: out of every list at once, its subscriptions forgotten
   * (no session hears from it again), then its connections closed and its processes
   * ended. A call in flight to it fails; a later call answers as for an unknown name.
   */
  function withdraw(upstream: Upstream): Promise<void> {
    for (const [uri, set] of [...subscribers]) {
      if (resourceRoute(uri)?.upstream !== upstream) continue;
      subscribers.delete(uri);
      for (const session of set) session.subscriptions.delete(uri);
    }
    upstreams.splice(upstreams.indexOf(upstream), 1);
    return upstream.close();
  }

  /** Starts a connector added while the gateway runs; once it is ready, the clients are told to list again. */
  async function launch(upstream: Upstream): Promise<void> {
    await upstream.start();
    if (upstream.state !== 'ready' || !upstreams.includes(upstream)) return;
    emit({ kind: 'connector-ready', connector: upstream.name, status: upstream.status() });
    everyListChanged();
  }

  async function setConnectors(connectors: Readonly<Record<string, ConnectorDefinition>>): Promise<ConnectorChanges> {
    if (closed) return { stopped: [], started: [] };
    const wanted = new Map(enabledConnectors(connectors));
    const leaving = upstreams.filter((upstream) => !wanted.has(upstream.name));
    for (const name of [...invalid.keys()]) if (!wanted.has(name)) invalid.delete(name);
    const arriving: Upstream[] = [];
    for (const [name, definition] of wanted) {
      if (invalid.has(name) || upstreams.some((upstream) => upstream.name === name)) continue;
      const admitted = admit(name, definition);
      if (admitted instanceof Upstream) arriving.push(admitted);
      // Before `start`, it reports it with the others.
      else if (started) emit({ kind: 'connector-failed', connector: name, error: admitted });
    }
    const stopping = leaving.map(withdraw);
    upstreams.push(...arriving);
    upstreams.sort((a, b) => byteOrder(a.name, b.name));
    if (leaving.length > 0) everyListChanged();
    // Before `start`, the new ones start with the others.
    await Promise.all([...stopping, ...(started ? arriving.map(launch) : [])]);
    return { stopped: leaving.map((upstream) => upstream.name), started: arriving.filter((upstream) => upstream.state === 'ready').map((upstream) => upstream.name) };
  }

  return {
    async start() {
      started = true;
      for (const [name, { error }] of invalid) emit({ kind: 'connector-failed', connector: name, error });
      const loadingSkills = loadGatewaySkills(options.skills ?? []);
      await Promise.all(
        upstreams.map(async (upstream) => {
          await upstream.start();
          if (upstream.state === 'ready') emit({ kind: 'connector-ready', connector: upstream.name, status: upstream.status() });
        }),
      );
      const loaded = await loadingSkills;
      for (const problem of loaded.problems) emit({ kind: 'skill-skipped', skill: problem.skill, reason: problem.reason });
      ownSkills = new Map(loaded.skills.map((skill) => [skill.name, skill]));
      catalogs = {};
      return this.status();
    },
    status() {
      const failures: ConnectorStatus[] = [...invalid].map(([name, { definition, error }]) => ({
        name,
        transport: connectorTransport(definition),
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
    directCalls,
    policiesChanged,
    setConnectors,
    onListChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onResourceUpdated(listener) {
      updateListeners.add(listener);
      return () => updateListeners.delete(listener);
    },
    toolInputSchema(name) {
      // Asked by the HTTP entry for 2026-07-28 requests only.
      return currentCatalog('modern').tools.get(name)?.listed.inputSchema ?? OWN_TOOLS.find((tool) => tool.name === name)?.inputSchema;
    },
    skills() {
      return [...ownSkills.values()].map((skill) => ({ name: skill.name, uri: skill.uri }));
    },
    async close() {
      closed = true;
      for (const call of pending.values()) call.abort('the gateway is shutting down');
      pending.clear();
      subscribers.clear();
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

/** What a tool call answers when redaction blocks its result. */
function withheldToolResult(findings: readonly RedactionFinding[]): CallToolResult {
  return {
    content: [{ type: 'text', text: `skillsync withheld this result: it contains data your redaction policy blocks${findings.length > 0 ? ` (${describeFindings(findings)})` : ''}.` }],
    isError: true,
  };
}

/** A failure as a JSON-RPC error object, as the SDK's server writes one. */
function errorBody(error: unknown): { code: number; message: string; data?: unknown } {
  const { code, message, data } = (error ?? {}) as { code?: unknown; message?: unknown; data?: unknown };
  return {
    code: Number.isSafeInteger(code) ? (code as number) : ProtocolErrorCode.InternalError,
    message: typeof message === 'string' ? message : 'Internal error',
    ...(data === undefined ? {} : { data }),
  };
}

function unrecorded(target: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InternalError, `${target}: skillsync could not record this call in its audit log, so the result is withheld`);
}

function unknownTool(name: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
}

/** A `tools/call` request's `_meta` the direct path takes: none, or one without a progress token. */
function isPlainCallMeta(meta: unknown): meta is Record<string, unknown> | undefined {
  return meta === undefined || (isRecord(meta) && meta.progressToken === undefined);
}

/**
 * A call of the direct path (Gateway.directCalls): a plain 2025-11-25 `tools/call`, so no
 * progress goes back, and its signal is made only if something asks for it (cancellation.ts).
 */
class DirectCall implements DownstreamCall {
  readonly cancellation = new Cancellation();

  constructor(
    readonly session: Session,
    private readonly inputTimeoutMs: number,
  ) {}

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }

  capabilities(): ClientCapabilities | undefined {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the 2025-11-25 accessor; direct calls serve that era only.
    return this.session.server.getClientCapabilities();
  }

  clientName(): string | undefined {
    return legacyClientName(this.session);
  }

  progress(): void {
    // No progress token was asked for (requests with one take the SDK path).
  }

  requestInput(method: RoutedMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Result> {
    return this.session.server.request({ method, params } as never, { signal, timeout: this.inputTimeoutMs });
  }
}

function liveClient(upstream: Upstream): NonNullable<Upstream['client']> {
  const client = upstream.client;
  if (client === undefined || upstream.state !== 'ready') throw new Error(`connector ${upstream.name} is not connected`);
  return client;
}

/**
 * The request's `_meta` minus the progress token (the gateway sets its own upstream).
 * On the 2026-07-28 connection the client's declared capabilities go along too (they
 * take precedence over the gateway's own in the envelope), so the connector asks only
 * for input this client can give, as it would if the client were connected directly.
 */
function forwardMeta(ctx: ServerContext, call?: DownstreamCall): { _meta?: Record<string, unknown> } {
  const meta = ctx.mcpReq._meta;
  const rest: Record<string, unknown> = { ...meta };
  delete rest.progressToken;
  if (call?.modern !== undefined) {
    const capabilities = envelopeOf(ctx)?.[CLIENT_CAPABILITIES_META_KEY];
    if (capabilities !== undefined) rest[CLIENT_CAPABILITIES_META_KEY] = capabilities;
  }
  return Object.keys(rest).length === 0 ? {} : { _meta: rest };
}

/**
 * A 2026-07-28 round's `inputResponses` and `requestState` (the SDK takes them out of the
 * params into the context), passed on unchanged to the connector's 2026-07-28 connection.
 */
function roundParams(call: DownstreamCall, ctx: ServerContext): { inputResponses?: Record<string, unknown>; requestState?: string } {
  if (call.modern === undefined) return {};
  const inputResponses = ctx.mcpReq.inputResponses;
  const requestState = ctx.mcpReq.requestState();
  return { ...(inputResponses === undefined ? {} : { inputResponses }), ...(typeof requestState === 'string' ? { requestState } : {}) };
}

/** On the 2026-07-28 connection an `input_required` result is a result to pass back, not an error. */
function roundOptions(call: DownstreamCall, requestOptions: RequestOptions): RequestOptions {
  return call.modern === undefined ? requestOptions : { ...requestOptions, allowInputRequired: true };
}

/** The gateway's own tools: progressive disclosure of skills for clients that do not speak the Skills extension. */
const OWN_TOOLS: readonly Tool[] = [
  {
    name: LIST_SKILLS_TOOL,
    title: 'List skills',
    description: `Lists the skills available here: the name, description and URI of each. Before you follow a skill, load its instructions with ${LOAD_SKILL_TOOL}.`,
    inputSchema: { type: 'object', properties: {} },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: LOAD_SKILL_TOOL,
    title: 'Load a skill',
    description: `Returns a skill's instructions (its SKILL.md, without the frontmatter) and the list of its other files; with "file", returns that file instead. Skills come from ${LIST_SKILLS_TOOL}.`,
    inputSchema: {
      type: 'object',
      properties: {
        skill: { type: 'string', description: `The skill's name, or its SKILL.md URI, as ${LIST_SKILLS_TOOL} gives it.` },
        file: { type: 'string', description: 'A file of the skill, relative to its folder (references/guide.md). Omit it for the instructions.' },
      },
      required: ['skill'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
];

/**
 * Relays upstream progress to the client under the client's token, in order. `flush`
 * resolves once every notification relayed so far is sent: the result must not overtake
 * the last of them (a 2026-07-28 response stream ends with the result).
 */
function progressRelay(ctx: ServerContext): { send: (progress: Progress) => void; flush: () => Promise<void> } {
  const token = ctx.mcpReq._meta?.progressToken;
  let last: Promise<void> = Promise.resolve();
  return {
    send: (progress) => {
      if (token === undefined) return;
      last = last.then(() => ctx.mcpReq.notify({ method: 'notifications/progress', params: { ...progress, progressToken: token } }).catch(() => undefined));
    },
    flush: () => last,
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
  return legacyClientName(session);
}

/** The name a 2025-11-25 client gave in its handshake (undefined before it). */
function legacyClientName(session: Session): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the 2025-11-25 accessor; modern sessions read the envelope (clientNameOf).
  return session.server.getClientVersion()?.name;
}

/** A `blocked` handler for what is sent whole (a resource, a prompt): the request fails, naming what was withheld and why. */
function withheld(what: string): (findings: readonly RedactionFinding[]) => never {
  return (findings) => {
    throw new ProtocolError(ProtocolErrorCode.InternalError, `skillsync withheld ${what}: it contains data your redaction policy blocks (${describeFindings(findings)}).`);
  };
}

function describeFindings(findings: readonly RedactionFinding[]): string {
  return findings.map((finding) => `${finding.detector} ×${finding.count}`).join(', ');
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** The enabled connectors of a connector map (`enabled: false` ones are not served), in byte order of their names. */
function enabledConnectors(connectors: Readonly<Record<string, ConnectorDefinition>>): [string, ConnectorDefinition][] {
  return Object.keys(connectors)
    .sort(byteOrder)
    .flatMap((name) => {
      const definition = connectors[name];
      return definition === undefined || definition.enabled === false ? [] : [[name, definition] as [string, ConnectorDefinition]];
    });
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
    progressRelay(this.ctx).send(progress);
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
