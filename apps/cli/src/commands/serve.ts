import { readFile } from 'node:fs/promises';
import {
  applyOrgProfiles,
  isLoopbackHost,
  LOCKFILE_FILE,
  mergeManifests,
  parseListenAddress,
  pathFor,
  randomToken,
  registerSecret,
  SkillsyncError,
  suggest,
  toSkillsyncError,
  type ConnectorDefinition,
  type EffectiveManifest,
  type Env,
  type GatewayConfig,
  type Lockfile,
  type OrgProfileLayer,
} from '@skillsync/core';
import {
  createGateway,
  MIN_TOKEN_LENGTH,
  serveGatewayHttp,
  serveGatewayStdio,
  NAMESPACE_MODES,
  type ConnectorStatus,
  type Gateway,
  type GatewayEvent,
  type GatewaySkillSource,
  type NamespaceMode,
  type ResolveSecret,
} from '@skillsync/runtime';
import { clientAdapters } from '@skillsync/clients';
import { openSecretStore, type SecretStore } from '@skillsync/secrets';
import { installedSkills } from '@skillsync/store';
import type { serveOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult, type OptionValues } from '../define-command.js';
import { displayPath } from '../format.js';
import { prepareGovernance, type GatewayGovernance, type PolicySetSummary } from '../gateway-governance.js';
import { profileLoginsOrWarning, readOrgProfiles, watchOrgProfiles } from '../org-profiles.js';
import { addsToUserScope, userLockfileFile } from '../org-scope.js';
import type { PolicyScope } from '../policy-dirs.js';
import { readLockfile, readManifests, requireValidManifests, resolveManifestPath } from '../project.js';
import { parseSyncScope } from '../sync-context.js';

/** Injected by scripts/build.mjs from apps/cli/package.json. */
declare const SKILLSYNC_VERSION: string;

export interface ServeData {
  readonly transport: 'stdio' | 'http';
  readonly stopped: string;
  readonly connectors: readonly ConnectorStatus[];
}

/** The command line of `serve`, checked; everything else `run` needs is read from the manifests. */
interface ServeSettings {
  readonly scope: PolicyScope | undefined;
  readonly connectors: readonly string[];
  readonly client: string | undefined;
  readonly listen: { readonly host: string; readonly port: number } | undefined;
  readonly tokenFile: string | undefined;
  readonly allowRemote: boolean;
  /** False with --no-audit. */
  readonly audit: boolean;
  /** --namespace; undefined: the manifests' `gateway.namespace`, else `always`. */
  readonly namespace: NamespaceMode | undefined;
  readonly skills: SkillServing;
}

const SKILL_SERVING = ['auto', 'all', 'none'] as const;
type SkillServing = (typeof SKILL_SERVING)[number];

/**
 * `skillsync serve`: the gateway. Speaks MCP on stdout (or HTTP with --http) until the
 * client closes stdin or a SIGINT/SIGTERM arrives, then ends every connector. It
 * prints nothing on stdout but the protocol; its own lines go to stderr, and only
 * problems unless --verbose. Every call is authorized by the Cedar policies of the
 * served scopes, its result redacted, and the decision recorded in the audit log;
 * SIGHUP reads the policies again.
 */
export const serveHandler = defineHandler({
  run: async ({ env, paths, options, flags }: CommandInput<typeof serveOptions>): Promise<CommandResult<ServeData>> => {
    if (flags.json) {
      throw new SkillsyncError('USAGE', 'serve speaks MCP on stdout, so it has no --json output.', {
        hint: 'Run `skillsync serve` without --json; --verbose prints connection events on stderr.',
        details: { option: '--json' },
      });
    }
    const settings = serveSettings(options);
    const { listen } = settings;
    const token = listen === undefined || settings.tokenFile === undefined ? undefined : await readToken(env, settings.tokenFile);
    if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
      throw new SkillsyncError('GATEWAY_TOKEN_INVALID', `--token-file ${settings.tokenFile ?? ''}: the token is ${token.length} characters long; it needs at least ${MIN_TOKEN_LENGTH}.`, {
        details: { path: settings.tokenFile },
      });
    }
    const served = await resolveServed(env, settings.scope, settings.connectors);
    const log = stderrLog(flags);
    const servesSkills = skillsServed(settings, served.scopes);
    if (!servesSkills && settings.skills === 'auto') log.verbose(`skills are not served over MCP: ${settings.client ?? ''} reads the skill folders sync writes (--skills all serves them anyway)`);
    const skills = servesSkills ? installedSkills(served.skills, served.lockfiles, paths.store) : { installed: [], missing: [] };
    if (skills.missing.length > 0) log.always(`not serving skills that are not installed yet (run \`skillsync install\`): ${skills.missing.join(', ')}`);

    const governance = prepareGovernance({
      env,
      paths,
      scopes: served.scopes,
      config: served.gateway,
      audit: settings.audit,
      warn: (line) => { log.always(line); },
      verbose: (line) => { log.verbose(line); },
    });
    if (!settings.audit) log.always('the audit log is off (--no-audit): calls are authorized and redacted but not recorded');

    const gateway = createGateway({
      connectors: served.connectors,
      env,
      resolveSecret: secretResolver(env),
      ...(settings.client === undefined ? {} : { client: settings.client }),
      ...governance.hooks,
      onEvent: (event) => { log.event(event); },
      serverInfo: { name: 'skillsync', version: typeof SKILLSYNC_VERSION === 'string' ? SKILLSYNC_VERSION : '0.0.0' },
      namespace: settings.namespace ?? served.gateway.namespace ?? 'always',
      skills: skills.installed.map((skill): GatewaySkillSource => ({ name: skill.name, dir: skill.dir, version: skill.version })),
    });

    const stopping: Promise<string>[] = [];
    let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
    stopping.push(new Promise<string>((resolve) => (onSignal = resolve)));
    // The connectors start while the policies load and the audit log opens; nothing is served before both are done.
    const startup = Promise.allSettled([gateway.start(), governance.open()]);
    const onHangUp = (): void => {
      governance.reloadPolicies().then(
        (policies) => {
          log.always(`policies reloaded: ${describePolicies(policies, env)}`);
          // Clients whose visible tools changed are told to list them again.
          void gateway.policiesChanged();
        },
        (error: unknown) => {
          const failure = toSkillsyncError(error);
          log.always(`policies not reloaded, the previous ones stay in force: ${failure.code}: ${failure.message}`);
        },
      );
    };
    // A profile the daemon (or a sync) fetched brings its policies in as SIGHUP would, and
    // stops the connectors it now refuses (or starts those it no longer does).
    const follower = followOrgProfiles({ env, gateway, governance, underCachedProfiles: served.underCachedProfiles, log, client: settings.client, startup });
    const onProfilesChanged = (): void => {
      onHangUp();
      follower.changed();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.on('SIGHUP', onHangUp);
    const stopWatchingProfiles = (await profileLoginsOrWarning(env)).logins.length === 0 ? () => undefined : watchOrgProfiles(env, onProfilesChanged);
    const unlisten = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onHangUp);
      stopWatchingProfiles();
    };
    let stopServing: () => Promise<void>;
    try {
      const [started, opened] = await startup;
      if (opened.status === 'rejected') throw opened.reason;
      if (started.status === 'rejected') throw started.reason;
      log.verbose(describePolicies(opened.value, env));
      const servedSkills = gateway.skills();
      log.verbose(`serving ${servedSkills.length} skill${servedSkills.length === 1 ? '' : 's'}${servedSkills.length === 0 ? '' : `: ${servedSkills.map((skill) => skill.name).join(', ')}`}`);
      if (listen === undefined) {
        const serving = serveGatewayStdio(gateway, { input: process.stdin, output: process.stdout, onError: (error) => { log.verbose(`stdio: ${error.message}`); } });
        stopping.push(serving.closed.then(() => 'stdin closed'));
        stopServing = () => serving.close();
      } else {
        const bearer = token ?? randomToken();
        const serving = await serveGatewayHttp(gateway, {
          host: listen.host,
          port: listen.port,
          token: bearer,
          allowRemote: settings.allowRemote,
          onError: (error) => { log.verbose(`http: ${error.message}`); },
          onSession: ({ kind, session }) => { log.verbose(`http session ${session} ${kind}`); },
        });
        log.always(`listening on ${serving.url}`);
        if (token === undefined) log.always(`bearer token (shown once; pass --token-file to choose it): ${bearer}`);
        stopServing = () => serving.close();
      }
    } catch (error) {
      unlisten();
      await gateway.close();
      await governance.close();
      throw error;
    }
    const stopped = await Promise.race(stopping);
    log.verbose(`stopping (${stopped})`);
    await stopServing().catch(() => undefined);
    await gateway.close();
    await follower.settled();
    // After the gateway: every call it finished (and every connector change) has been appended by now.
    await governance.close().catch((error: unknown) => {
      const failure = toSkillsyncError(error);
      log.always(`audit log: ${failure.code}: ${failure.message}`);
    });
    unlisten();
    return { ok: true, data: { transport: listen === undefined ? 'stdio' : 'http', stopped, connectors: gateway.status() } };
  },
  // stdout belongs to the protocol: nothing is rendered after it ends either.
  render: () => '',
});

/**
 * Takes up each change of the cached org profiles in the running gateway's connectors,
 * one change after the other and only once the gateway has started: a connector the
 * profiles now refuse is stopped, one they no longer refuse is started (the manifests
 * as read at start). Each is one line on stderr, naming the connector and the org, and
 * one audit record (`stopConnector`, `startConnector`).
 */
function followOrgProfiles(options: {
  readonly env: Env;
  readonly gateway: Gateway;
  readonly governance: GatewayGovernance;
  /** The connectors to serve under the profiles as cached now (`resolveServed`). */
  readonly underCachedProfiles: () => Promise<ServedConnectors>;
  readonly log: ServeLog;
  readonly client: string | undefined;
  readonly startup: Promise<unknown>;
}): { readonly changed: () => void; readonly settled: () => Promise<void> } {
  const { env, gateway, governance, log } = options;
  const record = (connector: string, action: 'stopConnector' | 'startConnector', detail: string): void => {
    try {
      governance.hooks.audit?.append({
        time: env.now(),
        principal: governance.hooks.principal.user,
        client: options.client ?? 'unknown',
        action,
        connector,
        decision: action === 'stopConnector' ? 'deny' : 'allow',
        outcome: action === 'stopConnector' ? 'denied' : 'ok',
        detail,
      });
    } catch (error) {
      const failure = toSkillsyncError(error);
      log.always(`audit log: ${failure.code}: ${failure.message}`);
    }
  };
  const apply = async (): Promise<void> => {
    await options.startup;
    const next = await options.underCachedProfiles();
    const changes = await gateway.setConnectors(next.connectors);
    for (const name of changes.stopped) {
      const reason = next.refused.get(name) ?? 'the org profiles refuse it';
      log.always(`connector ${name} stopped: ${reason}`);
      record(name, 'stopConnector', reason);
    }
    for (const name of changes.started) {
      const reason = 'no org profile refuses it any more';
      log.always(`connector ${name} started: ${reason}`);
      record(name, 'startConnector', reason);
    }
  };
  let following: Promise<void> = Promise.resolve();
  return {
    changed() {
      following = following.then(apply).catch((error: unknown) => {
        const failure = toSkillsyncError(error);
        log.always(`the org profiles' connector changes were not applied: ${failure.code}: ${failure.message}`);
      });
    },
    settled: () => following,
  };
}

/** Checks the options that need no I/O; a mistake is a USAGE error before anything starts. */
function serveSettings(options: OptionValues<typeof serveOptions>): ServeSettings {
  const scope = parseSyncScope(options.scope);
  const listen = options.http === undefined ? undefined : parseListenAddress(options.http, { option: '--http', example: '127.0.0.1:8765' });
  if (listen === undefined && (options['token-file'] !== undefined || options['allow-remote'])) {
    throw new SkillsyncError('USAGE', '--token-file and --allow-remote go with --http.', { details: { option: options['token-file'] === undefined ? '--allow-remote' : '--token-file' } });
  }
  if (listen !== undefined && !isLoopbackHost(listen.host) && !options['allow-remote']) {
    throw new SkillsyncError('GATEWAY_REMOTE_REFUSED', `--http ${options.http ?? ''}: ${listen.host} is not a loopback address; the gateway listens on other interfaces only with --allow-remote.`, {
      details: { host: listen.host },
    });
  }
  const namespace = options.namespace;
  if (namespace !== undefined && !NAMESPACE_MODES.includes(namespace as NamespaceMode)) {
    throw new SkillsyncError('USAGE', `--namespace ${namespace}: not a naming mode. Allowed: ${NAMESPACE_MODES.join(', ')}.`, {
      hint: 'Pass --namespace always (every name <connector>__<name>) or --namespace auto (prefix only the names two connectors share).',
      details: { option: '--namespace', value: namespace, allowed: NAMESPACE_MODES },
    });
  }
  const skills = options.skills ?? 'auto';
  if (!SKILL_SERVING.includes(skills as SkillServing)) {
    throw new SkillsyncError('USAGE', `--skills ${skills}: not a choice. Allowed: ${SKILL_SERVING.join(', ')}.`, {
      details: { option: '--skills', value: skills, allowed: SKILL_SERVING },
    });
  }
  return {
    skills: skills as SkillServing,
    namespace: namespace as NamespaceMode | undefined,
    scope,
    connectors: options.connector,
    client: options.client,
    listen,
    tokenFile: options['token-file'],
    allowRemote: options['allow-remote'],
    audit: !options['no-audit'],
  };
}

/**
 * Whether the installed skills go out over MCP. A client that takes skill folders gets
 * them as files from sync; serving them too would show it every skill twice.
 */
function skillsServed(settings: ServeSettings, scopes: readonly PolicyScope[]): boolean {
  if (settings.skills !== 'auto') return settings.skills === 'all';
  const adapter = clientAdapters.find((candidate) => candidate.id === settings.client);
  if (adapter === undefined) return true;
  return !scopes.every((scope) => adapter.capabilities[scope].skills.kind === 'supported');
}

function describePolicies(policies: PolicySetSummary, env: Env): string {
  // The built-in policy and the org profiles' policies have names, not paths.
  const files = policies.files.map((file) => (pathFor(env).isAbsolute(file) ? displayPath(env, file) : file)).join(', ');
  const warnings = policies.warnings.length === 0 ? '' : `; warnings: ${policies.warnings.join('; ')}`;
  return `policies from ${files} (${policies.policyIds.length} ${policies.policyIds.length === 1 ? 'policy' : 'policies'}, ${policies.version.slice(0, 19)})${warnings}`;
}

/** The connectors `serve` runs under some org profiles, and why each one they take out is refused (by name). */
interface ServedConnectors {
  readonly connectors: Record<string, ConnectorDefinition>;
  readonly refused: ReadonlyMap<string, string>;
}

/**
 * What `serve` runs: the connectors of both manifests stacked, or of one scope, narrowed
 * by --connector; the gateway settings of the same manifests; and their skills with the
 * lockfiles that lock them (the project lockfile also locks the user's skills). The
 * cached org profiles apply on top, as in `sync`: a connector they refuse is not run,
 * and the org's required skills are served with the user scope's. `underCachedProfiles`
 * reads the cached profiles again and says which of the same manifests' connectors they
 * let through now (the manifests are read once, at start).
 */
export async function resolveServed(
  env: Env,
  scope: PolicyScope | undefined,
  only: readonly string[],
): Promise<{
  connectors: Record<string, ConnectorDefinition>;
  gateway: GatewayConfig;
  scopes: readonly PolicyScope[];
  skills: readonly string[];
  lockfiles: readonly Lockfile[];
  underCachedProfiles: () => Promise<ServedConnectors>;
}> {
  const [manifests, org] = await Promise.all([readManifests(env), readOrgProfiles(env)]);
  requireValidManifests(manifests);
  const chosen = scope === undefined ? undefined : manifests[scope];
  const orgOnly = scope !== 'project' && addsToUserScope(org);
  if (manifests.user === undefined && manifests.project === undefined && !orgOnly) {
    throw new SkillsyncError('MANIFEST_NOT_FOUND', `No skillsync.yaml in ${env.cwd} or above it, and no user manifest.`, {
      hint: 'Run `skillsync init` (or `skillsync init --user`) and add connectors first.',
      details: { cwd: env.cwd },
    });
  }
  if (scope !== undefined && chosen?.manifest === undefined && !(scope === 'user' && orgOnly)) {
    throw new SkillsyncError('MANIFEST_NOT_FOUND', `--scope ${scope}: there is no ${scope} manifest.`, {
      hint: scope === 'project' ? 'Run `skillsync init` in the project first.' : 'Run `skillsync init --user` first.',
      details: { scope },
    });
  }
  const own: EffectiveManifest =
    scope === 'user' ? mergeManifests(chosen?.manifest, undefined) : scope === 'project' ? mergeManifests(undefined, chosen?.manifest) : manifests.effective;
  const underProfiles = (layers: readonly OrgProfileLayer[]): { effective: EffectiveManifest } & ServedConnectors => {
    const { manifest: effective, violations } = applyOrgProfiles(own, layers, { addOrgScope: scope !== 'project' });
    const refused = new Map<string, string>();
    for (const violation of violations) if (violation.kind === 'blocked-connector' || violation.kind === 'connector-not-allowed') refused.set(violation.name, violation.reason);
    return { effective, connectors: servedConnectors(env, effective), refused };
  };
  const { effective, connectors } = underProfiles(org.layers);
  const p = pathFor(env);
  for (const name of only) {
    if (connectors[name] === undefined) {
      const close = suggest(name, Object.keys(connectors));
      throw new SkillsyncError('CONNECTOR_NOT_FOUND', `--connector ${name}: no connector of that name${close === undefined ? '' : ` (did you mean ${close}?)`}.`, {
        details: { connector: name, known: Object.keys(connectors).sort() },
      });
    }
  }
  const scopes: readonly PolicyScope[] = scope === undefined ? ['user', 'project'] : [scope];
  const lockOrder = scope === 'user' ? [manifests.user, manifests.project] : scope === 'project' ? [manifests.project] : [manifests.project, manifests.user];
  const lockfileFiles = lockOrder.flatMap((loaded) => (loaded === undefined ? [] : [p.join(p.dirname(loaded.file), LOCKFILE_FILE)]));
  // The org's skills are locked in the user lockfile, whether or not there is a user manifest.
  if (scope !== 'project' && !lockfileFiles.includes(userLockfileFile(env))) lockfileFiles.push(userLockfileFile(env));
  const lockfiles: Lockfile[] = [];
  for (const file of lockfileFiles) {
    const lock = await readLockfile(file);
    if (lock !== undefined) lockfiles.push(lock);
  }
  const skills = effective.skills.map((skill) => skill.name);
  const kept = (all: Record<string, ConnectorDefinition>): Record<string, ConnectorDefinition> =>
    only.length === 0 ? all : Object.fromEntries(Object.entries(all).filter(([name]) => only.includes(name)));
  return {
    connectors: kept(connectors),
    gateway: effective.gateway,
    scopes,
    skills,
    lockfiles,
    underCachedProfiles: async () => {
      const now = underProfiles((await readOrgProfiles(env)).layers);
      return { connectors: kept(now.connectors), refused: now.refused };
    },
  };
}

/** The connectors of an effective manifest as the gateway takes them: a relative cwd made absolute. */
function servedConnectors(env: Env, effective: EffectiveManifest): Record<string, ConnectorDefinition> {
  const p = pathFor(env);
  const connectors: Record<string, ConnectorDefinition> = {};
  for (const { name, connector, source } of effective.connectors) {
    const base = p.dirname(source.file);
    let cwd = connector.cwd;
    // A relative cwd is relative to the manifest that says it, as every path in it is.
    if (cwd !== undefined) cwd = cwd.includes('${') ? (p.isAbsolute(cwd) ? cwd : p.join(base, cwd)) : resolveManifestPath(env, base, cwd);
    connectors[name] = cwd === undefined ? connector : { ...connector, cwd };
  }
  return connectors;
}

/**
 * Looks `${secret:NAME}` up in the secret store, opened at the first lookup. Every value
 * found is registered with the redactor, so a connector that echoes its secret gets it
 * masked by the known-secret detector too.
 */
export function secretResolver(env: Env): ResolveSecret {
  let store: Promise<SecretStore> | undefined;
  return async (name) => {
    store ??= openSecretStore({ env });
    const value = await (await store).get(name);
    if (value !== undefined) registerSecret(value);
    return value;
  };
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
        case 'skill-skipped':
          write(`skill ${event.skill} is not served: ${event.reason}`);
          return;
      }
    },
  };
}
