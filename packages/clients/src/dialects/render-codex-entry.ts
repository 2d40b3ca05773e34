import { connectorTransport } from '@skillsync/core';
import type { ConnectorDialect, EntryOutcome, TranslatedConnector } from './connector-dialect.js';
import { splitReferences } from './interpolation.js';

/**
 * Codex expands nothing inside values; it names variables instead. So `${env:X}` can be
 * written only where Codex has a by-name field for it: an env entry passed through under
 * its own name (`env_vars`), `Authorization: Bearer ${env:X}` (`bearer_token_env_var`),
 * or a header that is exactly one variable (`env_http_headers`). Anything else needs
 * the gateway.
 */
export function renderCodexEntry({ name, connector }: TranslatedConnector, dialect: ConnectorDialect): EntryOutcome {
  const gateway = (what: string): EntryOutcome => ({
    kind: 'needs-gateway',
    reason: `\`${name}\`: Codex cannot take ${what} (it passes environment variables by name only); the gateway reads the environment at run time`,
  });
  const out: Record<string, unknown> = {};
  const literal = (value: string): boolean => splitReferences(value).every((segment) => segment.kind === 'text');
  if (connectorTransport(connector) === 'stdio') {
    const command = connector.command ?? '';
    if (!literal(command)) return gateway('a variable in `command`');
    if (connector.args?.some((arg) => !literal(arg)) === true) return gateway('a variable in `args`');
    if (connector.cwd !== undefined && !literal(connector.cwd)) return gateway('a variable in `cwd`');
    out.command = command;
    if (connector.args !== undefined) out.args = [...connector.args];
    const env: Record<string, string> = {};
    const passThrough: string[] = [];
    for (const [key, value] of Object.entries(connector.env ?? {})) {
      const segments = splitReferences(value);
      const [only] = segments;
      if (segments.every((segment) => segment.kind === 'text')) env[key] = value;
      else if (segments.length === 1 && only?.kind === 'env' && only.name === key) passThrough.push(key);
      else return gateway(`env.${key} = ${JSON.stringify(value)}`);
    }
    if (connector.env !== undefined && (Object.keys(env).length > 0 || passThrough.length === 0)) out.env = env;
    if (passThrough.length > 0) out.env_vars = passThrough;
    if (connector.cwd !== undefined) out.cwd = connector.cwd;
  } else {
    const url = connector.url ?? '';
    if (!literal(url)) return gateway('a variable in `url`');
    out.url = url;
    const headers: Record<string, string> = {};
    const byName: Record<string, string> = {};
    for (const [header, value] of Object.entries(connector.headers ?? {})) {
      const segments = splitReferences(value);
      const [first, second] = segments;
      if (segments.every((segment) => segment.kind === 'text')) headers[header] = value;
      else if (segments.length === 1 && first?.kind === 'env') byName[header] = first.name;
      else if (
        header.toLowerCase() === 'authorization' &&
        segments.length === 2 &&
        first?.kind === 'text' &&
        first.text === 'Bearer ' &&
        second?.kind === 'env' &&
        out.bearer_token_env_var === undefined
      ) {
        out.bearer_token_env_var = second.name;
      } else return gateway(`header ${header} = ${JSON.stringify(value)}`);
    }
    if (Object.keys(headers).length > 0) out.http_headers = headers;
    if (Object.keys(byName).length > 0) out.env_http_headers = byName;
  }
  if (connector.tools !== undefined && dialect.toolAllowList.kind === 'field') out[dialect.toolAllowList.field] = [...connector.tools];
  if (connector.enabled === false) out.enabled = false;
  return { kind: 'entry', value: out };
}
