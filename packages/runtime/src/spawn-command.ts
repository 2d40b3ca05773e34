import path from 'node:path';
import type { Platform } from '@skillsync/core';

/** What to hand `child_process.spawn` to start a connector's command. */
export interface SpawnCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** True when `args` end in one command line already quoted for cmd.exe, which Node must pass on untouched. */
  readonly windowsVerbatimArguments: boolean;
}

export interface SpawnCommandContext {
  readonly platform: Platform;
  /** The child's environment: PATH, PATHEXT and ComSpec are read from it (in any letter case, as Windows does). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The child's working directory, searched first as Windows does. */
  readonly cwd: string;
  /** Whether a file (not a folder) is at a path: the one look at the disk, injected so Windows lookups are testable anywhere. */
  readonly isFile: (file: string) => boolean;
}

/** What Windows assumes when PATHEXT is unset. */
const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';
const batchFile = /\.(?:cmd|bat)$/i;
// npm's own shims forward their arguments with `%*`, which cmd.exe parses a second time (cross-spawn's rule).
const npmBinShim = /node_modules[\\/]\.bin[\\/][^\\/]+\.cmd$/i;
// The characters cmd.exe gives a meaning to (cross-spawn's set, after robvanderwoude.com/escapechars.php).
const cmdMetaChars = /([()\][%!^"`<>&|;, *?])/g;

/**
 * How to spawn `command args` so that it runs the same everywhere. On Windows, Node
 * (libuv) finds only `.exe` and `.com` files on the PATH, and since CVE-2024-27980
 * refuses to start a `.cmd` or `.bat` without a shell; yet `npx`, `pnpm` and every
 * npm-installed bin are `.cmd` shims. So a command that resolves (cwd, then PATH, with
 * PATHEXT) to a batch file runs as `cmd.exe /d /s /c "<command line>"` with every
 * argument quoted and cmd's metacharacters escaped, the way cross-spawn does it; any other
 * command, and every command elsewhere, is spawned as it is. Pure, given `isFile`.
 */
export function spawnCommandFor(command: string, args: readonly string[], context: SpawnCommandContext): SpawnCommand {
  const direct: SpawnCommand = { command, args, windowsVerbatimArguments: false };
  if (context.platform !== 'win32') return direct;
  const file = findWindowsCommand(command, context);
  if (file === undefined || !batchFile.test(file)) return direct;
  const doubleEscape = npmBinShim.test(file);
  const line = [escapeCmdMetaChars(path.win32.normalize(command)), ...args.map((arg) => quoteForCmd(arg, doubleEscape))].join(' ');
  // `/d`: no AutoRun commands from the registry; `/s /c "…"`: cmd strips exactly the outer quotes and runs the rest.
  return { command: windowsVar(context.env, 'COMSPEC') ?? 'cmd.exe', args: ['/d', '/s', '/c', `"${line}"`], windowsVerbatimArguments: true };
}

/** The file Windows would run for `command`: as written when it has an extension, else with each PATHEXT extension in turn. */
function findWindowsCommand(command: string, context: SpawnCommandContext): string | undefined {
  const p = path.win32;
  const extensions = (windowsVar(context.env, 'PATHEXT') ?? DEFAULT_PATHEXT).split(';').filter((extension) => extension !== '');
  const asWritten = p.extname(command) !== '';
  // A name with a folder part is looked up there only; a bare name in the working directory, then along PATH.
  const dirs = /[\\/]/.test(command) ? [undefined] : [context.cwd, ...searchPath(context.env)];
  for (const dir of dirs) {
    const base = dir === undefined ? p.resolve(context.cwd, command) : p.join(dir, command);
    if (asWritten && context.isFile(base)) return base;
    for (const extension of extensions) if (context.isFile(base + extension)) return base + extension;
  }
  return undefined;
}

function searchPath(env: SpawnCommandContext['env']): string[] {
  const value = windowsVar(env, 'PATH') ?? '';
  // Entries may be quoted (a folder holding `;`); empty ones mean nothing.
  return value
    .split(';')
    .map((entry) => entry.replace(/^"(.*)"$/, '$1'))
    .filter((entry) => entry !== '');
}

/** Windows variable names ignore case (`Path`, `ComSpec`). */
function windowsVar(env: SpawnCommandContext['env'], name: string): string | undefined {
  for (const [key, value] of Object.entries(env)) if (key.toUpperCase() === name && value !== undefined) return value;
  return undefined;
}

function escapeCmdMetaChars(text: string): string {
  return text.replace(cmdMetaChars, '^$1');
}

/**
 * One argument as the program's C runtime will read it back (qntm.org/cmd): quoted, each
 * run of backslashes before a quote or the closing quote doubled, inner quotes
 * backslash-escaped; then every cmd metacharacter caret-escaped, so cmd.exe passes the
 * text on literally (quotes included, which keeps cmd from ever being inside a quoted
 * stretch where a caret would count). Twice for a shim that hands `%*` to a second parse.
 */
function quoteForCmd(arg: string, doubleEscape: boolean): string {
  let quoted = '"';
  let backslashes = 0;
  for (const char of arg) {
    if (char === '\\') {
      backslashes += 1;
      continue;
    }
    quoted += char === '"' ? `${'\\'.repeat(backslashes * 2 + 1)}"` : `${'\\'.repeat(backslashes)}${char}`;
    backslashes = 0;
  }
  quoted += `${'\\'.repeat(backslashes * 2)}"`;
  const escaped = escapeCmdMetaChars(quoted);
  return doubleEscape ? escapeCmdMetaChars(escaped) : escaped;
}
