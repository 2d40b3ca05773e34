import os from 'node:os';
import { byteOrder, type Env, type Lockfile, LOCKFILE_FILE, pathFor, splitPackageKey, toSkillsyncError } from '@skillsync/core';
import { DRIFT_KINDS, statusReport, type StatusReport } from '@skillsync/registry';
import { parsedFilesCache, readLockfile } from './project.js';
import { userLockfileFile } from './org-scope.js';
import { oneTryRegistryClient, registryCredentials } from './registry-session.js';
import type { SyncData } from './run-sync.js';

/** Overrides the device name reports and runtime audit uploads carry (default: the host name). */
export const DEVICE_VAR = 'SKILLSYNC_DEVICE';

/** How long a report may take: it rides on a sync, which must not wait on a slow server. */
export const REPORT_TIMEOUT_MS = 3_000;

const DEVICE_MAX = 100;

/**
 * The name this machine reports under: SKILLSYNC_DEVICE, else the host name, without
 * control characters and cut to what the server accepts (1–100 characters). The server
 * keeps one report per device name, so it must stay the same from run to run.
 */
export function deviceName(env: Env, hostname: () => string = os.hostname): string {
  const chosen = env.vars[DEVICE_VAR]?.trim();
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = (value: string): string => value.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, DEVICE_MAX);
  const name = clean(chosen === undefined || chosen === '' ? hostname() : chosen);
  return name === '' ? 'unnamed-device' : name;
}

/** What a report is made of, gathered by the sync or the daemon. */
export interface ReportInput {
  readonly device: string;
  /** The clients synced, in any order, repeated or not. */
  readonly clients: readonly string[];
  /** The lockfiles in force (the user's, which holds the org's skills, and the project's). */
  readonly lockfiles: readonly Lockfile[];
  /** The drifted items left, each by its status (`missing`, `modified`…); other statuses are not counted. */
  readonly drift: readonly { readonly status: string }[];
}

/**
 * The parity report of this machine (pure): the device, the clients, every locked package
 * (name, version, integrity; each once, sorted) and the drift counted by status. Nothing
 * else leaves the machine: no paths, file contents, connector definitions or secrets.
 * A package the server's schema would refuse (a folder skill with a loose version) is left
 * out rather than have the whole report refused.
 */
export function buildStatusReport(input: ReportInput): StatusReport {
  const skills = new Map<string, StatusReport['skills'][number]>();
  const entry = statusReport.shape.skills.element;
  for (const lockfile of input.lockfiles) {
    for (const [key, locked] of Object.entries(lockfile.packages)) {
      const id = splitPackageKey(key);
      const parsed = entry.safeParse({ ...id, integrity: locked.integrity });
      if (id !== undefined && parsed.success) skills.set(`${key}\u0000${locked.integrity}`, parsed.data);
    }
  }
  const drift: StatusReport['drift'] = {};
  for (const item of input.drift) {
    const kind = DRIFT_KINDS.find((known) => known === item.status);
    if (kind !== undefined) drift[kind] = (drift[kind] ?? 0) + 1;
  }
  return {
    device: input.device,
    clients: [...new Set(input.clients)].sort(byteOrder),
    skills: [...skills.entries()].sort(([a], [b]) => byteOrder(a, b)).map(([, skill]) => skill),
    drift,
  };
}

/** The lockfiles in force: the user's (where the org's skills are locked) and the one beside each synced manifest. */
export async function lockfilesInForce(env: Env, manifests: readonly string[]): Promise<Lockfile[]> {
  const p = pathFor(env);
  const files = new Set([userLockfileFile(env), ...manifests.map((file) => p.join(p.dirname(file), LOCKFILE_FILE))]);
  const read = await Promise.all([...files].map((file) => readLockfile(file, parsedFilesCache(env, 'lockfiles')).catch(() => undefined)));
  return read.filter((lockfile): lockfile is Lockfile => lockfile !== undefined);
}

/** What a sync that applied leaves drifted: the conflicts it would not overwrite and the items of paths it skipped. */
export function driftLeftBySync(data: Pick<SyncData, 'scopes'>): { readonly status: string }[] {
  return data.scopes.flatMap((scope) => {
    const skipped = new Set((scope.applied?.skipped ?? []).map((entry) => entry.path));
    return scope.drift.filter((item) => item.status === 'conflict' || (item.path !== undefined && skipped.has(item.path)));
  });
}

/** `skillsync sync`'s report, once it applied: to each registry in `registries`. */
export async function reportAfterSync(env: Env, data: Pick<SyncData, 'scopes'>, registries: readonly string[]): Promise<ReportOutcome[]> {
  const report = buildStatusReport({
    device: deviceName(env),
    clients: data.scopes.flatMap((scope) => scope.clients),
    lockfiles: await lockfilesInForce(env, data.scopes.map((scope) => scope.manifest)),
    drift: driftLeftBySync(data),
  });
  return sendStatusReports(env, registries, report);
}

/** How sending one report went. */
export interface ReportOutcome {
  readonly registry: string;
  readonly device: string;
  readonly sent: boolean;
  /** Why it was not sent (the server's code and message), for one warning. */
  readonly warning?: string;
}

export interface SendReportOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

/**
 * Sends `report` to each registry, all at once, one try each with a short timeout:
 * best-effort, a failure (offline, reporting off, the token lacks the `report` scope, the
 * device limit) is an outcome with a warning, never an error.
 */
export async function sendStatusReports(env: Env, registries: readonly string[], report: StatusReport, options: SendReportOptions = {}): Promise<ReportOutcome[]> {
  const credentials = registryCredentials(env);
  return Promise.all(
    registries.map(async (registry): Promise<ReportOutcome> => {
      try {
        const client = await oneTryRegistryClient(credentials, registry, { timeoutMs: options.timeoutMs ?? REPORT_TIMEOUT_MS });
        await client.postReport(report, { signal: options.signal });
        return { registry, device: report.device, sent: true };
      } catch (error) {
        const failure = toSkillsyncError(error);
        return { registry, device: report.device, sent: false, warning: `no parity report reached ${registry} (${failure.code}: ${failure.message})` };
      }
    }),
  );
}
