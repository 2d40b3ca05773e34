import { performance } from 'node:perf_hooks';
import {
  Client,
  DEFAULT_REQUEST_TIMEOUT_MSEC,
  ProtocolError,
  ProtocolErrorCode,
  StreamableHTTPClientTransport,
  type JSONRPCResponse,
  type Prompt,
  type Resource,
  type ResourceTemplateType,
  type Result,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/client';
import { connectorTransport, isRecord, SkillsyncError, toSkillsyncError, type ConnectorDefinition, type Env, type SerializedError } from '@skillsync/core';
import type { Cancellation } from './cancellation.js';
import { ChildProcessTransport } from './child-transport.js';
import { LegacySseClientTransport, type LogMessageParams } from './sdk.js';
import { resolveConnectorLaunch, type ResolveSecret } from './connector-launch.js';
import type { SecretScrubber } from './secret-scrub.js';

export type ConnectorState = 'starting' | 'ready' | 'failed' | 'closed';

export type ListKind = 'tools' | 'prompts' | 'resources';

/** Which connection: the 2025-11-25 one every connector has, or the 2026-07-28 one opened for 2026-07-28 clients. */
export type LinkEra = 'legacy' | 'modern';

/** What one connection of a connector offers. */
export interface UpstreamLists {
  readonly tools: readonly Tool[];
  readonly prompts: readonly Prompt[];
  readonly resources: readonly Resource[];
  readonly templates: readonly ResourceTemplateType[];
}

/** What `status()` reports for one connector: counts and state, never a value. */
export interface ConnectorStatus {
  readonly name: string;
  readonly transport: 'stdio' | 'http' | 'sse';
  readonly state: ConnectorState;
  readonly tools: number;
  readonly prompts: number;
  readonly resources: number;
  readonly resourceTemplates: number;
  /** The child's process id (stdio, while running). */
  readonly pid?: number;
  readonly error?: SerializedError;
}

/** Server→client requests the gateway can route back to a downstream client. */
export type RoutedMethod = 'elicitation/create' | 'sampling/createMessage' | 'roots/list';

/** The protocol revision of the second, lazily opened connection for 2026-07-28 clients. */
export const MODERN_REVISION = '2026-07-28';

/** How long the `server/discover` probe of that connection may take before the connector counts as 2025-11-25 only. */
const MODERN_PROBE_TIMEOUT_MS = 5_000;

/** How an upstream reports to the gateway. */
export interface UpstreamHost {
  readonly env: Env;
  readonly resolveSecret: ResolveSecret;
  readonly scrubber: SecretScrubber;
  readonly connectTimeoutMs: number;
  readonly clientInfo: { readonly name: string; readonly version: string };
  changed(upstream: Upstream, kinds: readonly ListKind[]): void;
  failed(upstream: Upstream, error: SkillsyncError): void;
  log(upstream: Upstream, params: LogMessageParams): void;
  stderr(upstream: Upstream, line: string): void;
  /** `notifications/resources/updated` for `uri` (the connector's own URI). */
  resourceUpdated(upstream: Upstream, uri: string): void;
  /** The 2026-07-28 connection opened or closed: what 2026-07-28 clients see may differ now. */
  linkChanged(upstream: Upstream): void;
  route(upstream: Upstream, method: RoutedMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Result>;
}

const STDERR_TAIL = 20;

/** What a direct request (`Upstream.callDirect`) waits for: its reply, or the end of the connection. */
type DirectReply = { readonly result: Result } | { readonly error: Error };

interface DirectRequestOptions {
  /** Milliseconds before the request fails and is cancelled upstream (default: the SDK's). */
  readonly timeout?: number;
  /** The downstream call's cancellation: the request fails and is cancelled upstream with it. */
  readonly cancellation?: Cancellation;
}

/** A direct request in flight. */
interface DirectRequest {
  readonly resolve: (result: Result) => void;
  readonly reject: (error: Error) => void;
  readonly cancellation: Cancellation | undefined;
  readonly timeout: number;
  /** performance.now() time. */
  readonly deadline: number;
}

/**
 * The SDK's client, with one ordering fix. It dispatches a notification one microtask
 * late but handles a response at once, dropping the request's progress handler; so a
 * progress notification that arrives together with its result (a server that reports
 * 100% and returns at once, over stdio) was lost. Handling responses one microtask late
 * too lets every notification read before the response reach its handler first.
 */
class UpstreamClient extends Client {
  protected override _onresponse(response: JSONRPCResponse): void {
    queueMicrotask(() => {
      super._onresponse(response);
    });
  }
}

/**
 * One connector as the gateway sees it: a live MCP client of the real server, and the
 * tools, prompts, resources and templates it offers (the tools narrowed to the
 * connector's allow-list). Lists are re-read when the server says they changed.
 */
export class Upstream {
  state: ConnectorState = 'starting';
  error: SkillsyncError | undefined;
  client: Client | undefined;
  tools: readonly Tool[] = [];
  prompts: readonly Prompt[] = [];
  resources: readonly Resource[] = [];
  templates: readonly ResourceTemplateType[] = [];
  readonly transportKind: 'stdio' | 'http' | 'sse';

  private transport: Transport | undefined;
  /** The 2026-07-28 connection: not tried yet (undefined), being opened or open (a client), or refused (undefined result). */
  private modernLink: Promise<Client | undefined> | undefined;
  private modernParts: { client: Client; transport: Transport; lists: UpstreamLists } | undefined;
  private readonly stderrTail: string[] = [];
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly allowList: ReadonlySet<string> | undefined;
  /** Direct requests in flight on the 2025-11-25 stdio connection, by their JSON-RPC id. */
  private readonly direct = new Map<string, DirectRequest>();
  private directSequence = 0;
  /** The timer of the direct requests' timeouts, and the deadline it is set for (performance.now() time). */
  private directTimer: NodeJS.Timeout | undefined;
  private directTimerAt = Infinity;

  constructor(
    readonly name: string,
    readonly definition: ConnectorDefinition,
    private readonly host: UpstreamHost,
  ) {
    this.transportKind = connectorTransport(definition);
    this.allowList = definition.tools === undefined ? undefined : new Set(definition.tools);
  }

  /**
   * What the connector offers on one connection. The 2026-07-28 connection (a second
   * process for stdio) may change its lists on its own, so 2026-07-28 clients see its
   * lists once it is open, and the 2025-11-25 one's until then.
   */
  lists(era: LinkEra): UpstreamLists {
    return era === 'modern' && this.modernParts !== undefined ? this.modernParts.lists : this;
  }

  /** Whether the connector's `tools` allow-list lets `tool` through (no list: every tool). */
  allows(tool: string): boolean {
    return this.allowList === undefined || this.allowList.has(tool);
  }

  status(): ConnectorStatus {
    const pid = this.transport instanceof ChildProcessTransport ? this.transport.pid : undefined;
    return {
      name: this.name,
      transport: this.transportKind,
      state: this.state,
      tools: this.tools.length,
      prompts: this.prompts.length,
      resources: this.resources.length,
      resourceTemplates: this.templates.length,
      ...(pid !== undefined && this.state === 'ready' ? { pid } : {}),
      ...(this.error === undefined ? {} : { error: this.error.toJSON() }),
    };
  }

  /** Connects and reads the lists. Never rejects: a failure is the state `failed` with a coded error. */
  async start(): Promise<void> {
    try {
      const launch = await resolveConnectorLaunch(this.name, this.definition, { env: this.host.env, resolveSecret: this.host.resolveSecret });
      this.host.scrubber.add(launch.secrets);
      // Closed while its secrets were looked up: nothing was spawned, and nothing must be now.
      if (this.state === 'closed') return;
      const client = new UpstreamClient(this.host.clientInfo, {
        capabilities: { elicitation: { form: {}, url: {} }, sampling: {}, roots: {} },
        listMaxPages: 64,
      });
      client.setRequestHandler('elicitation/create', (request, ctx) =>
        this.host.route(this, 'elicitation/create', request.params as Record<string, unknown>, ctx.mcpReq.signal) as never,
      );
      client.setRequestHandler('sampling/createMessage', (request, ctx) =>
        this.host.route(this, 'sampling/createMessage', request.params as Record<string, unknown>, ctx.mcpReq.signal) as never,
      );
      client.setRequestHandler('roots/list', (request, ctx) =>
        this.host.route(this, 'roots/list', (request.params ?? {}) as Record<string, unknown>, ctx.mcpReq.signal) as never,
      );
      this.listenForChanges(client, 'legacy');
      client.setNotificationHandler('notifications/message', (notification) => {
        this.host.log(this, notification.params);
      });
      const transport = this.createTransport(launch);
      if (transport instanceof ChildProcessTransport) transport.intercept = (message) => this.takeDirectReply(message);
      this.transport = transport;
      this.client = client;
      await client.connect(transport, { timeout: this.host.connectTimeoutMs });
      client.onclose = () => {
        if (this.state === 'closed') return;
        this.fail(new SkillsyncError('GATEWAY_CONNECTOR_FAILED', `Connector ${this.name} closed its connection${this.stderrSummary()}.`, { details: { connector: this.name } }));
      };
      const lists = await this.readLists(client);
      this.tools = lists.tools;
      this.prompts = lists.prompts;
      this.resources = lists.resources;
      this.templates = lists.templates;
      if (this.state === 'starting') this.state = 'ready';
    } catch (error) {
      await this.closeTransport();
      this.fail(this.describeFailure(error));
    }
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.dropDirect();
    await Promise.all([this.closeTransport(), this.closeModern()]);
  }

  /**
   * Sends one request on the 2025-11-25 stdio connection around the SDK client: the
   * gateway's hot path (`tools/call`). The reply is taken off the wire by its id (a
   * string, never one of the client's numbers) before the client would check it against
   * the spec's schema, and resolves with the connector's result as it is (any JSON
   * object), or rejects with its error as a ProtocolError. A timeout or the call's
   * cancellation rejects and sends `notifications/cancelled`, as the SDK's `request`
   * does. Undefined when the connector is not a ready stdio child: use `client.request`.
   */
  callDirect(method: string, params: Record<string, unknown>, options: DirectRequestOptions): Promise<Result> | undefined {
    const transport = this.transport;
    if (this.state !== 'ready' || !(transport instanceof ChildProcessTransport)) return undefined;
    const { cancellation } = options;
    if (cancellation?.cancelled === true) return Promise.reject(new Error('cancelled'));
    const timeout = options.timeout ?? DEFAULT_REQUEST_TIMEOUT_MSEC;
    const id = `skillsync-${(this.directSequence += 1)}`;
    return new Promise<Result>((resolve, reject) => {
      const request: DirectRequest = { resolve, reject, cancellation, timeout, deadline: performance.now() + timeout };
      this.direct.set(id, request);
      if (cancellation !== undefined) {
        cancellation.onCancel = (reason) => {
          this.abandonDirect(id, reason, 'cancelled by the client');
        };
      }
      this.armDirectTimer(request.deadline);
      transport.send({ jsonrpc: '2.0', id, method, params }).catch((error: unknown) => {
        this.settleDirect(id, { error: error instanceof Error ? error : new Error(String(error)) });
      });
    });
  }

  private settleDirect(id: string, reply: DirectReply): void {
    const request = this.direct.get(id);
    if (request === undefined) return;
    this.direct.delete(id);
    if (request.cancellation !== undefined) request.cancellation.onCancel = undefined;
    if ('error' in reply) request.reject(reply.error);
    else request.resolve(reply.result);
  }

  /** Ends a direct request the gateway no longer waits for, and tells the connector to stop. */
  private abandonDirect(id: string, error: Error, reason: string): void {
    this.settleDirect(id, { error });
    this.transport?.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } }).catch(() => undefined);
  }

  /**
   * One timer for every direct request's timeout, set for the earliest deadline: a timer
   * per request would be set and cleared on every call, and hardly any times out.
   */
  private armDirectTimer(deadline: number): void {
    if (deadline >= this.directTimerAt) return;
    clearTimeout(this.directTimer);
    this.directTimerAt = deadline;
    this.directTimer = setTimeout(() => {
      this.expireDirect();
    }, Math.max(1, Math.ceil(deadline - performance.now())));
    // The child's pipes keep the process alive while a request waits; this timer never needs to.
    this.directTimer.unref();
  }

  private expireDirect(): void {
    this.directTimer = undefined;
    this.directTimerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [id, request] of this.direct) {
      if (request.deadline <= now) this.abandonDirect(id, new Error(`Request timed out after ${request.timeout} ms`), 'timed out');
      else next = Math.min(next, request.deadline);
    }
    if (next !== Infinity) this.armDirectTimer(next);
  }

  /** Takes a reply to a direct request off the wire (the stdio transport's interceptor). */
  private takeDirectReply(message: unknown): boolean {
    if (typeof message !== 'object' || message === null) return false;
    const { id, result, error } = message as { id?: unknown; result?: unknown; error?: unknown };
    if (typeof id !== 'string') return false;
    if (!this.direct.has(id)) return false;
    if (isRecord(result)) {
      this.settleDirect(id, { result });
    } else if (isRecord(error)) {
      const { code, message: text, data } = error as { code?: unknown; message?: unknown; data?: unknown };
      this.settleDirect(id, { error: ProtocolError.fromError(typeof code === 'number' ? code : ProtocolErrorCode.InternalError, typeof text === 'string' ? text : 'Internal error', data) });
    } else {
      this.settleDirect(id, { error: new Error('the connector answered with a malformed JSON-RPC response') });
    }
    return true;
  }

  /** Ends every direct request in flight: the connection they were sent on is gone. */
  private dropDirect(): void {
    const error = new Error(`connector ${this.name} closed its connection`);
    for (const id of [...this.direct.keys()]) this.settleDirect(id, { error });
    clearTimeout(this.directTimer);
    this.directTimer = undefined;
    this.directTimerAt = Infinity;
  }

  /** Whether the connector said it supports `resources/subscribe`. */
  get subscribable(): boolean {
    return this.client?.getServerCapabilities()?.resources?.subscribe === true;
  }

  /** The capabilities the connector declared (on the 2025-11-25 connection). */
  capabilities(): ReturnType<Client['getServerCapabilities']> {
    return this.client?.getServerCapabilities();
  }

  /**
   * The connection for 2026-07-28 clients, opened on first use: a second connection to
   * the same server (for stdio, a second process) pinned to 2026-07-28, so requests,
   * \`input_required\` results and their retries pass through unchanged. Undefined when
   * the connector does not speak 2026-07-28 (remembered: it is asked once) or is not
   * ready; the gateway then serves those clients over the 2025-11-25 connection.
   */
  modern(): Promise<Client | undefined> {
    if (this.state !== 'ready' || this.transportKind === 'sse') return Promise.resolve(undefined);
    this.modernLink ??= this.connectModern();
    return this.modernLink;
  }

  private async connectModern(): Promise<Client | undefined> {
    let transport: Transport | undefined;
    try {
      const launch = await resolveConnectorLaunch(this.name, this.definition, { env: this.host.env, resolveSecret: this.host.resolveSecret });
      this.host.scrubber.add(launch.secrets);
      const client = new UpstreamClient(this.host.clientInfo, {
        capabilities: { elicitation: { form: {}, url: {} }, sampling: {}, roots: {} },
        versionNegotiation: { mode: { pin: MODERN_REVISION }, probe: { timeoutMs: Math.min(MODERN_PROBE_TIMEOUT_MS, this.host.connectTimeoutMs) } },
        // Input requests go back to the client that asked, unchanged: the gateway never answers them itself.
        inputRequired: { autoFulfill: false },
        listMaxPages: 64,
      });
      this.listenForChanges(client, 'modern');
      transport = this.createTransport(launch);
      await client.connect(transport, { timeout: this.host.connectTimeoutMs });
      const lists = await this.readLists(client);
      if (this.state !== 'ready') {
        await client.close().catch(() => undefined);
        return undefined;
      }
      this.modernParts = { client, transport, lists };
      client.onclose = () => {
        // Opened again by the next request that needs it.
        if (this.modernParts?.client === client) this.modernParts = undefined;
        this.modernLink = undefined;
        this.host.linkChanged(this);
      };
      this.host.linkChanged(this);
      // List changes reach a 2026-07-28 client only on a subscriptions/listen stream.
      client.listen({ toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true }).catch(() => undefined);
      return client;
    } catch {
      await transport?.close().catch(() => undefined);
      return undefined;
    }
  }

  private async closeModern(): Promise<void> {
    const parts = this.modernParts;
    this.modernParts = undefined;
    this.modernLink = Promise.resolve(undefined);
    if (parts === undefined) return;
    parts.client.onclose = undefined;
    await parts.client.close().catch(() => undefined);
    await parts.transport.close().catch(() => undefined);
  }

  private listenForChanges(client: Client, era: LinkEra): void {
    client.setNotificationHandler('notifications/tools/list_changed', () => this.refresh('tools', era));
    client.setNotificationHandler('notifications/prompts/list_changed', () => this.refresh('prompts', era));
    client.setNotificationHandler('notifications/resources/list_changed', () => this.refresh('resources', era));
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      this.host.resourceUpdated(this, notification.params.uri);
    });
  }

  private createTransport(launch: Awaited<ReturnType<typeof resolveConnectorLaunch>>): Transport {
    if (launch.kind === 'stdio') {
      return new ChildProcessTransport({
        command: launch.command,
        args: launch.args,
        cwd: launch.cwd,
        env: launch.env,
        platform: this.host.env.platform,
        onStderrLine: (line) => { this.onStderr(line); },
      });
    }
    if (launch.kind === 'sse') return new LegacySseClientTransport(launch.url, { requestInit: { headers: { ...launch.headers } } });
    return new StreamableHTTPClientTransport(launch.url, { requestInit: { headers: { ...launch.headers } } });
  }

  /** Re-reads one list of one connection after a `list_changed` (coalescing bursts), then tells the host. */
  refresh(kind: ListKind, era: LinkEra = 'legacy'): Promise<void> {
    const key = `${era}:${kind}`;
    const running = this.refreshing.get(key);
    if (running !== undefined) {
      this.dirty.add(key);
      return running;
    }
    const run = (async () => {
      do {
        this.dirty.delete(key);
        try {
          await this.reload(kind, era);
        } catch {
          // A failed re-read keeps the last list; the next list_changed tries again.
        }
      } while (this.dirty.has(key) && this.state === 'ready');
    })().finally(() => {
      this.refreshing.delete(key);
      if (this.state === 'ready') this.host.changed(this, [kind]);
    });
    this.refreshing.set(key, run);
    return run;
  }

  private async reload(kind: ListKind, era: LinkEra): Promise<void> {
    if (era === 'legacy') {
      if (this.client === undefined) return;
      const lists = await this.readLists(this.client, kind);
      if (kind === 'tools') this.tools = lists.tools;
      else if (kind === 'prompts') this.prompts = lists.prompts;
      else {
        this.resources = lists.resources;
        this.templates = lists.templates;
      }
      return;
    }
    const parts = this.modernParts;
    if (parts === undefined) return;
    const lists = await this.readLists(parts.client, kind);
    parts.lists = { ...parts.lists, ...(kind === 'tools' ? { tools: lists.tools } : kind === 'prompts' ? { prompts: lists.prompts } : { resources: lists.resources, templates: lists.templates }) };
  }

  /** Reads the lists of one connection (`only`: just that kind; the others come back empty). */
  private async readLists(client: Client, only?: ListKind): Promise<UpstreamLists> {
    const capabilities = client.getServerCapabilities();
    const options = { cacheMode: 'bypass' as const, timeout: this.host.connectTimeoutMs };
    const wanted = (kind: ListKind): boolean => only === undefined || only === kind;
    const [tools, prompts, resources, templates] = await Promise.all([
      wanted('tools') && capabilities?.tools !== undefined ? client.listTools(undefined, options).then((result) => result.tools.filter((tool) => this.allows(tool.name))) : [],
      wanted('prompts') && capabilities?.prompts !== undefined ? client.listPrompts(undefined, options).then((result) => result.prompts) : [],
      wanted('resources') && capabilities?.resources !== undefined ? client.listResources(undefined, options).then((result) => result.resources) : [],
      wanted('resources') && capabilities?.resources !== undefined ? client.listResourceTemplates(undefined, options).then((result) => result.resourceTemplates) : [],
    ]);
    return { tools, prompts, resources, templates };
  }

  private fail(error: SkillsyncError): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'failed';
    this.error = error;
    this.tools = [];
    this.prompts = [];
    this.resources = [];
    this.templates = [];
    this.host.failed(this, error);
    this.dropDirect();
    void this.closeModern();
    if (wasReady) this.host.changed(this, ['tools', 'prompts', 'resources']);
  }

  private describeFailure(error: unknown): SkillsyncError {
    if (error instanceof SkillsyncError) return error;
    const cause = toSkillsyncError(error);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const what =
      this.definition.command !== undefined
        ? code === 'ENOENT'
          ? `could not start: the command ${this.definition.command} was not found`
          : `failed to start (${this.host.scrubber.text(cause.message)})`
        : `could not be reached at its url (${this.host.scrubber.text(cause.message)})`;
    return new SkillsyncError('GATEWAY_CONNECTOR_FAILED', `Connector ${this.name} ${what}${this.stderrSummary()}.`, {
      details: { connector: this.name, transport: this.transportKind },
    });
  }

  private stderrSummary(): string {
    const tail = this.stderrTail.filter((line) => line.trim() !== '').slice(-3);
    return tail.length === 0 ? '' : `; its last output: ${tail.join(' | ')}`;
  }

  private onStderr(line: string): void {
    const safe = this.host.scrubber.text(line);
    this.stderrTail.push(safe.length > 500 ? `${safe.slice(0, 500)}…` : safe);
    if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
    this.host.stderr(this, safe);
  }

  private async closeTransport(): Promise<void> {
    const client = this.client;
    const transport = this.transport;
    this.client = undefined;
    this.transport = undefined;
    try {
      if (client !== undefined) {
        client.onclose = undefined;
        await client.close();
      }
      // The client closes its transport; this covers a connect that failed half-way.
      await transport?.close();
    } catch {
      // Closing is best effort; the child transport escalates to SIGKILL on its own.
    }
  }
}
