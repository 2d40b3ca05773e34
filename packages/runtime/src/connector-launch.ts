import { connectorTransport, pathFor, registerSecret, SkillsyncError, type ConnectorDefinition, type Env } from '@skillsync/core';
import { resolveSecretReferences } from '@skillsync/secrets';

/** Finds a secret by name; undefined when there is none. A `SecretStore`'s `get` fits. */
export type ResolveSecret = (name: string) => Promise<string | undefined>;

/** What it takes to start or reach one connector, every reference resolved. Holds secret values: never log it. */
export type ConnectorLaunch =
  | {
      readonly kind: 'stdio';
      readonly command: string;
      readonly args: readonly string[];
      readonly cwd: string;
      readonly env: Readonly<Record<string, string>>;
      /** Values that must never reach a client, a log line or an error (resolved secrets). */
      readonly secrets: readonly string[];
    }
  | {
      readonly kind: 'http' | 'sse';
      readonly url: URL;
      readonly headers: Readonly<Record<string, string>>;
      readonly secrets: readonly string[];
    };

// The name rule of the manifest's references (core find-secret-literals, clients interpolation).
const envReference = /\$\{env:([A-Za-z_][A-Za-z0-9_.-]*)\}/g;
const secretReference = /\$\{secret:[^}]*\}/;
const sensitiveName = /token|secret|password|passwd|api[_-]?key|apikey|credential|auth|cookie|private[_-]?key/i;

/**
 * Variables a stdio connector inherits from the gateway's environment: the set the MCP
 * SDK passes by default (enough to find programs and a home folder), plus locale, temp
 * folder and proxy settings. Nothing else: the gateway's own environment may hold other
 * credentials, and a connector gets only what its `env` names.
 */
export const INHERITED_ENV_VARS: readonly string[] = [
  'HOME',
  'LOGNAME',
  'PATH',
  'SHELL',
  'TERM',
  'USER',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  // Windows
  'APPDATA',
  'COMSPEC',
  'HOMEDRIVE',
  'HOMEPATH',
  'LOCALAPPDATA',
  'PATHEXT',
  'PROCESSOR_ARCHITECTURE',
  'PROGRAMDATA',
  'PROGRAMFILES',
  'PROGRAMFILES(X86)',
  'PROGRAMW6432',
  'SYSTEMDRIVE',
  'SYSTEMROOT',
  'TEMP',
  'TMP',
  'USERNAME',
  'USERPROFILE',
  'WINDIR',
];

/**
 * Resolves a connector's references for spawn or connect time: `${env:NAME}` from the
 * gateway's environment anywhere, `${secret:NAME}` from the secret store only in `env`
 * (stdio) and `headers` (remote), where the value stays inside the child process or the
 * request. Throws a coded error naming what is missing, never a value.
 */
export async function resolveConnectorLaunch(
  name: string,
  connector: ConnectorDefinition,
  context: { readonly env: Env; readonly resolveSecret: ResolveSecret },
): Promise<ConnectorLaunch> {
  const { env } = context;
  const secrets: string[] = [];
  const lookup = async (secretName: string): Promise<string | undefined> => {
    const value = await context.resolveSecret(secretName);
    if (value !== undefined) secrets.push(value);
    return value;
  };
  const plain = (field: string, value: string): string => {
    if (secretReference.test(value)) {
      throw new SkillsyncError('GATEWAY_SECRET_PLACEMENT', `Connector ${name}: \`${field}\` holds a \${secret:…} reference; secrets go only in \`env\` or \`headers\`.`, {
        details: { connector: name, field },
      });
    }
    return expandEnv(name, field, value, env, undefined);
  };
  const sensitive = async (field: string, key: string, value: string): Promise<string> => {
    let resolved: string;
    try {
      resolved = await resolveSecretReferences(value, lookup);
    } catch (error) {
      if (error instanceof SkillsyncError && error.code === 'SECRET_NOT_FOUND') {
        const names = Array.isArray(error.details.names) ? (error.details.names as string[]) : [];
        throw new SkillsyncError('SECRET_NOT_FOUND', `Connector ${name} needs ${names.length === 1 ? 'the secret' : 'the secrets'} ${names.join(', ')} (in \`${field}.${key}\`), which ${names.length === 1 ? 'is' : 'are'} not stored.`, {
          hint: error.hint,
          details: { connector: name, field, names },
        });
      }
      throw error;
    }
    // An `${env:…}` value under a credential-like name is a secret too.
    return expandEnv(name, `${field}.${key}`, resolved, env, sensitiveName.test(key) ? secrets : undefined);
  };

  if (connectorTransport(connector) === 'stdio') {
    const p = pathFor(env);
    const childEnv: Record<string, string> = {};
    for (const key of INHERITED_ENV_VARS) {
      const value = env.vars[key];
      if (value !== undefined && !value.startsWith('()')) childEnv[key] = value;
    }
    for (const [key, value] of Object.entries(connector.env ?? {})) childEnv[key] = await sensitive('env', key, value);
    const cwd = connector.cwd === undefined ? env.cwd : p.resolve(env.cwd, plain('cwd', connector.cwd));
    return {
      kind: 'stdio',
      command: plain('command', connector.command ?? ''),
      args: (connector.args ?? []).map((arg, index) => plain(`args[${index}]`, arg)),
      cwd,
      env: childEnv,
      secrets: unique(secrets),
    };
  }
  const rawUrl = plain('url', connector.url ?? '');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new SkillsyncError('GATEWAY_CONNECTOR_FAILED', `Connector ${name}: its url is not a valid URL once its references are resolved.`, {
      hint: 'Check the url of the connector in skillsync.yaml and the variables it refers to.',
      details: { connector: name },
    });
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(connector.headers ?? {})) headers[key] = await sensitive('headers', key, value);
  return { kind: connector.transport ?? 'http', url, headers, secrets: unique(secrets) };
}

function expandEnv(connector: string, field: string, value: string, env: Env, secrets: string[] | undefined): string {
  const missing: string[] = [];
  const out = value.replace(envReference, (_match, variable: string) => {
    const found = env.vars[variable];
    if (found === undefined) {
      missing.push(variable);
      return '';
    }
    if (secrets !== undefined && found.length > 0) {
      registerSecret(found);
      secrets.push(found);
    }
    return found;
  });
  if (missing.length > 0) {
    throw new SkillsyncError('GATEWAY_REFERENCE_UNSET', `Connector ${connector}: \`${field}\` refers to ${missing.map((v) => `\${env:${v}}`).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set.`, {
      details: { connector, field, variables: missing },
    });
  }
  return out;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
