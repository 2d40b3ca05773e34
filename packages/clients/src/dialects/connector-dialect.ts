import type { ConnectorDefinition } from '@skillsync/core';

export type Transport = 'stdio' | 'http' | 'sse';

/** The connector fields whose strings may hold `${env:…}` / `${secret:…}` references. */
export type ReferenceField = 'command' | 'args' | 'env' | 'cwd' | 'url' | 'headers';
export const REFERENCE_FIELDS: readonly ReferenceField[] = ['command', 'args', 'env', 'cwd', 'url', 'headers'];

/**
 * The client's own spelling of "the value of environment variable NAME".
 * `${NAME}` (Claude Code, Gemini CLI, Kiro), `${env:NAME}` (Cursor, Windsurf, VS Code),
 * `{env:NAME}` (opencode).
 */
export type TemplateSyntax = '${NAME}' | '${env:NAME}' | '{env:NAME}';

export type EnvInterpolation =
  /** The client expands references written in `syntax`, in `fields` only. */
  | {
      readonly kind: 'template';
      readonly syntax: TemplateSyntax;
      readonly fields: readonly ReferenceField[];
      /** The client also expands `$NAME` without braces, so a literal `$X` would change meaning. */
      readonly bareDollar?: boolean;
    }
  /** The client names variables instead of expanding them (Codex `env_vars`, `bearer_token_env_var`, `env_http_headers`). */
  | { readonly kind: 'by-name'; readonly description: string }
  | { readonly kind: 'none'; readonly reason: string };

export type ToolAllowList =
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'gateway-only'; readonly reason: string };

/** Key names and values of one client's server entry: the data half of a dialect. */
export interface EntryShape {
  /** Where the server name goes inside the entry, for list containers and Goose. */
  readonly nameKey?: string;
  /** `string+args`: `command` + `args`; `array`: one `command` array holding program and arguments (opencode). */
  readonly commandShape: 'string+args' | 'array';
  readonly keys: {
    readonly command: string;
    readonly args: string;
    readonly env: string;
    /** Absent: the client has no working-directory field. */
    readonly cwd?: string;
    readonly url: string;
    /** Absent: the client has no headers field for remote servers. */
    readonly headers?: string;
  };
  /** The key that names the transport, and its value per transport; a missing value means the key is left out. */
  readonly typeKey?: string;
  readonly typeValues: Partial<Record<Transport, string>>;
  /** Whether the client tells Streamable HTTP from SSE by itself, so `transport` is not written. */
  readonly remoteTransportDetected: boolean;
  /** How the entry is switched off: `enabled: false` or `disabled: true`; absent: it cannot be. */
  readonly toggle?: { readonly key: string; readonly meaning: 'enabled' | 'disabled'; readonly alwaysWrite: boolean };
  /** Fields a client expects in every entry it wrote itself (Goose `timeout`), per transport family. */
  readonly defaults?: { readonly stdio?: Readonly<Record<string, unknown>>; readonly remote?: Readonly<Record<string, unknown>> };
  /** Whether the entry has a `description` field. */
  readonly description: boolean;
}

/** A connector after references were translated to the client's syntax; what a dialect's `renderEntry` receives. */
export interface TranslatedConnector {
  readonly name: string;
  readonly connector: ConnectorDefinition;
}

export type EntryOutcome =
  | { readonly kind: 'entry'; readonly value: Record<string, unknown> }
  | { readonly kind: 'needs-gateway'; readonly reason: string };

/**
 * How one client spells a connector: data (`shape`, transports, interpolation, tool
 * allow-list) plus, where the data is not enough, a small function (Codex binds env
 * references by name).
 */
export interface ConnectorDialect {
  /** The client this dialect belongs to, for messages. */
  readonly clientName: string;
  readonly transports: readonly Transport[];
  readonly interpolation: EnvInterpolation;
  readonly toolAllowList: ToolAllowList;
  readonly shape: EntryShape;
  /**
   * What an entry with a URL and no transport key means to this client: `detected`
   * (it finds out; read as the default, Streamable HTTP), `sse` (Cline's old default),
   * `rejected` (Claude Code refuses it; read as Streamable HTTP with a warning).
   */
  readonly untypedRemote: 'detected' | 'sse' | 'rejected';
  /** Replaces the generic entry writer (Codex); receives the connector with manifest-syntax references. */
  readonly renderEntry?: (translated: TranslatedConnector, dialect: ConnectorDialect) => EntryOutcome;
}

/** The connector features of a capability table, read off the dialect so there is one truth. */
export interface ConnectorFeatures {
  readonly transports: readonly Transport[];
  readonly envInterpolation: EnvInterpolation;
  readonly toolAllowList: ToolAllowList;
  readonly workingDirectory: boolean;
  readonly headers: boolean;
  readonly disable: boolean;
}

export function connectorFeaturesOf(dialect: ConnectorDialect): ConnectorFeatures {
  return {
    transports: dialect.transports,
    envInterpolation: dialect.interpolation,
    toolAllowList: dialect.toolAllowList,
    workingDirectory: dialect.shape.keys.cwd !== undefined,
    headers: dialect.shape.keys.headers !== undefined,
    disable: dialect.shape.toggle !== undefined,
  };
}

export function defineDialect<const D extends ConnectorDialect>(dialect: D): D {
  return dialect;
}

/** Something the rendered entry cannot carry, and who takes care of it instead. */
export interface RenderNote {
  readonly field: keyof ConnectorDefinition;
  readonly message: string;
}

export type RenderResult =
  | { readonly kind: 'rendered'; readonly value: Record<string, unknown>; readonly notes: readonly RenderNote[] }
  | { readonly kind: 'needs-gateway'; readonly reason: string }
  | { readonly kind: 'unsupported'; readonly reason: string };

export type ReadResult =
  | {
      readonly kind: 'connector';
      readonly connector: ConnectorDefinition;
      /** Client-only keys the normalised connector does not carry (timeouts, OAuth, approvals, …). */
      readonly ignored: readonly string[];
      /** What did not translate cleanly: client-only variables, defaults dropped, malformed values. */
      readonly warnings: readonly string[];
    }
  /** An entry that is not a server skillsync can model: a built-in, an extension-provided server, an empty object. */
  | { readonly kind: 'not-a-connector'; readonly reason: string };
