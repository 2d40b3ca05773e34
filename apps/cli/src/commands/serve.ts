import { readFile } from 'node:fs/promises';
import {
  loadManifests,
  mergeManifests,
  pathFor,
  SkillsyncError,
  suggest,
  type ConnectorDefinition,
  type EffectiveManifest,
  type Env,
} from '@skillsync/core';
import {
  createGateway,
  generateToken,
  isLoopbackHost,
  MIN_TOKEN_LENGTH,
  serveGatewayHttp,
  serveGatewayStdio,
  type ConnectorStatus,
  type GatewayEvent,
  type GatewayOptions,
} from '@skillsync/runtime';
import { openSecretStore, type SecretStore } from '@skillsync/secrets';
import type { serveOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { requireValidManifests, resolveManifestPath } from '../project.js';

/** Injected by scripts/build.mjs from apps/cli/package.json. */
declare const SKILLSYNC_VERSION: string;

export interface ServeData {
  readonly transport: 'stdio' | 'http';
  readonly stopped: string;
  readonly connectors: readonly ConnectorStatus[];
}

/**
 * `skillsync serve`: the gateway. Speaks MCP on stdout (or HTTP with --http) until the
 * client closes stdin or a SIGINT/SIGTERM arrives, then ends every connector. It
 * prints nothing on stdout but the protocol; its own lines go to stderr, and only
 * problems unless --verbose.
 */
export const serveHandler = defineHandler({
  run: async ({ env, options, flags }: CommandInput<typeof serveOptions>): Promise<CommandResult<ServeData>> => {
    if (flags.json) {
      throw new SkillsyncError('USAGE', 'serve speaks MCP on stdout, so it has no --json output.', {
        hint: 'Run `skillsync serve` without --json; --verbose prints connection events on stderr.',
        details: { option: '--json' },
      });
    }
    const listen = options.http === undefined ? undefined : parseListenAddress(options.http);
    if (listen === undefined && (options['token-file'] !== undefined || options['allow-remote'])) {
      throw new SkillsyncError('USAGE', '--token-file and --allow-remote go with --http.', { details: { option: options['token-file'] === undefined ? '--allow-remote' : '--token-file' } });
    }
    if (listen !== undefined && !isLoopbackHost(listen.host) && !options['allow-remote']) {
      throw new SkillsyncError('GATEWAY_REMOTE_REFUSED', `--http ${options.http ?? ''}: ${listen.host} is not a loopback address; the gateway listens on other interfaces only with --allow-remote.`, {
        details: { host: listen.host },
      });
    }
    const token = listen === undefined ? undefined : options['token-file'] === undefined ? undefined : await readToken(env, options['token-file']);
    if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
      throw new SkillsyncError('GATEWAY_TOKEN_INVALID', `--token-file ${options['token-file'] ?? ''}: the token is ${token.length} characters long; it needs at least ${MIN_TOKEN_LENGTH}.`, {
        details: { path: options['token-file'] },
      });
    }
    const connectors = await resolveServedConnectors(env, options.scope, options.connector);
    const log = stderrLog(flags);

    let store: Promise<SecretStore> | undefined;
    const gateway = createGateway({
      connectors,
      env,
      resolveSecret: async (name) => {
        store ??= openSecretStore({ env });
        return (await store).get(name);
      },
      ...(options.client === undefined ? {} : { client: options.client }),
      ...governance(),
      onEvent: (event) => { log.event(event); },
      serverInfo: { name: 'skillsync', version: typeof SKILLSYNC_VERSION === 'string' ? SKILLSYNC_VERSION : '0.0.0' },
    });

    const stopping: Promise<string>[] = [];
    let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
    stopping.push(new Promise<string>((resolve) => (onSignal = resolve)));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let stopServing: () => Promise<void>;
    try {
      await gateway.start();
      if (listen === undefined) {
        const serving = serveGatewayStdio(gateway, { input: process.stdin, output: process.stdout, onError: (error) => { log.verbose(`stdio: ${error.message}`); } });
        stopping.push(serving.closed.then(() => 'stdin closed'));
        stopServing = () => serving.close();
      } else {
        const bearer = token ?? generateToken();
        const serving = await serveGatewayHttp(gateway, {
          host: listen.host,
          port: listen.port,
          token: bearer,
          allowRemote: options['allow-remote'],
          onError: (error) => { log.verbose(`http: ${error.message}`); },
          onSession: ({ kind, session }) => { log.verbose(`http session ${session} ${kind}`); },
        });
        log.always(`listening on ${serving.url}`);
        if (token === undefined) log.always(`bearer token (shown once; pass --token-file to choose it): ${bearer}`);
        stopServing = () => serving.close();
      }
    } catch (error) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await gateway.close();
      throw error;
    }
    const stopped = await Promise.race(stopping);
    log.verbose(`stopping (${stopped})`);
    await stopServing().catch(() => undefined);
    await gateway.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return { ok: true, data: { transport: listen === undefined ? 'stdio' : 'http', stopped, connectors: gateway.status() } };
  },
  // stdout belongs to the protocol: nothing is rendered after it ends either.
  render: () => '',
});

/**
 * The governance wiring points. Until @skillsync/policy lands, the gateway runs with
 * its defaults: every call allowed, nothing redacted, nothing audited. Return here:
 * `authorize` (Cedar), `redaction` ({ redact, mode }), `audit` (the hash-chained log's
 * sink) and `policyVersion`.
 */
function governance(): Pick<GatewayOptions, 'authorize' | 'redaction' | 'audit' | 'policyVersion'> {
  return {};
}

/** The connectors `serve` runs: both manifests stacked, or one scope; narrowed by --connector. */
async function resolveServedConnectors(env: Env, scopeOption: string | undefined, only: readonly string[]): Promise<Record<string, ConnectorDefinition>> {
  if (scopeOption !== undefined && scopeOption !== 'user' && scopeOption !== 'project') {
    throw new SkillsyncError('USAGE', `--scope ${scopeOption}: not a scope. Allowed: user, project.`, {
      hint: 'Pass --scope user or --scope project, or leave it out for both.',
      details: { option: '--scope', value: scopeOption, allowed: ['user', 'project'] },
    });
  }
  const manifests = await loadManifests(env);
  requireValidManifests(manifests);
  const chosen = scopeOption === undefined ? undefined : manifests[scopeOption];
  if (manifests.user === undefined && manifests.project === undefined) {
    throw new SkillsyncError('MANIFEST_NOT_FOUND', `No skillsync.yaml in ${env.cwd} or above it, and no user manifest.`, {
      hint: 'Run `skillsync init` (or `skillsync init --user`) and add connectors first.',
      details: { cwd: env.cwd },
    });
  }
  if (scopeOption !== undefined && chosen?.manifest === undefined) {
    throw new SkillsyncError('MANIFEST_NOT_FOUND', `--scope ${scopeOption}: there is no ${scopeOption} manifest.`, {
      hint: scopeOption === 'project' ? 'Run `skillsync init` in the project first.' : 'Run `skillsync init --user` first.',
      details: { scope: scopeOption },
    });
  }
  const effective: EffectiveManifest =
    scopeOption === 'user' ? mergeManifests(chosen?.manifest, undefined) : scopeOption === 'project' ? mergeManifests(undefined, chosen?.manifest) : manifests.effective;
  const p = pathFor(env);
  const connectors: Record<string, ConnectorDefinition> = {};
  for (const { name, connector, source } of effective.connectors) {
    const base = p.dirname(source.file);
    let cwd = connector.cwd;
    // A relative cwd is relative to the manifest that says it, as every path in it is.
    if (cwd !== undefined) cwd = cwd.includes('${') ? (p.isAbsolute(cwd) ? cwd : p.join(base, cwd)) : resolveManifestPath(env, base, cwd);
    connectors[name] = cwd === undefined ? connector : { ...connector, cwd };
  }
  for (const name of only) {
    if (connectors[name] === undefined) {
      const close = suggest(name, Object.keys(connectors));
      throw new SkillsyncError('CONNECTOR_NOT_FOUND', `--connector ${name}: no connector of that name${close === undefined ? '' : ` (did you mean ${close}?)`}.`, {
        details: { connector: name, known: Object.keys(connectors).sort() },
      });
    }
  }
  if (only.length === 0) return connectors;
  return Object.fromEntries(Object.entries(connectors).filter(([name]) => only.includes(name)));
}

/** `HOST:PORT`, `[::1]:PORT` or `:PORT` (127.0.0.1). */
export function parseListenAddress(value: string): { readonly host: string; readonly port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65535) {
    throw new SkillsyncError('USAGE', `--http ${value}: not HOST:PORT.`, {
      hint: 'Pass --http 127.0.0.1:8765 (or :8765 for 127.0.0.1; :0 picks a free port).',
      details: { option: '--http', value },
    });
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
}

async function readToken(env: Env, file: string): Promise<string> {
  const resolved = pathFor(env).resolve(env.cwd, file);
  let text: string;
  try {
    text = await readFile(resolved, 'utf8');
  } catch (error) {
    throw new SkillsyncError('FILE_NOT_FOUND', `--token-file ${file}: cannot read ${resolved} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      hint: 'Create the file with the token in it, for example `openssl rand -hex 32 > token && chmod 600 token`.',
      details: { path: resolved },
    });
  }
  return text.trim();
}

interface ServeLog {
  always(line: string): void;
  verbose(line: string): void;
  event(event: GatewayEvent): void;
}

/** The gateway's own lines, on stderr (stdout is the protocol). Quiet unless --verbose. */
function stderrLog(flags: { readonly verbose: boolean }): ServeLog {
  const write = (line: string): void => {
    process.stderr.write(`skillsync serve: ${line}\n`);
  };
  const verbose = (line: string): void => {
    if (flags.verbose) write(line);
  };
  return {
    always: write,
    verbose,
    event(event) {
      switch (event.kind) {
        case 'connector-failed':
          write(`connector ${event.connector} is not available: ${event.error.code}: ${event.error.message}\n  hint: ${event.error.hint}`);
          return;
        case 'hook-failed':
          write(`the ${event.hook} hook failed: ${event.message}`);
          return;
        case 'connector-ready': {
          const { status } = event;
          verbose(
            `connector ${event.connector} ready (${status.transport}${status.pid === undefined ? '' : `, pid ${status.pid}`}): ${status.tools} tools, ${status.prompts} prompts, ${status.resources} resources, ${status.resourceTemplates} templates`,
          );
          return;
        }
        case 'connector-stderr':
          verbose(`[${event.connector}] ${event.line}`);
          return;
        case 'list-changed':
          verbose(`connector ${event.connector} changed its ${event.lists.join(', ')}`);
          return;
        case 'resource-clash':
          verbose(`resource ${event.uri} is offered by ${event.kept} and ${event.hidden}; ${event.kept} serves it (connectors in name order)`);
          return;
        case 'session-opened':
          verbose(`client session ${event.session} opened (${event.transport}, ${event.era === 'legacy' ? '2025-11-25' : '2026-07-28'})`);
          return;
        case 'session-closed':
          verbose(`client session ${event.session} closed`);
          return;
        case 'request-refused':
          verbose(`refused ${event.method} from ${event.connector}: ${event.reason}`);
          return;
      }
    },
  };
}
