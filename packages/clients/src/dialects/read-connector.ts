import type { ConnectorDefinition } from '@skillsync/core';
import type { ConnectorDialect, ReadResult, ReferenceField, Transport } from './connector-dialect.js';
import { untranslateTemplate } from './interpolation.js';

/** Every spelling of a transport seen across clients, old and new. */
const transportNames: Readonly<Record<string, Transport>> = {
  stdio: 'stdio',
  local: 'stdio',
  http: 'http',
  'streamable-http': 'http',
  streamableHttp: 'http',
  streamable_http: 'http',
  streamablehttp: 'http',
  remote: 'http',
  sse: 'sse',
};

/** Types that name something other than a server we can model. */
const foreignTypes: Readonly<Record<string, string>> = {
  builtin: 'a Goose built-in extension',
  platform: 'a Goose platform extension',
  frontend: 'a Goose frontend extension',
  inline_python: 'a Goose inline Python extension',
  ws: 'a WebSocket server (not modelled)',
  websocket: 'a WebSocket server (not modelled)',
  tcp: 'a TCP server (not modelled)',
};

const consumed = new Set([
  'type',
  'transport',
  'command',
  'cmd',
  'args',
  'env',
  'environment',
  'envs',
  'cwd',
  'url',
  'serverUrl',
  'httpUrl',
  'uri',
  'headers',
  'http_headers',
  'env_vars',
  'bearer_token_env_var',
  'env_http_headers',
  'includeTools',
  'enabled_tools',
  'available_tools',
  'enabled',
  'disabled',
  'description',
]);

/**
 * One server entry of a client file → the normalised connector, for `import` and drift.
 * Tolerant: it accepts every variant any supported client writes or once wrote
 * (`serverUrl`, `httpUrl`, `uri`; `env` / `environment` / `envs`; `cmd`; opencode's
 * command array; Zed's `{ path, args, env }` and `source: "custom"`; Cline's nested
 * `transport`; Codex's variables by name), and reports what it could not carry.
 */
export function readConnector(value: unknown, dialect: ConnectorDialect): ReadResult {
  if (!isRecord(value)) return { kind: 'not-a-connector', reason: 'the entry is not an object' };
  const warnings: string[] = [];
  const entry = flattenNestedTransport(value);

  const rawType = typeof entry.type === 'string' ? entry.type : typeof entry.transport === 'string' ? entry.transport : undefined;
  if (rawType !== undefined && rawType in foreignTypes) return { kind: 'not-a-connector', reason: foreignTypes[rawType] ?? rawType };
  let typed: Transport | undefined;
  if (rawType !== undefined) {
    typed = transportNames[rawType] ?? transportNames[rawType.toLowerCase()];
    if (typed === undefined) warnings.push(`unknown transport type ${JSON.stringify(rawType)}`);
  }

  const stdio = readCommand(entry, warnings);
  const remoteUrl = firstString(entry, ['url', 'serverUrl', 'httpUrl', 'uri']);
  const wantsRemote = typed === 'http' || typed === 'sse';
  if (stdio === undefined && remoteUrl === undefined) {
    return { kind: 'not-a-connector', reason: 'the entry has neither a command nor a URL (a placeholder, or a server provided by an extension)' };
  }
  if (stdio !== undefined && stdio.command === '') return { kind: 'not-a-connector', reason: 'the entry has an empty command' };
  if (remoteUrl !== undefined && remoteUrl === '') return { kind: 'not-a-connector', reason: 'the entry has an empty URL' };

  let connector: Mutable<ConnectorDefinition>;
  if (stdio !== undefined && (remoteUrl === undefined || !wantsRemote)) {
    if (remoteUrl !== undefined) warnings.push('the entry has both a command and a URL; the command wins');
    connector = { command: stdio.command };
    if (stdio.args !== undefined) connector.args = stdio.args;
    const env = { ...stdio.env, ...readStringMap(entry, ['env', 'environment', 'envs'], warnings) };
    for (const name of readEnvVars(entry.env_vars, warnings)) env[name] = `\${env:${name}}`;
    // An empty map means nothing; dropping it keeps Goose's always-written `envs: {}` from reading as a change.
    if (Object.keys(env).length > 0) connector.env = env;
    if (typeof entry.cwd === 'string') connector.cwd = entry.cwd;
  } else {
    if (stdio !== undefined) warnings.push('the entry has both a command and a URL; its type says remote, so the URL wins');
    connector = { url: remoteUrl ?? '' };
    const transport = typed === 'stdio' || typed === undefined ? remoteTransportOf(entry, dialect, warnings) : typed;
    if (transport === 'sse') connector.transport = 'sse';
    const headers = readStringMap(entry, ['headers', 'http_headers'], warnings);
    if (typeof entry.bearer_token_env_var === 'string') headers.Authorization = `Bearer \${env:${entry.bearer_token_env_var}}`;
    if (isRecord(entry.env_http_headers)) {
      for (const [header, variable] of Object.entries(entry.env_http_headers)) if (typeof variable === 'string') headers[header] = `\${env:${variable}}`;
    }
    if (Object.keys(headers).length > 0) connector.headers = headers;
  }

  const transport: Transport = connector.command !== undefined ? 'stdio' : (connector.transport ?? 'http');
  if (!dialect.transports.includes(transport)) warnings.push(`${dialect.clientName} does not read ${transport} servers from this file`);
  const tools = readTools(entry);
  if (tools !== undefined) connector.tools = tools;
  const enabled = readEnabled(entry, warnings);
  if (enabled === false) connector.enabled = false;
  if (typeof entry.description === 'string' && entry.description !== '') connector.description = entry.description;

  const ignored = Object.keys(entry).filter((key) => !consumed.has(key) && key !== dialect.shape.nameKey && key !== 'source' && key !== 'name');
  return { kind: 'connector', connector: fromClientSyntax(connector, dialect, warnings), ignored, warnings };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface StdioParts {
  readonly command: string;
  readonly args?: string[];
  readonly env?: Record<string, string>;
}

function readCommand(entry: Record<string, unknown>, warnings: string[]): StdioParts | undefined {
  const raw = entry.command ?? entry.cmd;
  const separateArgs = Array.isArray(entry.args) ? stringsIn(entry.args, 'args', warnings) : undefined;
  if (typeof raw === 'string') return separateArgs === undefined ? { command: raw } : { command: raw, args: separateArgs };
  if (Array.isArray(raw)) {
    // opencode: program and arguments in one array.
    const [command, ...args] = stringsIn(raw, 'command', warnings);
    if (command === undefined) return { command: '' };
    const all = [...args, ...(separateArgs ?? [])];
    return all.length > 0 ? { command, args: all } : { command };
  }
  if (isRecord(raw) && typeof raw.path === 'string') {
    // Zed before 2025: `command: { path, args, env }`.
    const args = Array.isArray(raw.args) ? stringsIn(raw.args, 'command.args', warnings) : separateArgs;
    const env = isRecord(raw.env) ? toStringMap(raw.env, 'command.env', warnings) : undefined;
    return { command: raw.path, ...(args !== undefined && { args }), ...(env !== undefined && { env }) };
  }
  return undefined;
}

/** Cline's CLI writes `{ transport: { type, url, … }, disabled }`; the extension reads it flat. */
function flattenNestedTransport(value: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(value.transport)) return value;
  const { transport, ...rest } = value;
  return { ...transport, ...rest };
}

function remoteTransportOf(entry: Record<string, unknown>, dialect: ConnectorDialect, warnings: string[]): Transport {
  // Gemini's legacy `httpUrl` is Streamable HTTP whatever the default.
  if (typeof entry.httpUrl === 'string') return 'http';
  if (dialect.untypedRemote === 'sse') return 'sse';
  if (dialect.untypedRemote === 'rejected') warnings.push(`${dialect.clientName} rejects a remote server without \`${dialect.shape.typeKey ?? 'type'}\`; read as Streamable HTTP`);
  return 'http';
}

function readEnvVars(value: unknown, warnings: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    warnings.push('env_vars is not a list');
    return [];
  }
  const names: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') names.push(item);
    else if (isRecord(item) && typeof item.name === 'string') {
      if (item.source !== undefined && item.source !== 'local') warnings.push(`env_vars ${item.name} comes from source ${JSON.stringify(item.source)}`);
      names.push(item.name);
    } else warnings.push('an env_vars item is neither a name nor { name }');
  }
  return names;
}

function readTools(entry: Record<string, unknown>): string[] | undefined {
  for (const key of ['includeTools', 'enabled_tools', 'available_tools']) {
    const value = entry[key];
    // Goose: an empty list means every tool.
    if (Array.isArray(value) && value.length > 0) return value.filter((item): item is string => typeof item === 'string');
  }
  return undefined;
}

function readEnabled(entry: Record<string, unknown>, warnings: string[]): boolean | undefined {
  if (entry.enabled !== undefined) {
    if (typeof entry.enabled === 'boolean') return entry.enabled;
    warnings.push('`enabled` is not a boolean; read as enabled');
  }
  if (entry.disabled !== undefined) {
    if (typeof entry.disabled === 'boolean') return !entry.disabled;
    warnings.push('`disabled` is not a boolean; read as enabled');
  }
  return undefined;
}

function readStringMap(entry: Record<string, unknown>, keys: readonly string[], warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = entry[key];
    if (value === undefined || value === null) continue;
    if (!isRecord(value)) {
      warnings.push(`\`${key}\` is not an object`);
      continue;
    }
    Object.assign(out, toStringMap(value, key, warnings));
  }
  return out;
}

function toStringMap(value: Record<string, unknown>, label: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') out[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') {
      out[key] = String(item);
      warnings.push(`${label}.${key} is a ${typeof item}; read as text`);
    } else warnings.push(`${label}.${key} is not text; skipped`);
  }
  return out;
}

function stringsIn(values: readonly unknown[], label: string, warnings: string[]): string[] {
  const out: string[] = [];
  for (const [index, item] of values.entries()) {
    if (typeof item === 'string') out.push(item);
    else if (typeof item === 'number' || typeof item === 'boolean') {
      out.push(String(item));
      warnings.push(`${label}[${index}] is a ${typeof item}; read as text`);
    } else warnings.push(`${label}[${index}] is not text; skipped`);
  }
  return out;
}

function firstString(entry: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) if (typeof entry[key] === 'string') return entry[key];
  return undefined;
}

/** Client references → `${env:NAME}`, in the fields where the client expands them. */
function fromClientSyntax(connector: Mutable<ConnectorDefinition>, dialect: ConnectorDialect, warnings: string[]): ConnectorDefinition {
  const interpolation = dialect.interpolation;
  if (interpolation.kind !== 'template') return connector;
  const expands = new Set<ReferenceField>(interpolation.fields);
  const back = (field: ReferenceField, value: string): string => {
    if (!expands.has(field)) return value;
    const result = untranslateTemplate(value, interpolation.syntax, { bareDollar: interpolation.bareDollar });
    warnings.push(...result.warnings);
    return result.value;
  };
  const record = (field: 'env' | 'headers', value: Readonly<Record<string, string>> | undefined) =>
    value === undefined ? undefined : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, back(field, item)]));
  return {
    ...connector,
    ...(connector.command !== undefined && { command: back('command', connector.command) }),
    ...(connector.args !== undefined && { args: connector.args.map((arg) => back('args', arg)) }),
    ...(connector.env !== undefined && { env: record('env', connector.env) }),
    ...(connector.cwd !== undefined && { cwd: back('cwd', connector.cwd) }),
    ...(connector.url !== undefined && { url: back('url', connector.url) }),
    ...(connector.headers !== undefined && { headers: record('headers', connector.headers) }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
