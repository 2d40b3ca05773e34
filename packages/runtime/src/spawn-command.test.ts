import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCommandFor, type SpawnCommandContext } from './spawn-command.js';

/**
 * A Windows disk in a temp folder: `C:\Program Files\nodejs\npx.cmd` is
 * `<tmp>/c/program files/nodejs/npx.cmd`, names lower-cased because Windows ignores case.
 */
let root: string;
const onDisk = (file: string): string => path.join(root, ...file.toLowerCase().replace(/^([a-z]):\\/, '$1\\').split('\\'));
const isFile = (file: string): boolean => {
  try {
    return statSync(onDisk(file)).isFile();
  } catch {
    return false;
  }
};

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ss-windisk-'));
  const files = [
    'C:\\Program Files\\nodejs\\npx.cmd',
    'C:\\Program Files\\nodejs\\node.exe',
    'C:\\tools\\uvx.exe',
    'C:\\tools\\both.exe',
    'C:\\tools\\both.cmd',
    'C:\\later\\first.cmd',
    'C:\\earlier\\first.exe',
    'C:\\tools\\legacy.bat',
    'C:\\tools\\script.ps1',
    'D:\\work\\scripts\\serve.bat',
    'D:\\work\\node_modules\\.bin\\docs-mcp.cmd',
  ];
  for (const file of files) {
    await mkdir(path.dirname(onDisk(file)), { recursive: true });
    await writeFile(onDisk(file), '@echo off\r\n');
  }
  // A folder named like a program is not one: the search goes on along PATH.
  await mkdir(onDisk('D:\\work\\npx.cmd'), { recursive: true });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const windows = (vars: Record<string, string | undefined> = {}): SpawnCommandContext => ({
  platform: 'win32',
  cwd: 'D:\\work',
  // Windows keeps these names in mixed case; lookups must not care.
  env: { Path: 'C:\\earlier;"C:\\Program Files\\nodejs";C:\\tools;;C:\\later', ComSpec: 'C:\\Windows\\system32\\cmd.exe', ...vars },
  isFile,
});

describe('spawnCommandFor', () => {
  it('leaves every command alone off Windows, whatever the PATH holds', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      expect(spawnCommandFor('npx', ['-y', 'a&b'], { ...windows(), platform })).toEqual({ command: 'npx', args: ['-y', 'a&b'], windowsVerbatimArguments: false });
    }
  });

  it('runs a .cmd shim found through PATH and PATHEXT through ComSpec, with a quoted command line', () => {
    expect(spawnCommandFor('npx', ['-y', '@acme/docs-mcp'], windows())).toEqual({
      command: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', '"npx ^"-y^" ^"@acme/docs-mcp^""'],
      windowsVerbatimArguments: true,
    });
    // Spelt with its extension, in any case, it is the same file.
    expect(spawnCommandFor('NPX.CMD', [], windows()).args).toEqual(['/d', '/s', '/c', '"NPX.CMD"']);
    expect(spawnCommandFor('legacy', ['x'], windows()).args).toEqual(['/d', '/s', '/c', '"legacy ^"x^""']);
  });

  it('escapes spaces, quotes, &, |, ^, % and backslashes so cmd.exe passes each argument on literally', () => {
    const args = ['a b', 'say "hi"', 'a&b', 'a|b', 'x^y', '%TOKEN%', 'C:\\dir\\', 'a\\"b', ''];
    expect(spawnCommandFor('npx', args, windows()).args[3]).toBe(
      '"npx ^"a^ b^" ^"say^ \\^"hi\\^"^" ^"a^&b^" ^"a^|b^" ^"x^^y^" ^"^%TOKEN^%^" ^"C:\\dir\\\\^" ^"a\\\\\\^"b^" ^"^""',
    );
  });

  it('escapes twice for an npm bin shim, which hands %* to a second cmd parse', () => {
    expect(spawnCommandFor('node_modules/.bin/docs-mcp', ['a&b'], windows()).args[3]).toBe('"node_modules\\.bin\\docs-mcp ^^^"a^^^&b^^^""');
  });

  it('spawns .exe and .com files directly, and an .exe ahead of a .cmd in PATHEXT order or PATH order', () => {
    const direct = (command: string) => spawnCommandFor(command, ['--stdio'], windows());
    for (const command of ['uvx', 'node', 'both', 'first', 'C:\\tools\\uvx.exe']) {
      expect(direct(command), command).toEqual({ command, args: ['--stdio'], windowsVerbatimArguments: false });
    }
    // With .CMD ahead of .EXE in PATHEXT, the same folder gives the shim.
    expect(spawnCommandFor('both', [], windows({ PATHEXT: '.CMD;.EXE' })).command).toBe('C:\\Windows\\system32\\cmd.exe');
  });

  it('finds a relative path from the working directory, and only there', () => {
    expect(spawnCommandFor('scripts/serve.bat', ['--port', '8080'], windows())).toEqual({
      command: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', '"scripts\\serve.bat ^"--port^" ^"8080^""'],
      windowsVerbatimArguments: true,
    });
    expect(spawnCommandFor('scripts/serve', [], windows()).windowsVerbatimArguments).toBe(true);
    expect(spawnCommandFor('scripts/npx', [], windows()).windowsVerbatimArguments).toBe(false);
  });

  it('leaves a command it cannot find, or that is no batch file, for spawn to report', () => {
    for (const command of ['missing', 'script', 'script.ps1']) {
      expect(spawnCommandFor(command, [], windows()), command).toEqual({ command, args: [], windowsVerbatimArguments: false });
    }
    // PATHEXT without .CMD: Windows itself would not find the shim.
    expect(spawnCommandFor('npx', [], windows({ PATHEXT: '.COM;.EXE' })).windowsVerbatimArguments).toBe(false);
  });

  it('falls back to cmd.exe without ComSpec, and to the default PATHEXT without PATHEXT', () => {
    const context = windows();
    const { ComSpec: _comspec, ...vars } = context.env;
    expect(spawnCommandFor('npx', [], { ...context, env: vars })).toMatchObject({ command: 'cmd.exe', windowsVerbatimArguments: true });
  });

  it('any argument comes back as it was after cmd.exe and the C runtime read the line (one parse, or two for a shim)', () => {
    const chars = fc.constantFrom(...'ab \\"&|^%!<>()[];,*?`=\t'.split(''));
    fc.assert(
      fc.property(fc.array(fc.string({ unit: chars, maxLength: 12 }), { maxLength: 4 }), fc.boolean(), (args, shim) => {
        const command = shim ? 'node_modules\\.bin\\docs-mcp.cmd' : 'npx';
        const line = spawnCommandFor(command, args, windows()).args[3] ?? '';
        expect(line.startsWith('"') && line.endsWith('"')).toBe(true);
        let text = cmdParse(line.slice(1, -1));
        if (shim) text = cmdParse(text);
        expect(crtArgv(text).slice(1)).toEqual(args);
      }),
    );
  });
});

/** cmd.exe's reading of a line with no quoted stretch: `^x` is a literal x, and no other metacharacter may be left to act. */
function cmdParse(line: string): string {
  let out = '';
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] ?? '';
    if (char === '^') {
      index += 1;
      out += line[index] ?? '';
      continue;
    }
    if ('"&|<>()%!'.includes(char)) throw new Error(`cmd.exe would act on an unescaped ${char} in ${line}`);
    out += char;
  }
  return out;
}

/** The Microsoft C runtime's split of a command line into argv (the rules quoteForCmd writes for). */
function crtArgv(line: string): string[] {
  const argv: string[] = [];
  let current = '';
  let started = false;
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] ?? '';
    if (char === '\\') {
      let count = 0;
      while (line[index] === '\\') {
        count += 1;
        index += 1;
      }
      if (line[index] === '"') {
        current += '\\'.repeat(Math.floor(count / 2));
        if (count % 2 === 1) current += '"';
        else quoted = !quoted;
      } else {
        current += '\\'.repeat(count);
        index -= 1;
      }
      started = true;
    } else if (char === '"') {
      quoted = !quoted;
      started = true;
    } else if ((char === ' ' || char === '\t') && !quoted) {
      if (started) argv.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) argv.push(current);
  return argv;
}
