import { isLoopbackHost, parseListenAddress, pathExists, pathFor, SkillsyncError, type Env } from '@skillsync/core';
import type { ChainPoint } from '@skillsync/policy';
import type { OpenServerContext } from '@skillsync/server';
import { pino } from 'pino';
import type { serverAuditPruneOptions, serverBlobsPruneOptions, serverInitOptions, serverOptions, serverTokenOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { displayPath, formatBytes, plural, renderPairs } from '../format.js';
import type { Ui } from '../ui.js';
import { auditTimeOption, cliPrincipal, positiveInteger, renderPruned, shortTime } from './audit.js';
import { stopSignals } from '../stop-signals.js';

const DEFAULT_LISTEN = '127.0.0.1:4873';

export interface ServerData {
  readonly url: string;
  /** Where the database is (a PostgreSQL URL without its password). */
  readonly database: string;
  /** `database`, or the folder package files go to. */
  readonly blobs: string;
  /** Set in the document printed once the server has stopped. */
  readonly stopped?: boolean;
}

/**
 * `skillsync server`: the org server, in the foreground until SIGINT/SIGTERM. The address
 * is printed (stdout) once it listens; request lines go to stderr as JSON (pino).
 */
export const serverHandler = defineHandler({
  run: async ({ env, options, flags, emit }: CommandInput<typeof serverOptions>): Promise<CommandResult<ServerData>> => {
    const listen = parseListenAddress(options.listen ?? DEFAULT_LISTEN, { option: '--listen', example: DEFAULT_LISTEN });
    const keepDays = options['audit-keep-days'] === undefined ? undefined : positiveInteger('audit-keep-days', options['audit-keep-days']);
    if (!isLoopbackHost(listen.host)) {
      process.stderr.write(
        `skillsync server: warning: listening on ${listen.host}, beyond this machine. The server speaks plain HTTP: put a TLS proxy in front of it, or tokens cross the network in clear.\n`,
      );
    }
    const { startServer } = await import('@skillsync/server');
    // Asynchronous writes: a line per request must not slow every request down; flushed when it stops.
    const destination = pino.destination({ dest: 2, sync: false });
    const logger = pino({ level: flags.quiet ? 'warn' : 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
    const signals = stopSignals(['SIGINT', 'SIGTERM']);
    let server;
    try {
      server = await startServer({
        env,
        ...(options.database === undefined ? {} : { database: options.database }),
        blobs: options.blobs === undefined ? 'database' : { directory: options.blobs },
        ...(keepDays === undefined ? {} : { auditRetentionDays: keepDays }),
        listen,
        logger,
        onError: (error) => {
          logger.error({ code: error.code }, error.message);
        },
      });
    } catch (error) {
      signals.dispose();
      throw error;
    }
    const data: ServerData = { url: server.url, database: server.context.location, blobs: options.blobs === undefined ? 'database' : pathFor(env).resolve(env.cwd, options.blobs) };
    emit?.({ ok: true, data, render: (ui) => renderListening(data, ui, env) });
    await signals.received;
    signals.dispose();
    await server.close();
    destination.flushSync();
    return { ok: true, data: { ...data, stopped: true }, streamed: emit !== undefined };
  },
  render: (data: ServerData, ui, env) => (data.stopped === true ? ui.dim('The server stopped.') : renderListening(data, ui, env)),
});

function renderListening(data: ServerData, ui: Ui, env: Env): string {
  return [
    `${ui.green('skillsync server')} listening on ${ui.bold(data.url)} ${ui.dim('(Ctrl-C stops it)')}`,
    ...renderPairs(
      [
        ['database', databaseLabel(env, data.database)],
        ['packages', data.blobs === 'database' ? 'in the database' : displayPath(env, data.blobs)],
        ['registry', `${data.url}/v0.1/orgs/<org>`],
      ],
      ui,
    ),
  ].join('\n');
}

export interface ServerInitData {
  readonly org: string;
  readonly owner: string;
  readonly database: string;
  /** The owner's token: printed here once, and nowhere else. */
  readonly token: string;
  readonly tokenId: string;
  readonly scopes: readonly string[];
  readonly expiresAt: string;
}

/** `skillsync server init --org <slug> --owner <user>`: the first org of a server, and its owner's token. */
export const serverInitHandler = defineHandler({
  run: async ({ env, options, flags }: CommandInput<typeof serverInitOptions>): Promise<CommandResult<ServerInitData>> => {
    const { org, owner } = options;
    if (org === undefined || owner === undefined) {
      throw new SkillsyncError('USAGE', `server init needs --org and --owner${org === undefined && owner === undefined ? '' : ` (${org === undefined ? '--org' : '--owner'} is missing)`}.`, {
        hint: 'Run `skillsync server init --org acme --owner alice`.',
        details: { option: org === undefined ? '--org' : '--owner' },
      });
    }
    const { initOrg, openServerContext } = await import('@skillsync/server');
    const context = await openServerContext({ env, ...(options.database === undefined ? {} : { database: options.database }) });
    let created;
    try {
      created = await initOrg(context, { org, owner });
    } finally {
      await context.close();
    }
    // With --json the token is in the document on stdout; the warning goes where a person reads.
    if (flags.json) process.stderr.write('skillsync server init: the token is shown once; store it now (`skillsync login` keeps it in your secret store).\n');
    const { token } = created;
    return { ok: true, data: { org, owner, database: context.location, token: token.token, tokenId: token.id, scopes: token.scopes, expiresAt: token.expiresAt } };
  },
  render: (data: ServerInitData, ui, env) =>
    [`${ui.green('created')} org ${ui.bold(data.org)} with owner ${ui.bold(data.owner)} ${ui.dim(`(${databaseLabel(env, data.database)})`)}`, ...ownerTokenLines(data, ui)].join('\n'),
});

export interface ServerTokenData {
  readonly org: string;
  readonly user: string;
  readonly database: string;
  /** The new token: printed here once, and nowhere else. */
  readonly token: string;
  readonly tokenId: string;
  readonly scopes: readonly string[];
  readonly expiresAt: string;
}

/** `skillsync server token --org <slug> --user <owner>`: a new owner token, straight in the database (recovery). */
export const serverTokenHandler = defineHandler({
  run: async ({ env, options, flags }: CommandInput<typeof serverTokenOptions>): Promise<CommandResult<ServerTokenData>> => {
    const { org, user } = options;
    if (org === undefined || user === undefined) {
      throw new SkillsyncError('USAGE', `server token needs --org and --user${org === undefined && user === undefined ? '' : ` (${org === undefined ? '--org' : '--user'} is missing)`}.`, {
        hint: 'Run `skillsync server token --org acme --user alice`.',
        details: { option: org === undefined ? '--org' : '--user' },
      });
    }
    const { database, token } = await withServerContext(env, options, async (context) => {
      const { issueOwnerToken } = await import('@skillsync/server');
      return { database: context.location, token: await issueOwnerToken(context, { org, user }) };
    });
    if (flags.json) process.stderr.write('skillsync server token: the token is shown once; store it now (`skillsync login` keeps it in your secret store).\n');
    return { ok: true, data: { org, user, database, token: token.token, tokenId: token.id, scopes: token.scopes, expiresAt: token.expiresAt } };
  },
  render: (data: ServerTokenData, ui, env) =>
    [`${ui.green('issued')} a token for owner ${ui.bold(data.user)} of ${ui.bold(data.org)} ${ui.dim(`(${databaseLabel(env, data.database)})`)}`, ...ownerTokenLines(data, ui)].join('\n'),
});

export interface ServerAuditPruneData {
  readonly database: string;
  readonly dryRun: boolean;
  /** Records older than this were (or would be) deleted. */
  readonly before: string;
  readonly pruned: number;
  /** Where verification now starts (would start). */
  readonly anchor: ChainPoint;
}

/** `skillsync server audit prune --before <time>`: the admin audit log's oldest records, the chain kept verifiable from an anchor. */
export const serverAuditPruneHandler = defineHandler({
  run: async ({ env, options }: CommandInput<typeof serverAuditPruneOptions>): Promise<CommandResult<ServerAuditPruneData>> => {
    if (options.before === undefined) {
      throw new SkillsyncError('USAGE', '`skillsync server audit prune` needs --before <time>: records older than it are deleted.', {
        hint: 'Pass --before 365d to keep a year (add --dry-run to see the count first).',
        details: { option: '--before' },
      });
    }
    const before = auditTimeOption('before', options.before, env);
    if (before.getTime() > env.now().getTime()) {
      throw new SkillsyncError('USAGE', `--before ${options.before.slice(0, 40)} is in the future: every record would be deleted.`, {
        hint: 'Pass a time in the past: a duration back from now (365d) or a date (2026-01-31).',
        details: { option: '--before' },
      });
    }
    return withServerContext(env, options, async (context) => {
      const result = await context.audit.prune({ before, dryRun: options['dry-run'], principal: cliPrincipal(env), client: 'skillsync-cli' });
      return { ok: true, data: { database: context.location, dryRun: options['dry-run'], before: result.before, pruned: result.pruned, anchor: result.anchor } };
    });
  },
  render: (data: ServerAuditPruneData, ui, env) => {
    const older = `older than ${shortTime(data.before)} UTC`;
    if (data.pruned === 0) return `No admin audit records ${older} to prune ${ui.dim(`(${databaseLabel(env, data.database)})`)}.`;
    return renderPruned(data, 'admin audit record', older, 'Verification (GET /orgs/{org}/audit/verify) now starts from the anchor; the prune itself is recorded in the chain.', ui);
  },
});

export interface ServerBlobsPruneData {
  readonly database: string;
  readonly blobs: string;
  readonly dryRun: boolean;
  /** Package files no version names, removed (would be). */
  readonly removed: readonly { readonly integrity: string; readonly size: number }[];
  /** Temp files of interrupted writes removed (would be). */
  readonly leftovers: number;
  readonly bytes: number;
  /** Package files versions use. */
  readonly referenced: number;
  /** Unreferenced files kept for being under an hour old. */
  readonly recent: number;
}

/** `skillsync server blobs prune --blobs <dir>`: the package files failed publishes left. */
export const serverBlobsPruneHandler = defineHandler({
  run: async ({ env, options }: CommandInput<typeof serverBlobsPruneOptions>): Promise<CommandResult<ServerBlobsPruneData>> => {
    if (options.blobs === undefined) {
      throw new SkillsyncError('USAGE', '`skillsync server blobs prune` needs --blobs <dir>: the folder `skillsync server --blobs` keeps package files in.', {
        hint: 'Run `skillsync server blobs prune --blobs /srv/skillsync/packages`. Packages kept in the database need no prune.',
        details: { option: '--blobs' },
      });
    }
    const blobs = pathFor(env).resolve(env.cwd, options.blobs);
    // A mistyped folder would otherwise look clean.
    if (!(await pathExists(blobs))) {
      throw new SkillsyncError('FILE_NOT_FOUND', `The blob folder ${blobs} does not exist.`, { hint: 'Pass the folder the server runs with (`skillsync server --blobs <dir>`).', details: { path: blobs } });
    }
    return withServerContext(env, { database: options.database, blobs: { directory: blobs } }, async (context) => {
      const { pruneBlobs } = await import('@skillsync/server');
      const result = await pruneBlobs(context, { dryRun: options['dry-run'] });
      if (result === undefined) throw new SkillsyncError('INTERNAL', 'A blob folder store has no prune.');
      return { ok: true, data: { database: context.location, blobs, dryRun: options['dry-run'], ...result } };
    });
  },
  render: (data: ServerBlobsPruneData, ui, env) => {
    const parts = (counts: readonly (readonly [number, string])[]): string => counts.filter(([count]) => count > 0).map(([, text]) => text).join(' and ');
    const gone = parts([
      [data.removed.length, plural(data.removed.length, 'package file')],
      [data.leftovers, plural(data.leftovers, 'leftover temp file')],
    ]);
    const kept = parts([
      [data.referenced, `${plural(data.referenced, 'package file')} published versions use`],
      [data.recent, `${plural(data.recent, 'file')} under an hour old (a publish may be under way)`],
    ]);
    const where = displayPath(env, data.blobs);
    const done = gone === '' ? `Nothing to remove in ${where}` : `${data.dryRun ? 'Would remove' : `${ui.green('✓')} removed`} ${gone} (${formatBytes(data.bytes)}) from ${where}`;
    return `${done}${kept === '' ? '' : `; kept ${kept}`}.`;
  },
});

/** A PostgreSQL address as it is (it holds no password), a SQLite file as a display path. */
function databaseLabel(env: Env, database: string): string {
  return database.startsWith('postgres') ? database : displayPath(env, database);
}

/** The one-time owner token and how to log in with it. */
function ownerTokenLines(data: Pick<ServerInitData, 'org' | 'token' | 'expiresAt'>, ui: Ui): string[] {
  return [
    '',
    `${ui.yellow('Owner token')} (scope admin, valid until ${data.expiresAt.slice(0, 10)}). It is shown this once and stored only as its hash: keep it now.`,
    `  ${data.token}`,
    '',
    `Log in with it: skillsync login --registry http://${DEFAULT_LISTEN}/v0.1/orgs/${data.org}`,
  ];
}

/** The server database of an org that exists (FILE_NOT_FOUND otherwise), open for `task` and closed after it: the maintenance commands' way in. */
async function withServerContext<T>(
  env: Env,
  options: { readonly database?: string | undefined; readonly blobs?: { readonly directory: string } },
  task: (context: OpenServerContext) => Promise<T>,
): Promise<T> {
  const { openServerContext } = await import('@skillsync/server');
  const context = await openServerContext({
    env,
    existing: true,
    ...(options.database === undefined ? {} : { database: options.database }),
    ...(options.blobs === undefined ? {} : { blobs: options.blobs }),
  });
  try {
    return await task(context);
  } finally {
    await context.close();
  }
}
