import { stat } from 'node:fs/promises';
import os from 'node:os';
import { SkillsyncError, toSkillsyncError, type Env, type GatewayConfig, type SkillsyncPaths } from '@skillsync/core';
import {
  createPolicyEngine,
  createRedactor,
  DEFAULT_POLICY_FILE,
  loadPolicyFiles,
  openAuditLog,
  policyFilesAt,
  type AuditLog,
  type PolicyEngine,
  type PolicyFile,
} from '@skillsync/policy';
import type { GatewayOptions, Principal } from '@skillsync/runtime';
import { stateDatabaseFile } from '@skillsync/state';
import { readOrgProfiles } from './org-profiles.js';
import { policyDirs, type PolicyDir, type PolicyScope } from './policy-dirs.js';

/**
 * What `skillsync serve` enforces: the Cedar policies of the scopes it serves, the
 * redactor of `gateway.redaction`, and the audit log in the state database, wired into
 * the gateway's three hooks. `prepareGovernance` builds the hooks and the redactor (a
 * bad custom pattern refuses at once); `open` then loads the policies and opens the
 * log while the gateway starts its connectors (Cedar's first engine and the database
 * take a few hundred milliseconds, which the connectors' own start-up hides). The
 * gateway serves no request before `open` has resolved; if it rejects (an invalid
 * policy, no SQLite for the audit log), the gateway is not served at all.
 */
export interface GatewayGovernance {
  /** Spread into `createGateway`'s options. */
  readonly hooks: Pick<GatewayOptions, 'authorize' | 'redaction' | 'audit'> & { readonly principal: Principal };
  /** Loads the policies and opens the audit log; call once, before serving. */
  open(): Promise<PolicySetSummary>;
  /**
   * Reads the policy files again and swaps in a new engine (and an empty decision
   * cache). On any error the current policies stay in force and the error is thrown.
   */
  reloadPolicies(): Promise<PolicySetSummary>;
  /** Writes every queued audit record and closes the log (a no-op when it was never opened). */
  close(): Promise<void>;
}

export interface PolicySetSummary {
  /** The policy files in force, or `<built-in default policy>`. */
  readonly files: readonly string[];
  readonly builtIn: boolean;
  readonly version: string;
  readonly policyIds: readonly string[];
  /** Cedar's warnings (policies that can never apply). */
  readonly warnings: readonly string[];
}

export interface GovernanceOptions {
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  /** The scopes served: their policy folders are read (`policy check`'s lookup). */
  readonly scopes: readonly PolicyScope[];
  /** The effective `gateway:` settings of the served manifests. */
  readonly config: GatewayConfig;
  /** False with --no-audit: nothing is recorded (the caller warns). */
  readonly audit: boolean;
  /** A problem to show on stderr whatever the verbosity. */
  readonly warn: (line: string) => void;
  /** A detail to show with --verbose. */
  readonly verbose: (line: string) => void;
}

interface LoadedPolicies {
  readonly engine: PolicyEngine;
  readonly summary: PolicySetSummary;
}

export function prepareGovernance(options: GovernanceOptions): GatewayGovernance {
  const { env, config } = options;
  const redactor = createRedactor({
    ...(config.redaction?.mode === undefined ? {} : { mode: config.redaction.mode }),
    ...(config.redaction?.detectors === undefined ? {} : { detectors: config.redaction.detectors }),
    ...(config.redaction?.custom === undefined ? {} : { custom: config.redaction.custom }),
  });
  let current: LoadedPolicies | undefined;
  let log: AuditLog | undefined;

  const load = async (): Promise<LoadedPolicies> => {
    const { files, builtIn } = await loadServedPolicies(env, options.paths, options.scopes);
    const engine = createPolicyEngine({ policies: files });
    const summary: PolicySetSummary = {
      files: files.map((file) => file.file ?? file.id),
      builtIn,
      version: engine.version,
      policyIds: engine.policyIds,
      warnings: engine.warnings.map((warning) => `${[warning.file, warning.line].filter((part) => part !== undefined).join(':')}: ${warning.message}`),
    };
    return { engine, summary };
  };

  // A process that exits without `close` (an uncaught error, process.exit) still writes what is queued.
  const flushOnExit = (): void => {
    try {
      log?.flushSync();
    } catch {
      // Nothing more can be done while the process exits.
    }
  };

  return {
    hooks: {
      principal: principalOf(env, config),
      authorize: (request) => {
        // Nothing is served before `open` resolves; should a request come first, it is denied.
        if (current === undefined) return { decision: 'deny', policyIds: [] };
        const decision = current.engine.authorize(request);
        if (decision.errors.length > 0) options.verbose(`policy evaluation for ${request.resource.connector ?? ''}/${request.resource.id}: ${decision.errors.join('; ')}`);
        return decision;
      },
      redaction: { mode: redactor.mode, redact: (value) => redactor.redactValue(value) },
      ...(options.audit
        ? {
            audit: {
              append: (record) => {
                if (log === undefined) throw new SkillsyncError('AUDIT_LOG_CLOSED', 'The audit log is not open.');
                // The version of the engine in force (SIGHUP may swap it), stamped here rather than fixed at start.
                log.append(current === undefined ? record : { ...record, policyVersion: current.summary.version });
              },
            },
          }
        : {}),
    },
    async open() {
      // Let the connectors' launches (started just before) reach their spawn before Cedar takes the thread.
      await new Promise((resolve) => setImmediate(resolve));
      current = await load();
      // Cedar's first decision warms its wasm (tens of milliseconds): pay it now, not on the client's first list.
      current.engine.authorize({ principal: { user: '' }, action: 'callTool', resource: { type: 'Tool', id: '', connector: '' }, context: { client: '' } });
      current.engine.clearCache();
      if (options.audit) {
        log = await openGatewayAuditLog(stateDatabaseFile(env), config.auditRetentionDays, options.warn);
        process.on('exit', flushOnExit);
      }
      return current.summary;
    },
    async reloadPolicies() {
      current = await load();
      return current.summary;
    },
    async close() {
      if (log === undefined) return;
      try {
        await log.close();
      } finally {
        process.off('exit', flushOnExit);
      }
    },
  };
}

/**
 * The policy files of the served scopes, read the way `policy check` finds them; the
 * built-in default policy when none has any. When both scopes have files, their ids
 * are prefixed with the scope (`user:tools#0`, `project:tools#0`) so two files of the
 * same name cannot clash. A policy folder that exists but cannot be read refuses
 * (GATEWAY_POLICY_UNREADABLE): the gateway never runs without policies it was given.
 * The org profiles' policies (as cached: no network) come on top, whatever the scope,
 * each a file of its own with the id `org:<org>/<policy id>`; they are checked with the
 * others, so an invalid one refuses the whole set like an invalid file.
 */
export async function loadServedPolicies(env: Env, paths: SkillsyncPaths, scopes: readonly PolicyScope[]): Promise<{ files: PolicyFile[]; builtIn: boolean }> {
  const [local, org] = await Promise.all([loadScopePolicies(env, paths, scopes), readOrgProfiles(env)]);
  return { files: [...local.files, ...org.policies.map(({ id, text }): PolicyFile => ({ id, text }))], builtIn: local.builtIn };
}

async function loadScopePolicies(env: Env, paths: SkillsyncPaths, scopes: readonly PolicyScope[]): Promise<{ files: PolicyFile[]; builtIn: boolean }> {
  const sets: { dir: PolicyDir; count: number }[] = [];
  for (const dir of await policyDirs(env, paths)) {
    if (!scopes.includes(dir.scope)) continue;
    const info = await stat(dir.path).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw unreadable(dir, code, error);
    });
    if (info === undefined) continue;
    if (!info.isDirectory()) throw unreadable(dir, 'ENOTDIR', undefined);
    const files = await policyFilesAt(dir.path).catch((error: unknown) => {
      throw unreadable(dir, (toSkillsyncError(error).cause as NodeJS.ErrnoException | undefined)?.code, error);
    });
    if (files.length > 0) sets.push({ dir, count: files.length });
  }
  if (sets.length === 0) return { files: [DEFAULT_POLICY_FILE], builtIn: true };
  const files: PolicyFile[] = [];
  for (const { dir } of sets) files.push(...(await loadPolicyFiles(dir.path, sets.length > 1 ? { idPrefix: `${dir.scope}:` } : {})));
  return { files, builtIn: false };
}

function unreadable(dir: PolicyDir, code: string | undefined, cause: unknown): SkillsyncError {
  return new SkillsyncError('GATEWAY_POLICY_UNREADABLE', `The ${dir.scope} policy folder ${dir.path} cannot be read${code === undefined ? '' : ` (${code})`}.`, {
    details: { path: dir.path, scope: dir.scope },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Opens the audit log. Without a state database (no SQLite for this Node) or with a
 * database that cannot be opened, the error is the state layer's, with a hint that
 * adds --no-audit. A retention prune that fails (a broken chain is never pruned) is
 * reported and the log opened without it: the gateway keeps recording.
 */
async function openGatewayAuditLog(file: string, retentionDays: number | undefined, warn: (line: string) => void): Promise<AuditLog> {
  let reported = '';
  const onError = (error: SkillsyncError): void => {
    const line = `audit log: ${error.code}: ${error.message}`;
    if (line === reported) return;
    reported = line;
    warn(`${line} (the records stay queued and are retried)`);
  };
  try {
    return await openAuditLog({ file, onError, ...(retentionDays === undefined ? {} : { retentionDays }) });
  } catch (error) {
    if (retentionDays !== undefined) {
      const log = await openAuditLog({ file, onError }).catch((again: unknown) => {
        throw withNoAuditHint(again);
      });
      const failure = toSkillsyncError(error);
      warn(`audit retention (${retentionDays} days) was not applied: ${failure.code}: ${failure.message}`);
      return log;
    }
    throw withNoAuditHint(error);
  }
}

function withNoAuditHint(error: unknown): SkillsyncError {
  const failure = toSkillsyncError(error);
  return new SkillsyncError(failure.code, `skillsync serve records every call in its audit log, which could not be opened: ${failure.message}`, {
    hint: `${failure.hint} To serve without an audit log, pass --no-audit.`,
    details: failure.details,
    cause: error,
  });
}

/**
 * Who the gateway acts for: `gateway.principal.user`, else the operating-system user
 * (USER, USERNAME, then the account name), else `local`; teams and roles only from
 * `gateway.principal`.
 */
export function principalOf(env: Env, config: GatewayConfig): Principal {
  const configured = config.principal;
  const user = configured?.user ?? nonEmpty(env.vars.USER) ?? nonEmpty(env.vars.USERNAME) ?? accountName() ?? 'local';
  return {
    user,
    ...(configured?.teams === undefined ? {} : { teams: configured.teams }),
    ...(configured?.roles === undefined ? {} : { roles: configured.roles }),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function accountName(): string | undefined {
  try {
    return nonEmpty(os.userInfo().username);
  } catch {
    // No passwd entry for this uid (some containers).
    return undefined;
  }
}
