import { rm } from 'node:fs/promises';
import { detectClients } from '@skillsync/clients';
import { randomToken, SkillsyncError, toSkillsyncError, type Env, type SkillsyncPaths } from '@skillsync/core';
import { plural, shortPath } from '../format.js';
import { readOrgProfiles, reportingRegistries, type OrgProfiles } from '../org-profiles.js';
import { refreshOrgProfiles } from '../org-profile-refresh.js';
import { addsToUserScope, orgSkillsToInstall } from '../org-scope.js';
import { readManifests } from '../project.js';
import { runSync, syncPlans, type SyncData } from '../run-sync.js';
import { buildSyncPlans, saveFingerprints, type ScopePlan } from '../sync-context.js';
import type { DaemonController, DaemonEvent, DaemonHealth, DaemonInstanceInfo, DaemonOrgStatus, DaemonSettings, DaemonStatus, DriftedItem, SyncRunSummary } from './contract.js';
import { openDaemonLog, type DaemonLog } from './daemon-log.js';
import { activeDrift } from './drift-summary.js';
import { classifyDrift, createRepairGuard, type ScopeDrift } from './drift-policy.js';
import { createFileWatcher, type FileWatcher } from './file-watcher.js';
import { followOrgEvents, type OrgEvents } from './org-events.js';
import { startOrgReporting, type ReportSource } from './org-reporting.js';
import { startDashboardServer, type DashboardServer } from './http/index.js';
import { claimInstance, daemonFiles, dashboardLink, processStart, releaseInstance, writeStatusFile } from './instance.js';
import { createSettleQueue, type SettledBatch } from './settle-queue.js';
import { startTray, type Tray } from './tray/index.js';
import { deriveWatchTargets } from './watch-targets.js';


/** How long a stop waits for the org event streams, and reports under way, to end. */
const ORG_EVENTS_STOP_MS = 2000;
export interface StartDaemonOptions {
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  readonly settings: DaemonSettings;
  /** The skillsync version, recorded in the instance file. */
  readonly version: string;
  /** The dashboard's port (0: any free one), or false for none. */
  readonly dashboard: { readonly port: number } | false;
  /** Show the tray icon when there is a desktop session. */
  readonly tray: boolean;
  /** In the foreground: receives every log record as a line for a person (stderr). */
  readonly echo?: ((line: string) => void) | undefined;
  /** How often the runtime audit log is uploaded to orgs that collect it; default every minute (tests pass less). */
  readonly auditUploadMs?: number | undefined;
}

/** A started daemon: its controller, what its instance file says, and when it has stopped. */
export interface RunningDaemon extends DaemonController {
  readonly instance: DaemonInstanceInfo;
  /** Settles once the daemon has stopped, whoever stopped it (a signal, the tray's Quit). */
  readonly stopped: Promise<void>;
}

/** What a look may be started by: a settled change, the start, or a manual sync that looks again afterwards. */
type LookTrigger = Extract<SyncRunSummary['trigger'], 'start' | 'watch' | 'manual'>;

interface DaemonState {
  phase: 'starting' | 'running' | 'stopping';
  paused: boolean;
  /** False while there is no manifest at all (health `unconfigured`). */
  configured: boolean;
  detected: readonly string[];
  drift: readonly DriftedItem[];
  lastSync: SyncRunSummary | undefined;
  error: DaemonStatus['error'];
  watching: number;
  /** Undefined while no org profile applies. */
  org: DaemonOrgStatus | undefined;
}

/**
 * A file repaired this many times within `REPAIR_WINDOW_MS` is being rewritten by its
 * client: it is held, not fought, until it has been left alone that long.
 */
const REPAIR_LIMIT = 3;
const REPAIR_WINDOW_MS = 60_000;

/**
 * Starts the user's one daemon: claims the instance (DAEMON_ALREADY_RUNNING when one
 * runs), looks at every scope once (repairing what its settings say to), starts
 * watching, the dashboard and the tray, and writes the instance file. From then on a
 * change to a watched file is acted on once the settle time has passed without another.
 */
export async function startDaemon(options: StartDaemonOptions): Promise<RunningDaemon> {
  const files = daemonFiles(options.env, options.paths);
  return claimInstance(files.instance, async (recordInstance) => {
    const daemon = createDaemon(options, { instance: files.instance, status: files.status }, openDaemonLog({ file: files.log, echo: options.echo, now: options.env.now }));
    try {
      const info = await daemon.start();
      // Inside the try: a daemon whose instance file could not be written has no owner, so it stops.
      await recordInstance(info);
      return { ...daemon.controller, instance: info, stopped: daemon.stopped };
    } catch (error) {
      await daemon.controller.stop();
      throw error;
    }
  });
}

function createDaemon(options: StartDaemonOptions, files: { readonly instance: string; readonly status: string }, log: DaemonLog) {
  const { env, paths, settings } = options;
  const startedAt = env.now().toISOString();
  const clock = () => env.now().getTime();
  const listeners = new Set<(event: DaemonEvent) => void>();
  const guard = createRepairGuard({ limit: REPAIR_LIMIT, windowMs: REPAIR_WINDOW_MS });
  const state: DaemonState = { phase: 'starting', paused: false, configured: true, detected: [], drift: [], lastSync: undefined, error: undefined, watching: 0, org: undefined };
  /** What was logged last, so a state that persists (an error, an item left as notified) is logged once, not at every look. */
  const logged: { error: string; notified: ReadonlySet<string>; firstRun: string | undefined } = { error: '', notified: new Set(), firstRun: undefined };
  let dashboard: DashboardServer | undefined;
  let tray: Tray | undefined;
  let published = '';
  let statusWrites: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  let releaseTimer: ReturnType<typeof setTimeout> | undefined;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const reporting = startOrgReporting({ env, paths, log, auditIntervalMs: options.auditUploadMs });
  /** What the last look found, for the parity report the orgs that collect it get after each look and sync. */
  let reportSource: ReportSource | undefined;

  const emit = (event: DaemonEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log.warn(`a ${event.type} listener failed: ${(error as Error).message}`);
      }
    }
  };

  const health = (): DaemonHealth => {
    if (state.phase === 'starting') return 'starting';
    if (state.paused) return 'paused';
    if (!state.configured) return 'unconfigured';
    if (state.error !== undefined) return 'error';
    return activeDrift(state.drift).length > 0 ? 'drift' : 'in-sync';
  };

  const status = (): DaemonStatus => ({
    health: health(),
    pid: process.pid,
    startedAt,
    url: dashboard?.url,
    paused: state.paused,
    watching: state.watching,
    settings,
    drift: state.drift,
    lastSync: state.lastSync,
    error: state.error,
    detected: state.detected,
    ...(state.org === undefined ? {} : { org: state.org }),
  });

  /** Tells listeners and the status file, when the status changed; once stopping, nothing is (the status file is about to go). */
  const publish = (): void => {
    if (state.phase === 'stopping') return;
    const current = status();
    const text = JSON.stringify(current);
    if (text === published) return;
    published = text;
    emit({ type: 'status', status: current });
    statusWrites = statusWrites
      .then(() => writeStatusFile(files.status, current))
      .catch((error: unknown) => {
        log.warn(`could not write the status file: ${toSkillsyncError(error).message}`);
      });
  };

  const logFailure = (what: string) => (error: unknown): void => {
    const failure = toSkillsyncError(error);
    log.error(`${what} failed: ${failure.code}: ${failure.message}`, { code: failure.code });
  };

  const queue = createSettleQueue({
    settleMs: settings.settleMs,
    now: clock,
    onSettled: async (batch) => {
      emit({ type: 'changed', paths: batch.paths });
      guard.rewritten(batch.paths, batch.lastChangeAt);
      await look('watch', batch);
    },
    onError: logFailure('a check after a change'),
  });

  const watcher: FileWatcher = createFileWatcher({
    env,
    onChange: (file) => {
      if (state.phase !== 'stopping') queue.changed(file);
    },
    onError: (error) => {
      log.warn(`watching: ${error.message}`);
    },
  });

  /**
   * Looks at every scope: plans, decides per drifted item, repairs what the settings
   * let it, and watches what the manifests now name. When that set changed, it looks
   * once more: a change made while the new set was not watched yet is caught then.
   */
  const look = async (trigger: LookTrigger, batch?: SettledBatch): Promise<void> => {
    if (state.paused || state.phase === 'stopping') return;
    if (await lookOnce(trigger, batch)) await lookOnce(trigger, undefined);
    publish();
    offerReport();
  };

  /** Hands the reporting what the last look found; it sends only what changed, and not too often. */
  const offerReport = (): void => {
    if (reportSource !== undefined && state.phase !== 'stopping') reporting.offer(reportSource);
  };

  /** One look; `repair: false` only finds what drifted (a manual sync looking again after its own run). */
  const lookOnce = async (trigger: LookTrigger, batch: SettledBatch | undefined, repair = true): Promise<boolean> => {
    let watchChanged = false;
    try {
      const [manifests, found, org] = await Promise.all([readManifests(env), detectClients(env), readOrgProfiles(env)]);
      state.detected = found.filter((client) => client.found).map((client) => client.id);
      state.configured = manifests.user !== undefined || manifests.project !== undefined || addsToUserScope(org);
      await followOrgRegistries(org);
      let plans: ScopePlan[] = [];
      try {
        if (state.configured) plans = await buildSyncPlans({ env, paths, scope: undefined, clients: [], manifests, org });
        noteOrg(org, plans);
      } finally {
        watchChanged = await watcher.update(deriveWatchTargets({ env, paths, manifests, plans }));
        state.watching = watcher.count();
      }
      if (!state.configured) {
        state.drift = [];
        state.error = undefined;
        logFirstRun();
        return watchChanged;
      }
      if (trigger === 'start' && state.detected.length === 0 && manifests.effective.clients === undefined) {
        log.info('No AI client found on this machine: nothing to keep in sync yet. The daemon keeps watching and picks a client up when it is installed.');
      }
      await act(plans, trigger, batch, repair);
      reportSource = {
        registries: reportingRegistries(org.profiles),
        clients: plans.flatMap((scopePlan) => scopePlan.clients),
        manifests: plans.map((scopePlan) => scopePlan.manifest),
        drift: activeDrift(state.drift),
      };
      const problem = plans.flatMap((scopePlan) => scopePlan.plan.problems)[0];
      setError(problem === undefined ? undefined : { code: problem.code, message: `${shortPath(env, problem.path)}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}` });
    } catch (error) {
      const failure = toSkillsyncError(error);
      setError({ code: failure.code, message: failure.message, hint: failure.hint });
    }
    return watchChanged;
  };

  /** What the status says about the org profiles: the cached ones, with what the plans found violating them. */
  const noteOrg = (org: OrgProfiles, plans: readonly ScopePlan[]): void => {
    state.org =
      org.profiles.length === 0
        ? undefined
        : { profiles: org.profiles, violations: plans.flatMap((plan) => plan.violations), warnings: orgWarnings.refresh ?? org.warnings };
  };

  /** Warnings of the last refresh (a server not reached), shown until the next one; and of each stream, logged once. */
  const orgWarnings: { refresh: readonly string[] | undefined; streams: Map<string, string> } = { refresh: undefined, streams: new Map() };
  let orgEvents: OrgEvents | undefined;
  let profileCheckQueued = false;

  /** Follows the event stream of every login whose profile applies, restarting when that set changed (a login, a logout). */
  const followOrgRegistries = async (org: OrgProfiles): Promise<void> => {
    if (state.phase === 'stopping') return;
    const registries = org.profiles.map((profile) => profile.registry);
    if (orgEvents !== undefined && orgEvents.registries.join('\n') === registries.join('\n')) return;
    await orgEvents?.stop();
    orgEvents = registries.length === 0 ? undefined : followOrgEvents({ env, registries, onProfile: profileMayHaveChanged, onError: streamFailed });
    if (registries.length > 0) log.info(`following the org profile${registries.length === 1 ? '' : 's'} of ${registries.join(', ')}`, { registries });
  };

  const streamFailed = (registry: string, message: string): void => {
    if (orgWarnings.streams.get(registry) === message) return;
    orgWarnings.streams.set(registry, message);
    log.warn(`the event stream of ${registry} failed (${message}); retrying later, and the cached profile stays in force meanwhile`, { registry });
  };

  /** An event stream (re)opened or announced a profile: fetch the profiles again, in the queue, once however many events came. */
  const profileMayHaveChanged = (registry: string): void => {
    orgWarnings.streams.delete(registry);
    if (profileCheckQueued || state.phase === 'stopping') return;
    profileCheckQueued = true;
    queue
      .run(async () => {
        profileCheckQueued = false;
        await takeUpProfiles();
      })
      .catch(logFailure('taking up an org profile'));
  };

  /**
   * Fetches the profiles; when one changed (another revision), or one requires a skill
   * that is not installed, syncs everything as "Sync now" does (installing what is
   * required, removing what is blocked). Otherwise only the status is brought up to date.
   */
  const takeUpProfiles = async (): Promise<void> => {
    if (state.phase === 'stopping') return;
    const revisions = (org: OrgProfiles): string => JSON.stringify(org.profiles.map((profile) => [profile.registry, profile.revision ?? null]));
    const before = await readOrgProfiles(env);
    const after = await refreshOrgProfiles(env);
    orgWarnings.refresh = after.warnings;
    for (const warning of after.warnings) log.warn(warning);
    const changed = revisions(before) !== revisions(after);
    const missing = await orgSkillsToInstall(env, paths.store, await readManifests(env), after);
    // Paused, it only looks: the change is taken up on resume.
    if (state.paused || (!changed && missing.length === 0)) {
      if (state.org !== undefined) state.org = { ...state.org, profiles: after.profiles, warnings: after.warnings };
      publish();
      return;
    }
    const revised = after.profiles.filter((profile) => !before.profiles.some((old) => old.registry === profile.registry && old.revision === profile.revision));
    log.info(
      changed ? `org profile changed (${revised.map((profile) => `${profile.org} ${profile.revision ?? 'none'}`).join(', ')}): syncing` : `the org profile requires ${missing.join(', ')}, not installed yet: syncing`,
      { registries: revised.map((profile) => profile.registry), missing },
    );
    await syncInPlace('profile', undefined, 'cache');
  };

  const setError = (error: DaemonStatus['error']): void => {
    state.error = error;
    const key = error === undefined ? '' : `${error.code}\u0000${error.message}`;
    if (key !== logged.error && error !== undefined) log.error(`${error.code}: ${error.message}`, { code: error.code, ...(error.hint === undefined ? {} : { hint: error.hint }) });
    logged.error = key;
  };

  const logFirstRun = (): void => {
    const names = state.detected.join(', ');
    if (logged.firstRun === names) return;
    logged.firstRun = names;
    log.info(
      state.detected.length === 0
        ? 'Nothing is configured yet (no skillsync.yaml), and no AI client was found on this machine. Install one, or write a manifest with `skillsync init`: the daemon picks either up.'
        : `Nothing is configured yet (no skillsync.yaml). Found: ${names}. Adopt what they have with \`skillsync import\` (or from the dashboard); the daemon picks the manifest up.`,
      { detected: state.detected },
    );
  };

  /** Decides what to do about the plans' drift, and does it. */
  const act = async (plans: readonly ScopePlan[], trigger: LookTrigger, batch: SettledBatch | undefined, repair: boolean): Promise<void> => {
    const now = clock();
    let decided = classifyDrift(plans, settings, guard.held());
    const exhausted = decided.flatMap((scope) => [...scope.repairs].filter((path) => guard.exhausted(path, now)));
    for (const path of exhausted) hold(path, decided, now);
    if (exhausted.length > 0) decided = classifyDrift(plans, settings, guard.held());
    logNotified(decided);
    // Paused, it only looks (a manual sync still refreshes what the status says).
    const repairing = state.paused || !repair ? [] : decided.filter((scope) => scope.repairs.size > 0);
    if (repairing.length === 0) {
      await saveFingerprints(plans);
      state.drift = decided.flatMap((scope) => scope.items);
      return;
    }
    await saveFingerprints(decided.filter((scope) => scope.repairs.size === 0).map((scope) => scope.plan));
    const result = await syncPlans(repairing.map((scope) => ({ ...scope.plan, only: scope.repairs })), { env, paths, mode: 'apply' });
    const written = writtenPaths(result.data);
    guard.recordRepairs(written, clock());
    // A conflict in a repaired file stays: the repair left that entry as it was.
    state.drift = decided.flatMap((scope) => scope.items).filter((item) => !(written.has(item.path) && item.handling === 'repairing'));
    recordRun(summarize(trigger, result.data, batch), repairing);
  };

  const hold = (path: string, decided: readonly ScopeDrift[], now: number): void => {
    guard.hold(path, now);
    const clients = [...new Set(decided.flatMap((scope) => scope.items).filter((item) => item.path === path).map((item) => item.client))];
    const reason = `${clients.join(', ')} rewrote ${shortPath(env, path)} after each of ${REPAIR_LIMIT} repairs within ${REPAIR_WINDOW_MS / 1000} s: repairs of it stop until it has been left alone for ${REPAIR_WINDOW_MS / 1000} s, or the next "Sync now" (dashboard or tray).`;
    log.warn(`holding ${shortPath(env, path)}: ${reason}`, { path, clients });
    emit({ type: 'held', path, reason });
    scheduleRelease();
  };

  /** Sets the timer for the next hold to end (one timer, for the earliest). */
  const scheduleRelease = (): void => {
    if (releaseTimer !== undefined) clearTimeout(releaseTimer);
    releaseTimer = undefined;
    const at = guard.nextRelease();
    if (at === undefined || state.phase === 'stopping') return;
    releaseTimer = setTimeout(() => {
      releaseTimer = undefined;
      queue.run(releaseHolds).catch(logFailure('releasing a hold'));
    }, Math.max(0, at - clock()));
  };

  /** Ends the holds of files left alone for the window, and looks again: repairs of them resume. */
  const releaseHolds = async (): Promise<void> => {
    if (state.phase === 'stopping') return;
    const released = guard.release(clock());
    for (const path of released) log.info(`released ${shortPath(env, path)}: nothing rewrote it for ${REPAIR_WINDOW_MS / 1000} s, so repairs of it resume`, { path });
    scheduleRelease();
    if (released.length > 0) await look('watch');
  };

  const notRepairedReason = (item: DriftedItem): string => {
    if (item.status === 'conflict') return "someone else's entry has that name";
    return settings.onDrift[item.kind] === 'notify' ? `${item.kind} drift is set to notify` : 'another drifted item in the file is not to be repaired';
  };

  const logNotified = (decided: readonly ScopeDrift[]): void => {
    const notified = decided.flatMap((scope) => scope.items).filter((item) => item.handling === 'notified');
    const key = (item: DriftedItem): string => [item.scope, item.client, item.kind, item.name, item.status].join('\u0000');
    for (const item of notified) {
      if (logged.notified.has(key(item))) continue;
      log.info(`drift: ${item.client} ${item.kind} ${item.name} is ${item.status} in ${shortPath(env, item.path)} (not repaired: ${notRepairedReason(item)})`, {
        client: item.client,
        kind: item.kind,
        name: item.name,
        status: item.status,
        path: item.path,
      });
    }
    logged.notified = new Set(notified.map(key));
  };

  const recordRun = (run: SyncRunSummary, scopes?: readonly ScopeDrift[]): void => {
    state.lastSync = run;
    emit({ type: 'synced', run });
    const clients = [...new Set((scopes ?? []).flatMap((scope) => scope.items.filter((item) => scope.repairs.has(item.path)).map((item) => item.client)))];
    const timing = run.afterSettleMs === undefined ? '' : ` (${run.afterSettleMs} ms after the settle time)`;
    const what = run.trigger === 'watch' || run.trigger === 'start' ? `repaired ${clients.length === 0 ? 'drift' : clients.join(', ')}` : `synced (${run.trigger})`;
    const line = `${what}: ${plural(run.written, 'file or folder', 'files or folders')} written${timing}${run.message === undefined ? '' : `; ${run.message}`}`;
    (run.ok ? log.info : log.warn)(line, { trigger: run.trigger, written: run.written, runIds: run.runIds, ...(run.afterSettleMs === undefined ? {} : { afterSettleMs: run.afterSettleMs, sinceChangeMs: run.sinceChangeMs }) });
  };

  const summarize = (trigger: SyncRunSummary['trigger'], data: SyncData, batch: SettledBatch | undefined): SyncRunSummary => {
    const end = clock();
    const skipped = data.scopes.flatMap((scope) => scope.applied?.skipped ?? []);
    const problems = data.scopes.flatMap((scope) => scope.problems);
    const firstSkipped = skipped[0];
    const firstProblem = problems[0];
    const message =
      firstSkipped !== undefined
        ? `${plural(skipped.length, 'path')} left as they were: ${firstSkipped.reason}`
        : firstProblem !== undefined
          ? `${plural(problems.length, 'file')} not read: ${shortPath(env, firstProblem.path)}: ${firstProblem.message}`
          : undefined;
    return {
      at: new Date(end).toISOString(),
      trigger,
      ok: skipped.length === 0 && problems.length === 0,
      written: writtenPaths(data).size,
      runIds: data.scopes.flatMap((scope) => (scope.applied?.runId === undefined ? [] : [scope.applied.runId])),
      ...(message === undefined ? {} : { message }),
      ...(batch === undefined ? {} : { afterSettleMs: Math.round(end - batch.settledAt), sinceChangeMs: Math.round(end - batch.lastChangeAt) }),
    };
  };

  /** Refuses work that arrives once the daemon is stopping: it would outlive the watcher, the status file, the process. */
  const refuseWhenStopping = (): void => {
    if (state.phase === 'stopping') throw new SkillsyncError('DAEMON_STOPPING', 'The daemon is stopping: nothing more is synced.');
  };

  /** A manual sync, run in the queue task it is called from; it fetches the org profiles first unless they were just fetched (`cache`). */
  const syncInPlace = async (trigger: SyncRunSummary['trigger'], clients?: readonly string[], profiles: 'refresh' | 'cache' = 'refresh'): Promise<SyncRunSummary> => {
    refuseWhenStopping();
    guard.clear();
    scheduleRelease();
    let run: SyncRunSummary;
    try {
      const result = await runSync(env, paths, { mode: 'apply', scope: undefined, clients: clients ?? [], profiles });
      if (profiles === 'refresh' && result.data.org !== undefined) orgWarnings.refresh = result.data.org.warnings;
      run = summarize(trigger, result.data, undefined);
    } catch (error) {
      const failure = toSkillsyncError(error);
      run = { at: env.now().toISOString(), trigger, ok: false, written: 0, runIds: [], message: `${failure.code}: ${failure.message}` };
    }
    recordRun(run);
    // The status follows what is on disk now (a paused daemon's too: this sync was asked for); it repairs
    // nothing more, or a second run would follow this one and take its place as the last sync.
    await lookOnce('manual', undefined, false);
    publish();
    offerReport();
    return run;
  };

  const controller: DaemonController = {
    status,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    syncNow: (trigger, clients) => queue.run(() => syncInPlace(trigger, clients)),
    exclusive: (task) =>
      queue.run(async () => {
        refuseWhenStopping();
        return task((trigger) => syncInPlace(trigger));
      }),
    pause: () => {
      if (state.paused || state.phase === 'stopping') return;
      state.paused = true;
      log.info('paused: changes are still watched, and acted on after resume');
      publish();
    },
    resume: () => {
      if (!state.paused || state.phase === 'stopping') return;
      state.paused = false;
      log.info('resumed');
      publish();
      queue.run(() => look('watch')).catch(logFailure('the check after resume'));
      // A profile that changed while paused is taken up now.
      for (const registry of orgEvents?.registries ?? []) profileMayHaveChanged(registry);
    },
    stop: () => {
      stopping ??= (async () => {
        // From here on no new work is taken (syncNow, look, resume refuse it), and what asks
        // for work (the tray, the dashboard) goes first: nothing starts a sync behind the watcher's back.
        state.phase = 'stopping';
        log.info('stopping');
        queue.cancel();
        // The event streams and reports in flight end at once when aborted; a connection that does not must not hold the stop.
        await Promise.race([Promise.all([orgEvents?.stop(), reporting.stop()]), new Promise((resolve) => setTimeout(resolve, ORG_EVENTS_STOP_MS).unref())]);
        if (releaseTimer !== undefined) clearTimeout(releaseTimer);
        await tray?.close().catch((error: unknown) => {
          log.warn(`the tray did not close cleanly: ${(error as Error).message}`);
        });
        await dashboard?.close().catch((error: unknown) => {
          log.warn(`the dashboard did not close cleanly: ${(error as Error).message}`);
        });
        // A repair under way finishes: a sync is never cut off halfway.
        await queue.idle();
        await watcher.close();
        listeners.clear();
        await statusWrites;
        releaseInstance(files.instance, process.pid);
        process.off('exit', releaseOnExit);
        await rm(files.status, { force: true });
        log.info('stopped');
        log.close();
        resolveStopped();
      })();
      return stopping;
    },
  };

  /** If the process ends some other way (an uncaught error), its instance file must not claim it still runs. */
  const releaseOnExit = (): void => {
    releaseInstance(files.instance, process.pid);
  };
  process.on('exit', releaseOnExit);

  const start = async (): Promise<DaemonInstanceInfo> => {
    log.info(`starting skillsync ${options.version}`, { settings });
    // In the queue: the first look starts the watcher, and a check its own writes cause must wait for it.
    await queue.run(() => look('start'));
    const token = randomToken();
    if (options.dashboard !== false) {
      dashboard = await startDashboardServer({ controller, env, paths, port: options.dashboard.port, token, log: log.error }).catch((error: unknown) => {
        const failure = toSkillsyncError(error);
        log.warn(`no dashboard: ${failure.code}: ${failure.message}`, { code: failure.code });
        return undefined;
      });
    }
    if (options.tray) {
      tray = await startTray({ controller, env, dashboardUrl: dashboard === undefined ? undefined : dashboardLink(dashboard.url, token), log: log.info }).catch((error: unknown) => {
        log.warn(`no tray icon: ${toSkillsyncError(error).message}`);
        return undefined;
      });
    }
    state.phase = 'running';
    publish();
    await statusWrites;
    const current = status();
    log.info(`running (pid ${process.pid}): ${current.health}, watching ${plural(current.watching, 'path')}${dashboard === undefined ? '' : `, dashboard ${dashboard.url}`}`, {
      health: current.health,
      watching: current.watching,
      url: dashboard?.url ?? null,
    });
    const started = processStart(process.pid);
    return {
      pid: process.pid,
      startedAt,
      url: dashboard?.url,
      token: dashboard === undefined ? undefined : token,
      logFile: log.file,
      version: options.version,
      ...(started === undefined ? {} : { processStart: started }),
    };
  };

  return { controller, start, stopped };
}

/** Every client file and skill folder a sync wrote or removed. */
function writtenPaths(data: SyncData): Set<string> {
  return new Set(data.scopes.flatMap((scope) => (scope.applied === undefined ? [] : [...scope.applied.written, ...scope.applied.skillsWritten, ...scope.applied.skillsRemoved])));
}

