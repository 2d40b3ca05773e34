import {
  Client,
  StreamableHTTPClientTransport,
  type Prompt,
  type Resource,
  type ResourceTemplateType,
  type Result,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/client';
import { connectorTransport, SkillsyncError, toSkillsyncError, type ConnectorDefinition, type Env, type SerializedError } from '@skillsync/core';
import { ChildProcessTransport } from './child-transport.js';
import { LegacySseClientTransport, type LogMessageParams } from './sdk.js';
import { resolveConnectorLaunch, type ResolveSecret } from './connector-launch.js';
import type { SecretScrubber } from './secret-scrub.js';

export type ConnectorState = 'starting' | 'ready' | 'failed' | 'closed';

export type ListKind = 'tools' | 'prompts' | 'resources';

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
export type RoutedMethod = 'elicitation/create' | 'sampling/createMessage';

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
  route(upstream: Upstream, method: RoutedMethod, params: Record<string, unknown>, signal: AbortSignal): Promise<Result>;
}

const STDERR_TAIL = 20;

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
  private readonly stderrTail: string[] = [];
  private readonly refreshing = new Map<ListKind, Promise<void>>();
  private readonly dirty = new Set<ListKind>();
  private readonly allowList: ReadonlySet<string> | undefined;

  constructor(
    readonly name: string,
    readonly definition: ConnectorDefinition,
    private readonly host: UpstreamHost,
  ) {
    this.transportKind = connectorTransport(definition);
    this.allowList = definition.tools === undefined ? undefined : new Set(definition.tools);
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
      const client = new Client(this.host.clientInfo, {
        capabilities: { elicitation: { form: {}, url: {} }, sampling: {} },
        listMaxPages: 64,
      });
      client.setRequestHandler('elicitation/create', (request, ctx) =>
        this.host.route(this, 'elicitation/create', request.params as Record<string, unknown>, ctx.mcpReq.signal) as never,
      );
      client.setRequestHandler('sampling/createMessage', (request, ctx) =>
        this.host.route(this, 'sampling/createMessage', request.params as Record<string, unknown>, ctx.mcpReq.signal) as never,
      );
      client.setNotificationHandler('notifications/tools/list_changed', () => this.refresh('tools'));
      client.setNotificationHandler('notifications/prompts/list_changed', () => this.refresh('prompts'));
      client.setNotificationHandler('notifications/resources/list_changed', () => this.refresh('resources'));
      client.setNotificationHandler('notifications/message', (notification) => {
        this.host.log(this, notification.params);
      });
      let transport: Transport;
      if (launch.kind === 'stdio') {
        transport = new ChildProcessTransport({
          command: launch.command,
          args: launch.args,
          cwd: launch.cwd,
          env: launch.env,
          onStderrLine: (line) => { this.onStderr(line); },
        });
      } else if (launch.kind === 'sse') {
        transport = new LegacySseClientTransport(launch.url, { requestInit: { headers: { ...launch.headers } } });
      } else {
        transport = new StreamableHTTPClientTransport(launch.url, { requestInit: { headers: { ...launch.headers } } });
      }
      this.transport = transport;
      this.client = client;
      await client.connect(transport, { timeout: this.host.connectTimeoutMs });
      client.onclose = () => {
        if (this.state === 'closed') return;
        this.fail(new SkillsyncError('GATEWAY_CONNECTOR_FAILED', `Connector ${this.name} closed its connection${this.stderrSummary()}.`, { details: { connector: this.name } }));
      };
      await Promise.all((['tools', 'prompts', 'resources'] as const).map((kind) => this.load(kind)));
      if (this.state === 'starting') this.state = 'ready';
    } catch (error) {
      await this.closeTransport();
      this.fail(this.describeFailure(error));
    }
  }

  async close(): Promise<void> {
    this.state = 'closed';
    await this.closeTransport();
  }

  /** Re-reads one list after a `list_changed` (coalescing bursts), then tells the host. */
  refresh(kind: ListKind): Promise<void> {
    const running = this.refreshing.get(kind);
    if (running !== undefined) {
      this.dirty.add(kind);
      return running;
    }
    const run = (async () => {
      do {
        this.dirty.delete(kind);
        try {
          await this.load(kind);
        } catch {
          // A failed re-read keeps the last list; the next list_changed tries again.
        }
      } while (this.dirty.has(kind) && this.state === 'ready');
    })().finally(() => {
      this.refreshing.delete(kind);
      if (this.state === 'ready') this.host.changed(this, [kind]);
    });
    this.refreshing.set(kind, run);
    return run;
  }

  private async load(kind: ListKind): Promise<void> {
    const client = this.client;
    const capabilities = client?.getServerCapabilities();
    if (client === undefined || capabilities === undefined) return;
    if (kind === 'tools') {
      if (capabilities.tools === undefined) return;
      const { tools } = await client.listTools(undefined, { cacheMode: 'bypass', timeout: this.host.connectTimeoutMs });
      this.tools = tools.filter((tool) => this.allows(tool.name));
    } else if (kind === 'prompts') {
      if (capabilities.prompts === undefined) return;
      this.prompts = (await client.listPrompts(undefined, { cacheMode: 'bypass', timeout: this.host.connectTimeoutMs })).prompts;
    } else {
      if (capabilities.resources === undefined) return;
      const [resources, templates] = await Promise.all([
        client.listResources(undefined, { cacheMode: 'bypass', timeout: this.host.connectTimeoutMs }),
        client.listResourceTemplates(undefined, { cacheMode: 'bypass', timeout: this.host.connectTimeoutMs }),
      ]);
      this.resources = resources.resources;
      this.templates = templates.resourceTemplates;
    }
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
