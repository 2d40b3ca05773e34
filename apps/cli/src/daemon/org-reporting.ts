import { existsSync } from 'node:fs';
import { isRecord, parseJsonRecord, pathFor, readTextIfExists, toSkillsyncError, writeFileAtomic, type Env, type SkillsyncPaths } from '@skillsync/core';
import { openAuditLog, type AuditLog } from '@skillsync/policy';
import { RUNTIME_AUDIT_BATCH_MAX, type RegistryClient, type RuntimeAuditUpload } from '@skillsync/registry';
import { STATE_DATABASE_NAME } from '@skillsync/state';
import { buildStatusReport, DEVICE_VAR, deviceName, lockfilesInForce, sendStatusReports } from '../org-reports.js';
import { oneTryRegistryClient, registryCredentials } from '../registry-session.js';
import { afterRefusal, afterUpload, nextUpload, type LocalChain, type UploadCursor } from './audit-upload.js';
import type { DaemonLog } from './daemon-log.js';

/** A report is never sent more often than this, however often the state changes. */
export const REPORT_MIN_GAP_MS = 30_000;
/** An unchanged report is sent again after this, so the server's `reportedAt` says the machine is still there. */
export const REPORT_REFRESH_MS = 3_600_000;
/** After a failed report, the next try waits this long (the machine is offline, or the org refuses). */
export const REPORT_RETRY_MS = 300_000;
/** How often the runtime audit log is looked at for records to upload. */
export const AUDIT_UPLOAD_INTERVAL_MS = 60_000;
/** After the server refused an upload for its setting, scope or device limit, the next try waits this long. */
const AUDIT_REFUSED_RETRY_MS = 3_600_000;
/** Batches per registry per round: a long backlog goes up over several rounds rather than holding a round for long. */
const AUDIT_BATCHES_PER_ROUND = 10;
const REQUEST_TIMEOUT_MS = 10_000;

/** What the daemon knows after a look or a sync, for the report. */
export interface ReportSource {
  /** The registries that collect reports (`reportingRegistries`). */
  readonly registries: readonly string[];
  readonly clients: readonly string[];
  /** The manifests of the scopes looked at: their lockfiles are in force. */
  readonly manifests: readonly string[];
  readonly drift: readonly { readonly status: string }[];
}

/** When one registry was last sent a report, and what. */
export interface ReportHistory {
  /** The content of the last report it took, and when. */
  readonly sent?: { readonly content: string; readonly at: number };
  readonly lastAttempt?: { readonly at: number; readonly ok: boolean };
}

/**
 * Whether a report with `content` is due now (pure): not within 30 s of the last try (5
 * min after a failed one); then when it differs from the last one sent, or that one is an
 * hour old. Otherwise `at`: when to look again.
 */
export function reportDue(history: ReportHistory, content: string, now: number): { readonly due: true } | { readonly due: false; readonly at: number } {
  const { sent, lastAttempt } = history;
  if (lastAttempt !== undefined) {
    const earliest = lastAttempt.at + (lastAttempt.ok ? REPORT_MIN_GAP_MS : REPORT_RETRY_MS);
    if (now < earliest) return { due: false, at: earliest };
  }
  if (sent === undefined || sent.content !== content) return { due: true };
  const refresh = sent.at + REPORT_REFRESH_MS;
  return now >= refresh ? { due: true } : { due: false, at: refresh };
}

export interface OrgReporting {
  /** The state after a look or a sync: sends the report to each registry it is due at, later when it is not yet. */
  offer(source: ReportSource): void;
  /** Cancels the timers and aborts what is being sent; settles when the work under way has ended. */
  stop(): Promise<void>;
}

export interface OrgReportingOptions {
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  readonly log: DaemonLog;
  /** Default AUDIT_UPLOAD_INTERVAL_MS. */
  readonly auditIntervalMs?: number;
}

/**
 * The daemon's reporting to the orgs that collect it (docs/org-profiles.md "Reporting"):
 * the parity report after looks and syncs, and the runtime audit log every minute. All
 * best-effort and off the daemon's work queue: a failure is logged once (until it
 * changes or a send succeeds), never retried hard, and a stop aborts what is in flight.
 */
export function startOrgReporting(options: OrgReportingOptions): OrgReporting {
  const { env, paths, log } = options;
  const clock = (): number => env.now().getTime();
  const stopping = new AbortController();
  // A function, not the property: the compiler would take it for unchanged across awaits.
  const stopped = (): boolean => stopping.signal.aborted;
  const histories = new Map<string, ReportHistory>();
  const failures = new Map<string, string>();
  const auditRetryAt = new Map<string, number>();
  const cursorFile = pathFor(env).join(paths.state, 'daemon-audit-upload.json');
  const device = deviceName(env);
  const credentials = registryCredentials(env);
  let latest: ReportSource | undefined;
  let reportTimer: NodeJS.Timeout | undefined;
  let work: Promise<void> = Promise.resolve();
  let uploading = false;
  let uploadStarted = false;

  /** Logs a registry's failure once, until it changes or a send succeeds. */
  const failed = (key: string, message: string): void => {
    if (failures.get(key) === message) return;
    failures.set(key, message);
    log.warn(message, { registry: key.slice(key.indexOf(' ') + 1) });
  };
  const succeeded = (key: string): void => {
    failures.delete(key);
  };

  const track = (task: () => Promise<void>): void => {
    work = work.then(task).catch((error: unknown) => {
      if (!stopped()) log.warn(`reporting failed: ${toSkillsyncError(error).message}`);
    });
  };

  const sendDue = async (source: ReportSource): Promise<void> => {
    if (stopped() || source.registries.length === 0) return;
    const report = buildStatusReport({ device, clients: source.clients, lockfiles: await lockfilesInForce(env, source.manifests), drift: source.drift });
    const content = JSON.stringify(report);
    const now = clock();
    const due: string[] = [];
    let next: number | undefined;
    for (const registry of source.registries) {
      const decision = reportDue(histories.get(registry) ?? {}, content, now);
      if (decision.due) due.push(registry);
      else next = Math.min(next ?? decision.at, decision.at);
    }
    const outcomes = due.length === 0 ? [] : await sendStatusReports(env, due, report, { signal: stopping.signal });
    if (stopped()) return;
    for (const outcome of outcomes) {
      const before = histories.get(outcome.registry) ?? {};
      const at = clock();
      histories.set(outcome.registry, { ...(outcome.sent ? { sent: { content, at } } : before.sent === undefined ? {} : { sent: before.sent }), lastAttempt: { at, ok: outcome.sent } });
      if (outcome.sent) succeeded(`report ${outcome.registry}`);
      else failed(`report ${outcome.registry}`, `${outcome.warning ?? `no parity report reached ${outcome.registry}`}; tried again later`);
      const again = reportDue(histories.get(outcome.registry) ?? {}, content, at);
      if (!again.due) next = Math.min(next ?? again.at, again.at);
    }
    schedule(next);
  };

  /** One timer, for the earliest registry a report is due at later: it offers the latest state again. */
  const schedule = (at: number | undefined): void => {
    if (reportTimer !== undefined) clearTimeout(reportTimer);
    reportTimer = undefined;
    if (at === undefined || stopped()) return;
    reportTimer = setTimeout(() => {
      reportTimer = undefined;
      if (latest !== undefined) reporting.offer(latest);
    }, Math.max(0, at - clock()));
    reportTimer.unref();
  };

  // Read once: this daemon (one per user) is the file's only writer.
  let cursors: Promise<Record<string, UploadCursor>> | undefined;
  const readCursors = (): Promise<Record<string, UploadCursor>> => {
    cursors ??= readTextIfExists(cursorFile).then(
      (text) => {
        const uploads = parseJsonRecord(text ?? '')?.uploads;
        return isRecord(uploads) ? { ...(uploads as Record<string, UploadCursor>) } : {};
      },
      () => ({}),
    );
    return cursors;
  };
  const writeCursor = async (registry: string, cursor: UploadCursor): Promise<void> => {
    const uploads = await readCursors();
    uploads[registry] = cursor;
    await writeFileAtomic(cursorFile, `${JSON.stringify({ uploads }, null, 2)}\n`, { mode: 0o600 });
  };

  /** The local chain: what its oldest record chains from, and its head; undefined while it is empty. */
  const localChain = async (audit: AuditLog): Promise<LocalChain | undefined> => {
    const [oldest] = await audit.list({ limit: 1 });
    if (oldest === undefined) return undefined;
    return { start: { seq: oldest.seq - 1, hash: oldest.prevHash }, head: await audit.head() };
  };

  const uploadTo = async (audit: AuditLog, registry: string): Promise<void> => {
    if ((auditRetryAt.get(registry) ?? 0) > clock()) return;
    const key = `audit ${registry}`;
    // Made when there is something to send: most rounds find nothing, and need no token.
    let client: RegistryClient | undefined;
    for (let batch = 0; batch < AUDIT_BATCHES_PER_ROUND && !stopped(); batch += 1) {
      const cursor = (await readCursors())[registry];
      const local = await localChain(audit);
      const step = nextUpload(cursor, device, local);
      if (step.kind === 'idle' || step.kind === 'stopped' || local === undefined) return;
      if (step.kind === 'broken') {
        await writeCursor(registry, afterRefusal(cursor, device, local, { code: 'INTEGRITY_MISMATCH', reason: step.reason }));
        failed(key, `runtime audit upload to ${registry} stopped: ${step.reason}; it resumes when the local log is pruned or replaced, or under another device name (${DEVICE_VAR})`);
        return;
      }
      const records = await audit.list({ afterSeq: step.afterSeq, limit: RUNTIME_AUDIT_BATCH_MAX });
      if (records.length === 0) return;
      const upload: RuntimeAuditUpload = { device, records: records.map(({ policyIds, ...record }) => ({ ...record, ...(policyIds === undefined ? {} : { policyIds: [...policyIds] }) })) };
      try {
        client ??= await oneTryRegistryClient(credentials, registry, { timeoutMs: REQUEST_TIMEOUT_MS });
        const answer = await client.uploadRuntimeAudit(upload, { signal: stopping.signal });
        await writeCursor(registry, afterUpload(device, answer.head));
        succeeded(key);
      } catch (error) {
        if (stopped()) return;
        const failure = toSkillsyncError(error);
        if (failure.code === 'INTEGRITY_MISMATCH' || failure.code === 'INVALID_INPUT') {
          const next = afterRefusal(cursor, device, local, { code: failure.code, reason: `${failure.code}: ${failure.message}`, afterSeq: step.afterSeq });
          await writeCursor(registry, next);
          if (next.stopped === undefined) continue;
          failed(key, `runtime audit upload to ${registry} stopped: the server refused it (${failure.code}: ${failure.message}); it resumes when the local log is pruned or replaced`);
          return;
        }
        // Reporting turned off, a token without the report scope, the device limit: not worth asking again for a while.
        if (['SERVER_FORBIDDEN', 'SERVER_CONFLICT', 'SERVER_UNAUTHENTICATED'].includes(failure.code)) auditRetryAt.set(registry, clock() + AUDIT_REFUSED_RETRY_MS);
        failed(key, `no runtime audit reached ${registry} (${failure.code}: ${failure.message}); tried again later`);
        return;
      }
      if (records.length < RUNTIME_AUDIT_BATCH_MAX) return;
    }
  };

  const uploadAudit = async (): Promise<void> => {
    const registries = latest?.registries ?? [];
    const file = pathFor(env).join(paths.state, STATE_DATABASE_NAME);
    // No gateway has run here yet: nothing to upload, and no database to create for it.
    if (uploading || stopped() || registries.length === 0 || !existsSync(file)) return;
    uploading = true;
    const audit = await openAuditLog({ file });
    try {
      for (const registry of registries) await uploadTo(audit, registry);
    } finally {
      uploading = false;
      await audit.close();
    }
  };

  // Only while an org collects: a daemon that reports to no one keeps no timer (its idle CPU stays at zero).
  let auditTimer: NodeJS.Timeout | undefined;
  const uploadPeriodically = (on: boolean): void => {
    if (on && auditTimer === undefined) {
      auditTimer = setInterval(() => {
        track(uploadAudit);
      }, options.auditIntervalMs ?? AUDIT_UPLOAD_INTERVAL_MS);
      auditTimer.unref();
    } else if (!on && auditTimer !== undefined) {
      clearInterval(auditTimer);
      auditTimer = undefined;
    }
  };

  const reporting: OrgReporting = {
    offer: (source) => {
      if (stopped()) return;
      latest = source;
      uploadPeriodically(source.registries.length > 0);
      track(() => sendDue(source));
      // The first time an org collects: what the log holds goes up at once, not a minute later.
      if (!uploadStarted && source.registries.length > 0) {
        uploadStarted = true;
        track(uploadAudit);
      }
    },
    stop: async () => {
      stopping.abort();
      uploadPeriodically(false);
      if (reportTimer !== undefined) clearTimeout(reportTimer);
      await work;
    },
  };
  return reporting;
}
