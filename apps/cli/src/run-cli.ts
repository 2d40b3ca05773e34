import { stat } from 'node:fs/promises';
import { createEnv, pathFor, SkillsyncError, skillsyncPaths, toSkillsyncError, type Env } from '@skillsync/core';
import { commandTable } from './command-table.js';
import type { CommandHandler, CommandSpec, GlobalFlags, RenderableDocument } from './define-command.js';
import { parseCommandLine, usageLine, type GlobalValues, type ParsedCommandLine } from './parse-command-line.js';
import { renderCommandHelp, renderGlobalHelp, renderGroupHelp } from './render-help.js';
import { createTerminalProgress, createUi, shouldUseColor, silentProgress, type Progress, type Ui } from './ui.js';

/** The process's streams, as the CLI layer sees them; tests pass in-memory ones. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
}

export interface RunCliOptions {
  readonly argv: readonly string[];
  /** The environment of the real process (or a test's); `--cwd` is applied on top. */
  readonly env: Env;
  readonly io: CliIo;
  readonly version: string;
  readonly table?: readonly CommandSpec[];
}

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/**
 * The one edge where skillsync talks to a person or a script: parses argv, runs a
 * handler, and renders its result or its error exactly once. Returns the exit code.
 */
export async function runCli(options: RunCliOptions): Promise<ExitCode> {
  const { io } = options;
  const table = options.table ?? commandTable;
  const uiFor = (isTTY: boolean, globals: GlobalValues): Ui =>
    createUi({
      color: shouldUseColor({ isTTY, vars: options.env.vars, noColorFlag: globals.noColor }),
      quiet: globals.quiet,
      verbose: globals.verbose,
    });
  let globals: GlobalValues = fallbackGlobals(options.argv);
  try {
    const parsed = parseCommandLine(options.argv, table);
    globals = parsed.globals;
    return await dispatch(parsed, { ...options, table, ui: uiFor(io.stdoutIsTTY, globals) });
  } catch (error) {
    const failure = toSkillsyncError(error);
    renderError(failure, { io, json: globals.json, ui: uiFor(io.stderrIsTTY, globals) });
    return failure.code === 'USAGE' ? exitCodes.usage : exitCodes.failure;
  }
}

async function dispatch(
  parsed: ParsedCommandLine,
  context: RunCliOptions & { readonly table: readonly CommandSpec[]; readonly ui: Ui },
): Promise<ExitCode> {
  const { io, ui, table } = context;
  const { globals } = parsed;
  switch (parsed.kind) {
    case 'version':
      io.stdout(globals.json ? `${JSON.stringify({ ok: true, version: context.version })}\n` : `${context.version}\n`);
      return exitCodes.ok;
    case 'help': {
      const topic = parsed.topic;
      if (globals.json) {
        const specs = topic === undefined ? table : typeof topic === 'string' ? table.filter((spec) => spec.name.startsWith(`${topic} `)) : [topic];
        io.stdout(`${JSON.stringify({ ok: true, version: context.version, commands: specs.map(describeCommand) }, null, 2)}\n`);
        return exitCodes.ok;
      }
      io.stdout(
        topic === undefined
          ? renderGlobalHelp(table, context.version, ui)
          : typeof topic === 'string'
            ? renderGroupHelp(topic, table, ui)
            : renderCommandHelp(topic, ui),
      );
      return exitCodes.ok;
    }
    case 'overview':
    case 'command': {
      const env = await applyCwd(context.env, globals.cwd);
      const handler: CommandHandler =
        parsed.kind === 'overview' ? (await import('./commands/overview.js')).overviewHandler : await parsed.spec.load();
      const flags: GlobalFlags = { json: globals.json, quiet: globals.quiet, verbose: globals.verbose, color: ui.color };
      const showProgress = io.stderrIsTTY && !globals.json && !globals.quiet;
      const print = (document: RenderableDocument, indent: number | undefined): void => {
        if (globals.json) {
          io.stdout(`${JSON.stringify({ ok: document.ok, ...document.data }, null, indent)}\n`);
        } else if (!(globals.quiet && document.ok)) {
          // --quiet: a success says nothing; findings and failures still print.
          const text = document.render(ui);
          if (text !== '') io.stdout(text.endsWith('\n') ? text : `${text}\n`);
        }
      };
      const result = await handler.execute({
        env,
        paths: skillsyncPaths(env),
        positionals: parsed.kind === 'command' ? parsed.positionals : [],
        options: parsed.kind === 'command' ? parsed.options : {},
        flags,
        progress: (label): Progress =>
          showProgress ? createTerminalProgress(io.stderr, label, () => env.now().getTime()) : silentProgress,
        // A stream of documents is JSON lines; a single result stays pretty.
        emit: (document) => { print(document, undefined); },
      });
      if (result.streamed !== true) print(result, 2);
      return result.ok ? exitCodes.ok : exitCodes.failure;
    }
  }
}

/** The `--help --json` form of a command: its declaration without the loader. */
function describeCommand(spec: CommandSpec): object {
  const { name, summary, description, positionals, options, examples } = spec;
  return { name, summary, usage: usageLine(spec), description, positionals, options, examples };
}

async function applyCwd(env: Env, cwd: string | undefined): Promise<Env> {
  if (cwd === undefined) return env;
  const dir = pathFor(env).resolve(env.cwd, cwd);
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory() !== true) {
    throw new SkillsyncError('USAGE', `--cwd ${cwd}: ${dir} is not a directory.`, {
      hint: 'Pass an existing folder to --cwd.',
      details: { path: dir },
    });
  }
  return createEnv({ ...env, cwd: dir });
}

/** Renders a failure once: text on stderr, or the error's fields as JSON on stdout. */
export function renderError(error: SkillsyncError, context: { io: CliIo; json: boolean; ui: Ui }): void {
  const { io, ui } = context;
  if (context.json) {
    io.stdout(`${JSON.stringify({ ok: false, error: error.toJSON() }, null, 2)}\n`);
    return;
  }
  const lines = [`${ui.red(ui.bold('error'))} ${ui.bold(error.code)}: ${error.message}`, `${ui.dim('hint:')} ${error.hint}`];
  if (ui.verbose && Object.keys(error.details).length > 0) lines.push(`${ui.dim('details:')} ${JSON.stringify(error.details)}`);
  if (ui.verbose && error.code === 'INTERNAL' && error.cause instanceof Error && error.cause.stack !== undefined) {
    // The stack passes through a SkillsyncError so the redactor sees it before it is printed.
    lines.push(new SkillsyncError('INTERNAL', error.cause.stack).message);
  }
  io.stderr(`${lines.join('\n')}\n`);
}

/** Before parsing succeeds, `--json` and `--no-color` still decide how its error is shown. */
function fallbackGlobals(argv: readonly string[]): GlobalValues {
  const before = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  return {
    json: before.includes('--json'),
    cwd: undefined,
    quiet: before.includes('--quiet') || before.includes('-q'),
    verbose: before.includes('--verbose'),
    noColor: before.includes('--no-color'),
  };
}
