import { connectorTransport, type ConnectorDefinition } from '@skillsync/core';
import type { ConnectorDialect, EntryOutcome, EntryShape, ReferenceField, RenderNote, RenderResult, Transport } from './connector-dialect.js';
import { REFERENCE_FIELDS } from './connector-dialect.js';
import { hasReference, translateToTemplate } from './interpolation.js';

/**
 * The client-native value of one connector (JSON object, TOML table or YAML map), or
 * why it cannot be written directly. Pure. A `${secret:…}` never reaches the value:
 * such a connector needs the runtime gateway, which injects secrets at run time.
 */
export function renderConnector(connector: ConnectorDefinition, dialect: ConnectorDialect, name: string): RenderResult {
  const client = dialect.clientName;
  const shape = dialect.shape;
  const transport = connectorTransport(connector);

  if (connector.enabled === false && shape.toggle === undefined) {
    return { kind: 'unsupported', reason: `${client} has no way to switch a server off in its config; leave \`${name}\` out instead` };
  }
  const secretAt = fieldsWith(connector, 'secret');
  if (secretAt.length > 0) {
    return {
      kind: 'needs-gateway',
      reason: `\`${name}\` uses a \${secret:…} reference in ${secretAt.join(', ')}: secrets stay in skillsync's store and reach ${client} only through the runtime gateway`,
    };
  }
  if (!dialect.transports.includes(transport)) {
    return { kind: 'needs-gateway', reason: `${client} cannot reach ${describeTransport(transport)} servers from its config; the gateway can bridge \`${name}\`` };
  }
  if (connector.cwd !== undefined && shape.keys.cwd === undefined) {
    return { kind: 'needs-gateway', reason: `${client} has no working-directory field; the gateway can start \`${name}\` in its \`cwd\`` };
  }
  if (connector.headers !== undefined && Object.keys(connector.headers).length > 0 && shape.keys.headers === undefined) {
    return { kind: 'needs-gateway', reason: `${client} has no headers field for remote servers; the gateway can add the headers of \`${name}\`` };
  }

  let translated = connector;
  if (dialect.interpolation.kind === 'none') {
    const envAt = fieldsWith(connector, 'env');
    if (envAt.length > 0) {
      return { kind: 'needs-gateway', reason: `\`${name}\` uses \${env:…} in ${envAt.join(', ')} but ${dialect.interpolation.reason}; the gateway reads the environment at run time` };
    }
  } else if (dialect.interpolation.kind === 'template') {
    const outcome = translateFields(connector, dialect.interpolation);
    if (!outcome.ok) return { kind: 'needs-gateway', reason: `\`${name}\`: ${outcome.reason}; the gateway reads the environment at run time` };
    translated = outcome.connector;
  }

  const entry: EntryOutcome = dialect.renderEntry ? dialect.renderEntry({ name, connector: translated }, dialect) : { kind: 'entry', value: writeEntry(name, translated, dialect, transport) };
  if (entry.kind === 'needs-gateway') return entry;
  return { kind: 'rendered', value: entry.value, notes: notesFor(connector, dialect) };
}

/** The generic writer: key names, type values and defaults all come from the dialect's shape. */
export function writeEntry(name: string, connector: ConnectorDefinition, dialect: ConnectorDialect, transport: Transport): Record<string, unknown> {
  const shape: EntryShape = dialect.shape;
  const out: Record<string, unknown> = {};
  if (shape.nameKey !== undefined) out[shape.nameKey] = name;
  const typeValue = shape.typeValues[transport];
  if (shape.typeKey !== undefined && typeValue !== undefined) out[shape.typeKey] = typeValue;
  if (shape.description && connector.description !== undefined) out.description = connector.description;
  if (transport === 'stdio') {
    const command = connector.command ?? '';
    if (shape.commandShape === 'array') {
      out[shape.keys.command] = [command, ...(connector.args ?? [])];
    } else {
      out[shape.keys.command] = command;
      if (connector.args !== undefined) out[shape.keys.args] = [...connector.args];
    }
    if (connector.env !== undefined) out[shape.keys.env] = { ...connector.env };
    if (connector.cwd !== undefined && shape.keys.cwd !== undefined) out[shape.keys.cwd] = connector.cwd;
    addDefaults(out, shape.defaults?.stdio);
  } else {
    out[shape.keys.url] = connector.url ?? '';
    if (connector.headers !== undefined && shape.keys.headers !== undefined) out[shape.keys.headers] = { ...connector.headers };
    addDefaults(out, shape.defaults?.remote);
  }
  if (connector.tools !== undefined && dialect.toolAllowList.kind === 'field') out[dialect.toolAllowList.field] = [...connector.tools];
  const toggle = shape.toggle;
  if (toggle !== undefined && (toggle.alwaysWrite || connector.enabled === false)) {
    const enabled = connector.enabled !== false;
    out[toggle.key] = toggle.meaning === 'enabled' ? enabled : !enabled;
  }
  return out;
}

function addDefaults(out: Record<string, unknown>, defaults: Readonly<Record<string, unknown>> | undefined): void {
  for (const [key, value] of Object.entries(defaults ?? {})) {
    if (!(key in out)) out[key] = structuredClone(value);
  }
}

function notesFor(connector: ConnectorDefinition, dialect: ConnectorDialect): RenderNote[] {
  const notes: RenderNote[] = [];
  if (connector.tools !== undefined && dialect.toolAllowList.kind === 'gateway-only') {
    notes.push({ field: 'tools', message: `the allow-list is enforced only by the gateway: ${dialect.toolAllowList.reason}` });
  }
  if (connector.transport !== undefined && connector.command === undefined && dialect.shape.remoteTransportDetected) {
    notes.push({ field: 'transport', message: `${dialect.clientName} detects Streamable HTTP or SSE by itself; the transport is not written` });
  }
  if (connector.description !== undefined && !dialect.shape.description) {
    notes.push({ field: 'description', message: `${dialect.clientName} has no description field` });
  }
  return notes;
}

function describeTransport(transport: Transport): string {
  return transport === 'http' ? 'Streamable HTTP' : transport === 'sse' ? 'SSE' : 'stdio';
}

/** The fields (`env.TOKEN`, `args[2]`, `url`) holding a reference of the given kind. */
export function fieldsWith(connector: ConnectorDefinition, kind: 'env' | 'secret'): string[] {
  const at: string[] = [];
  for (const field of REFERENCE_FIELDS) {
    for (const [label, value] of stringsOf(connector, field)) if (hasReference(value, kind)) at.push(label);
  }
  return at;
}

function stringsOf(connector: ConnectorDefinition, field: ReferenceField): [string, string][] {
  switch (field) {
    case 'command':
    case 'cwd':
    case 'url': {
      const value = connector[field];
      return value === undefined ? [] : [[field, value]];
    }
    case 'args':
      return (connector.args ?? []).map((value, index) => [`args[${index}]`, value]);
    case 'env':
    case 'headers':
      return Object.entries(connector[field] ?? {}).map(([key, value]) => [`${field}.${key}`, value]);
  }
}

type FieldsOutcome = { readonly ok: true; readonly connector: ConnectorDefinition } | { readonly ok: false; readonly reason: string };

function translateFields(connector: ConnectorDefinition, interpolation: Extract<ConnectorDialect['interpolation'], { kind: 'template' }>): FieldsOutcome {
  const expands = new Set(interpolation.fields);
  let failure: string | undefined;
  const translate = (label: string, field: ReferenceField, value: string): string => {
    if (failure !== undefined) return value;
    if (!expands.has(field)) {
      if (hasReference(value, 'env')) failure = `the client does not expand environment variables in ${label}`;
      return value;
    }
    const result = translateToTemplate(value, interpolation.syntax, { bareDollar: interpolation.bareDollar });
    if (!result.ok) {
      failure = `${label}: ${result.reason}`;
      return value;
    }
    return result.value;
  };
  const mapRecord = (field: 'env' | 'headers', record: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined =>
    record === undefined ? undefined : Object.fromEntries(Object.entries(record).map(([key, value]) => [key, translate(`${field}.${key}`, field, value)]));
  const out: ConnectorDefinition = {
    ...connector,
    ...(connector.command !== undefined && { command: translate('command', 'command', connector.command) }),
    ...(connector.args !== undefined && { args: connector.args.map((value, index) => translate(`args[${index}]`, 'args', value)) }),
    ...(connector.env !== undefined && { env: mapRecord('env', connector.env) }),
    ...(connector.cwd !== undefined && { cwd: translate('cwd', 'cwd', connector.cwd) }),
    ...(connector.url !== undefined && { url: translate('url', 'url', connector.url) }),
    ...(connector.headers !== undefined && { headers: mapRecord('headers', connector.headers) }),
  };
  return failure === undefined ? { ok: true, connector: out } : { ok: false, reason: failure };
}
