import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathFor, SkillsyncError, syncDirectory, type Env, type SkillsyncPaths } from '@skillsync/core';
import { openAuditLog, parseAuditTime, type AuditFilter, type AuditLog, type AuditProblem, type AuditRecord, type ChainPoint } from '@skillsync/policy';
import { STATE_DATABASE_NAME } from '@skillsync/state';
import type { auditExportOptions, auditOptions, auditPruneOptions, auditVerifyOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { plural, renderPairs, renderTable, shortPath } from '../format.js';
import type { Ui } from '../ui.js';

const DEFAULT_LIMIT = 50;

/** The state database the gateway writes: `skillsync.db` in the state folder. */
const databaseFile = (paths: SkillsyncPaths): string => path.join(paths.state, STATE_DATABASE_NAME);

async function withLog<T>(paths: SkillsyncPaths, task: (log: AuditLog) => Promise<T>): Promise<T> {
  const log = await openAuditLog({ file: databaseFile(paths) });
  try {
    return await task(log);
  } finally {
    await log.close();
  }
}

interface FilterOptions {
  readonly since: string | undefined;
  readonly until: string | undefined;
  readonly connector: string | undefined;
  readonly client: string | undefined;
  readonly decision: string | undefined;
}

function usage(message: string, hint: string): SkillsyncError {
  return new SkillsyncError('USAGE', message, { hint });
}

/** A time option (`--since 7d`, `--before 2026-01-31`): a duration back from now, a date or an ISO 8601 time; USAGE otherwise. */
export function auditTimeOption(option: string, value: string, env: Env): Date {
  try {
    return parseAuditTime(value, env.now());
  } catch (error) {
    throw usage(`--${option} ${value.slice(0, 40)}: ${error instanceof Error ? error.message : String(error)}`, 'Use a duration back from now (30m, 1h, 7d, 2w), a date (2026-01-31) or an ISO 8601 time; times without a zone are UTC.');
  }
}

function filterFrom(options: FilterOptions, env: Env): AuditFilter {
  const { decision } = options;
  if (decision !== undefined && decision !== 'allow' && decision !== 'deny') {
    throw usage(`--decision ${decision.slice(0, 40)}: it is allow or deny.`, 'Pass --decision allow or --decision deny.');
  }
  return {
    ...(options.since === undefined ? {} : { since: auditTimeOption('since', options.since, env) }),
    ...(options.until === undefined ? {} : { until: auditTimeOption('until', options.until, env) }),
    ...(options.connector === undefined ? {} : { connector: options.connector }),
    ...(options.client === undefined ? {} : { client: options.client }),
    ...(decision === undefined ? {} : { decision }),
  };
}

export function positiveInteger(option: string, value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) {
    throw usage(`--${option} ${value.slice(0, 40)}: it is a whole number of at least 1.`, `Pass --${option} <n>, e.g. --${option} 90.`);
  }
  return Number(value);
}

/** `2026-03-01 12:04:00` from an ISO time (the log keeps UTC). */
/** A prune that removed (or would remove) records of a hash chain: how many, and the anchor verification now starts from. */
export function renderPruned(data: { readonly dryRun: boolean; readonly pruned: number; readonly anchor: ChainPoint }, records: string, older: string, verifyNote: string, ui: Ui): string {
  if (data.dryRun) return `Would prune ${plural(data.pruned, records)} ${older}, up to seq ${data.anchor.seq}.`;
  return [
    `${ui.green('✓')} pruned ${plural(data.pruned, records)} ${older}`,
    ...renderPairs([['anchor', `seq ${data.anchor.seq}  ${data.anchor.hash}`]], ui),
    `  ${ui.dim(verifyNote)}`,
  ].join('\n');
}

export const shortTime = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');

/** Who runs this command, for the record a prune appends: the OS user, else `cli`. */
export function cliPrincipal(env: Env): string {
  const user = env.vars.USER ?? env.vars.USERNAME;
  return user === undefined || user === '' ? 'cli' : user;
}

const shortHash = (hash: string): string => hash.slice(0, 12);

// ---------------------------------------------------------------------------------------
// skillsync audit

export interface AuditListData {
  readonly database: string;
  /** Whether any filter was given. */
  readonly filtered: boolean;
  /** Records matching the filters; `records` holds the last `limit` of them. */
  readonly matching: number;
  readonly records: readonly AuditRecord[];
}

/** `skillsync audit`: the last records, newest at the bottom, as a table or JSON. */
export const auditListHandler = defineHandler({
  run: async ({ env, paths, options }: CommandInput<typeof auditOptions>): Promise<CommandResult<AuditListData>> => {
    const filter = filterFrom(options, env);
    const limit = options.limit === undefined ? DEFAULT_LIMIT : positiveInteger('limit', options.limit);
    return withLog(paths, async (log) => {
      const [records, matching] = await Promise.all([log.list({ ...filter, limit, newest: true }), log.count(filter)]);
      return { ok: true, data: { database: log.file, filtered: Object.keys(filter).length > 0, matching, records } };
    });
  },
  render: (data: AuditListData, ui, env) => {
    if (data.records.length === 0) {
      const where = shortPath(env, data.database);
      return data.filtered ? `No audit records match (${where}).` : `The audit log is empty (${where}).`;
    }
    const rows = data.records.map((record) => [
      shortTime(record.time),
      record.client,
      [record.connector, record.target].filter((part) => part !== undefined).join(' / ') || '-',
      record.action,
      record.decision,
      record.outcome,
      record.latencyMs === undefined ? '' : `${record.latencyMs.toFixed(record.latencyMs < 100 ? 1 : 0)} ms`,
    ]);
    const table = renderTable(['time (UTC)', 'client', 'connector / target', 'action', 'decision', 'outcome', 'latency'], rows, ui, (_, index) =>
      data.records[index]?.decision === 'deny' ? ui.red : data.records[index]?.outcome === 'ok' ? (text) => text : ui.yellow,
    );
    const shown = data.records.length < data.matching ? `the last ${data.records.length} of ${plural(data.matching, 'record')} (--limit to see more)` : plural(data.matching, 'record');
    return [...table, '', ui.dim(`${shown} in ${shortPath(env, data.database)}`)].join('\n');
  },
});

// ---------------------------------------------------------------------------------------
// skillsync audit verify

export interface AuditVerifyData {
  readonly database: string;
  readonly checked: number;
  /** Anchor this elsewhere (a ticket, a commit, another machine): it proves everything up to it. */
  readonly head: ChainPoint;
  readonly anchor: ChainPoint & { readonly time?: string; readonly pruned: number };
  readonly problem?: AuditProblem;
}

/** `skillsync audit verify`: walks the hash chain; exit 1 naming the first broken record. */
export const auditVerifyHandler = defineHandler({
  run: async ({ paths }: CommandInput<typeof auditVerifyOptions>): Promise<CommandResult<AuditVerifyData>> =>
    withLog(paths, async (log) => {
      const result = await log.verify();
      const data: AuditVerifyData = {
        database: log.file,
        checked: result.checked,
        head: result.head,
        anchor: result.anchor,
        ...(result.problem === undefined ? {} : { problem: result.problem }),
      };
      return { ok: result.ok, data };
    }),
  render: (data: AuditVerifyData, ui, env) => {
    const first = data.anchor.seq + 1;
    const pairs: [string, string][] = [
      ['head', `seq ${data.head.seq}  ${data.head.hash}`],
      ['anchor', data.anchor.seq === 0 ? 'none (nothing pruned)' : `seq ${data.anchor.seq}  ${data.anchor.hash}  (${plural(data.anchor.pruned, 'record')} pruned${data.anchor.time === undefined ? '' : `, up to ${shortTime(data.anchor.time)} UTC`})`],
      ['database', shortPath(env, data.database)],
    ];
    if (data.problem !== undefined) {
      return [
        `${ui.red('✗')} ${data.problem.seq === 0 ? 'chain row' : `record ${ui.bold(String(data.problem.seq))}`} ${ui.red(data.problem.kind)}: ${data.problem.message}`,
        `  ${plural(data.checked, 'record')} verified before it.`,
        ...renderPairs(pairs, ui),
        `  ${ui.dim('hint:')} keep a copy (skillsync audit export --out FILE) and compare the head with one you anchored earlier.`,
      ].join('\n');
    }
    const range = data.checked === 0 ? 'the log is empty' : `seq ${first}–${data.head.seq}`;
    return [`${ui.green('✓')} ${plural(data.checked, 'audit record')} verified (${range})`, ...renderPairs(pairs, ui), `  ${ui.dim('Anchor the head hash elsewhere: a later rewrite of the whole log cannot match it.')}`].join('\n');
  },
});

// ---------------------------------------------------------------------------------------
// skillsync audit export

export interface AuditExportData {
  readonly database: string;
  readonly out: string | undefined;
  readonly records: number;
  readonly head: ChainPoint;
}

/** `skillsync audit export [--out file]`: one JSON record per line, to stdout or a 0600 file written atomically. */
export const auditExportHandler = defineHandler({
  run: async ({ env, paths, options, flags }: CommandInput<typeof auditExportOptions>): Promise<CommandResult<AuditExportData>> => {
    const filter = filterFrom(options, env);
    const out = options.out === undefined ? undefined : pathFor(env).resolve(env.cwd, options.out);
    if (out === undefined && flags.json) {
      throw usage('`skillsync audit export --json` needs --out <file>: without it the JSON lines themselves go to stdout.', 'Pass --out <file> (the summary is then the JSON on stdout), or drop --json.');
    }
    return withLog(paths, async (log) => {
      const head = await log.head();
      const lines = log.exportJsonl(filter);
      const records = out === undefined ? await writeToStdout(lines) : await writeFileFromLines(out, lines);
      return { ok: true, data: { database: log.file, out, records, head } };
    });
  },
  render: (data: AuditExportData, ui, env) =>
    // Without --out the lines went to stdout already; anything more would corrupt them.
    data.out === undefined ? '' : `${ui.green('✓')} exported ${plural(data.records, 'audit record')} to ${shortPath(env, data.out, env.cwd)} (head seq ${data.head.seq} ${shortHash(data.head.hash)}…)`,
});

/** The one place a handler writes stdout itself: the export can be far larger than memory wants. */
async function writeToStdout(lines: AsyncIterable<string>): Promise<number> {
  let count = 0;
  for await (const line of lines) {
    count += 1;
    if (!process.stdout.write(line)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
  return count;
}

async function writeFileFromLines(file: string, lines: AsyncIterable<string>): Promise<number> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.skillsync-${randomBytes(6).toString('hex')}.tmp`);
  let count = 0;
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx', 0o600);
    try {
      let chunk = '';
      for await (const line of lines) {
        count += 1;
        chunk += line;
        if (chunk.length >= 1 << 16) {
          await handle.write(chunk);
          chunk = '';
        }
      }
      if (chunk !== '') await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    await syncDirectory(dir);
    return count;
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof SkillsyncError) throw error;
    throw new SkillsyncError('FILE_WRITE_FAILED', `Could not write ${file}: ${(error as Error).message}`, { details: { path: file }, cause: error });
  }
}

// ---------------------------------------------------------------------------------------
// skillsync audit prune

export interface AuditPruneData {
  readonly database: string;
  readonly dryRun: boolean;
  readonly keepDays: number;
  /** Records older than this were (or would be) deleted. */
  readonly before: string;
  readonly pruned: number;
  /** Where verification now starts. */
  readonly anchor: ChainPoint;
}

/** `skillsync audit prune --keep-days N`: deletes the oldest records, keeping the chain verifiable from an anchor. */
export const auditPruneHandler = defineHandler({
  run: async ({ env, paths, options }: CommandInput<typeof auditPruneOptions>): Promise<CommandResult<AuditPruneData>> => {
    const days = options['keep-days'];
    if (days === undefined) {
      throw usage('`skillsync audit prune` needs --keep-days <n>: records older than n days are deleted.', 'Pass --keep-days 90 to keep three months (add --dry-run to see the count first).');
    }
    const keepDays = positiveInteger('keep-days', days);
    const before = new Date(env.now().getTime() - keepDays * 86_400_000);
    return withLog(paths, async (log) => {
      const result = await log.prune({ before, dryRun: options['dry-run'], principal: cliPrincipal(env), client: 'skillsync-cli' });
      return { ok: true, data: { database: log.file, dryRun: options['dry-run'], keepDays, before: result.before, pruned: result.pruned, anchor: result.anchor } };
    });
  },
  render: (data: AuditPruneData, ui, env) => {
    const older = `older than ${plural(data.keepDays, 'day')} (before ${shortTime(data.before)} UTC)`;
    if (data.pruned === 0) return `No audit records ${older} to prune in ${shortPath(env, data.database)}.`;
    return renderPruned(data, 'audit record', older, '`skillsync audit verify` now starts from the anchor; the prune itself is recorded in the log.', ui);
  },
});
