import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, errorCatalogue, SkillsyncError } from '@skillsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCommand, defineHandler, type CommandInput, type CommandSpec } from './define-command.js';
import { runCli, type CliIo } from './run-cli.js';

const echoOptions = {
  loud: { type: 'boolean', description: 'Shout' },
  out: { type: 'string', value: 'dir', description: 'Where to' },
  tag: { type: 'string', multiple: true, value: 'tag', description: 'Tags' },
} as const;

const seen: CommandInput<typeof echoOptions>[] = [];

const echoHandler = defineHandler({
  run: async (input: CommandInput<typeof echoOptions>) => {
    seen.push(input);
    if (input.positionals[0] === 'boom') {
      throw new SkillsyncError('FILE_NOT_FOUND', 'No such thing: token=ghp_abcdefghijklmnopqrstuvwxyz0123456789', { details: { path: '/x' } });
    }
    if (input.positionals[0] === 'crash') throw new Error('kaput');
    if (input.positionals[0] === 'stream') {
      // Each further word is a document of its own, printed as it comes; `fail` is one with findings.
      for (const word of input.positionals.slice(1)) input.emit?.({ ok: word !== 'fail', data: { word }, render: (ui) => ui.green(word) });
      return { ok: true, data: { said: input.positionals, loud: input.options.loud }, streamed: true };
    }
    if (input.positionals[0] === 'progress') {
      const progress = input.progress('working');
      progress.update(1, 2);
      progress.done();
    }
    await Promise.resolve();
    return { ok: input.positionals[0] !== 'fail', data: { said: input.positionals, loud: input.options.loud } };
  },
  render: (data: { said: readonly string[]; loud: boolean }, ui) => ui.green(data.loud ? data.said.join(' ').toUpperCase() : data.said.join(' ')),
});

const table: readonly CommandSpec[] = [
  defineCommand({
    name: 'echo',
    summary: 'Say things',
    positionals: [{ name: 'words', description: 'What to say', required: true, variadic: true }],
    options: echoOptions,
    examples: [{ command: 'skillsync echo hi', description: 'Say hi' }],
    load: () => Promise.resolve(echoHandler),
  }),
  defineCommand({
    name: 'store verify',
    summary: 'Verify',
    positionals: [],
    options: {},
    examples: [{ command: 'skillsync store verify', description: 'Verify the store' }],
    load: () => Promise.resolve(echoHandler),
  }),
];

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'skillsync-cli-unit-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function run(argv: string[], options: { tty?: boolean; vars?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    stdoutIsTTY: options.tty ?? false,
    stderrIsTTY: options.tty ?? false,
  };
  const env = createEnv({ home: cwd, cwd, vars: { SKILLSYNC_HOME: path.join(cwd, 'ss'), ...options.vars } });
  const code = await runCli({ argv, env, io, version: '9.9.9', table });
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it('runs a command with typed options and renders its result', async () => {
    const result = await run(['echo', 'hello', 'world', '--loud', '--out', 'x', '--tag', 'a', '--tag=b']);
    expect(result).toEqual({ code: 0, stdout: 'HELLO WORLD\n', stderr: '' });
    expect(seen.at(-1)?.options).toEqual({ loud: true, out: 'x', tag: ['a', 'b'] });
  });

  it('accepts global flags before the command and applies --cwd', async () => {
    await run(['--cwd', '.', '--quiet', 'echo', 'x']);
    expect(seen.at(-1)?.env.cwd).toBe(cwd);
    expect(seen.at(-1)?.flags.quiet).toBe(true);
    expect(seen.at(-1)?.options).toEqual({ loud: false, out: undefined, tag: [] });
  });

  it('prints one JSON document merging ok with the data', async () => {
    const result = await run(['echo', 'a', '--json']);
    expect(JSON.parse(result.stdout)).toEqual({ ok: true, said: ['a'], loud: false });
  });

  it('prints the documents a command emits as it goes, one JSON line each, and nothing after them', async () => {
    expect(await run(['echo', 'stream', 'one', 'fail', '--json'])).toEqual({
      code: 0,
      stdout: '{"ok":true,"word":"one"}\n{"ok":false,"word":"fail"}\n',
      stderr: '',
    });
    expect(await run(['echo', 'stream', 'one', 'two'])).toEqual({ code: 0, stdout: 'one\ntwo\n', stderr: '' });
    expect(await run(['echo', 'stream', 'one', 'fail', '--quiet'])).toEqual({ code: 0, stdout: 'fail\n', stderr: '' });
  });

  it('exits 1 when the handler reports findings', async () => {
    expect((await run(['echo', 'fail'])).code).toBe(1);
  });

  it('prints nothing on success with --quiet, but still prints findings', async () => {
    expect(await run(['echo', 'ok', '-q'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await run(['echo', 'fail', '--quiet'])).toEqual({ code: 1, stdout: 'fail\n', stderr: '' });
  });

  it('renders a coded error once, redacted, with its hint', async () => {
    const result = await run(['echo', 'boom']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error FILE_NOT_FOUND: No such thing: token=\[REDACTED\]\nhint: Check the path exists/);
    const json = await run(['echo', 'boom', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: { code: 'FILE_NOT_FOUND', message: 'No such thing: token=[REDACTED]', hint: errorCatalogue.FILE_NOT_FOUND.hint, details: { path: '/x' } },
    });
    expect(json.stderr).toBe('');
  });

  it('wraps unexpected errors as INTERNAL and shows the stack only with --verbose', async () => {
    const plain = await run(['echo', 'crash']);
    expect(plain.stderr).toMatch(/^error INTERNAL: kaput\nhint: This is a bug/);
    expect(plain.stderr).not.toContain('run-cli.test');
    expect((await run(['echo', 'crash', '--verbose'])).stderr).toContain('run-cli.test');
  });

  it.each([
    [['ech', 'x'], /Unknown command 'ech'. Did you mean 'echo'\?/],
    [['echo', 'x', '--lod'], /Unknown option '--lod'. Did you mean '--loud'\?/],
    [['echo'], /needs <words>/],
    [['echo', 'x', '--out'], /--out needs a value/],
    [['echo', 'x', '--out', '--loud'], /--out needs a value/],
    [['echo', 'x', '--loud=yes'], /--loud does not take a value/],
    [['store'], /needs a sub-command: verify/],
    [['store', 'verfy'], /Unknown store sub-command 'verfy'. Did you mean 'verify'\?/],
    [['store', 'verify', 'extra'], /Unexpected argument 'extra'/],
    [['help', 'nope'], /Unknown command 'nope'/],
    [['stray'], /Unknown command 'stray'\.$/m],
    [['--', 'x'], /Unexpected argument 'x'/],
    [['--cwd', 'missing-dir', 'echo', 'x'], /is not a directory/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error USAGE: /);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/\nhint: /);
  });

  it('gives usage errors as JSON with --json', async () => {
    const result = await run(['ech', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE', details: { command: 'ech', suggestion: 'echo' } } });
  });

  it('shows global, group and command help', async () => {
    const global = await run(['--help']);
    expect(global.code).toBe(0);
    expect(global.stdout).toContain('skillsync 9.9.9');
    expect(global.stdout).toMatch(/echo\s+Say things/);
    expect(global.stdout).toMatch(/store verify\s+Verify/);
    expect((await run(['help'])).stdout).toBe(global.stdout);

    const command = await run(['echo', '--help']);
    expect(command.code).toBe(0);
    expect(command.stdout).toContain('Usage: skillsync echo <words…> [--loud] [--out <dir>] [--tag <tag>]');
    expect(command.stdout).toContain('$ skillsync echo hi');
    expect((await run(['help', 'echo'])).stdout).toBe(command.stdout);
    expect((await run(['echo', '-h'])).stdout).toBe(command.stdout);

    expect((await run(['store', '--help'])).stdout).toMatch(/Usage: skillsync store <verify>/);
    expect((await run(['store', 'verify', '--help'])).stdout).toContain('Usage: skillsync store verify');
  });

  it('prints the version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: '9.9.9\n', stderr: '' });
    expect(JSON.parse((await run(['-v', '--json'])).stdout)).toEqual({ ok: true, version: '9.9.9' });
    expect((await run(['echo', 'x', '--version'])).stdout).toBe('9.9.9\n');
  });

  it('colours only for a terminal, honouring NO_COLOR, FORCE_COLOR and --no-color', async () => {
    const esc = '\x1b[';
    expect((await run(['echo', 'x'])).stdout).not.toContain(esc);
    expect((await run(['echo', 'x'], { tty: true })).stdout).toContain(esc);
    expect((await run(['echo', 'x', '--no-color'], { tty: true })).stdout).not.toContain(esc);
    expect((await run(['echo', 'x'], { tty: true, vars: { NO_COLOR: '1' } })).stdout).not.toContain(esc);
    expect((await run(['echo', 'x'], { vars: { FORCE_COLOR: '1' } })).stdout).toContain(esc);
    expect((await run(['nope'], { vars: { FORCE_COLOR: '1' } })).stderr).toContain(esc);
  });

  it('reports progress on stderr for a terminal only, never with --json or --quiet', async () => {
    expect((await run(['echo', 'progress'], { tty: true })).stderr).toContain('working 1/2');
    expect((await run(['echo', 'progress'])).stderr).toBe('');
    expect((await run(['echo', 'progress', '--json'], { tty: true })).stderr).toBe('');
    expect((await run(['echo', 'progress', '--quiet'], { tty: true })).stderr).toBe('');
  });
});

describe('a command that is also a group', () => {
  const limitOptions = { limit: { type: 'string', value: 'n', description: 'How many' } } as const;
  const listed: CommandInput<typeof limitOptions>[] = [];
  const listHandler = defineHandler({
    run: async (input: CommandInput<typeof limitOptions>) => {
      listed.push(input);
      await Promise.resolve();
      return { ok: true, data: { command: 'log', limit: input.options.limit ?? null } };
    },
    render: (data: { command: string }) => data.command,
  });
  const verifyHandler = defineHandler({
    run: async () => {
      await Promise.resolve();
      return { ok: true, data: { command: 'log verify' } };
    },
    render: (data: { command: string }) => data.command,
  });
  const groupTable: readonly CommandSpec[] = [
    defineCommand({
      name: 'log',
      summary: 'Show the log',
      positionals: [],
      options: limitOptions,
      examples: [{ command: 'skillsync log --limit 5', description: 'The last five' }],
      load: () => Promise.resolve(listHandler),
    }),
    defineCommand({
      name: 'log verify',
      summary: 'Verify the log',
      positionals: [],
      options: {},
      examples: [{ command: 'skillsync log verify', description: 'Check it' }],
      load: () => Promise.resolve(verifyHandler),
    }),
    defineCommand({
      name: 'log archive prune',
      summary: 'Prune the archive',
      positionals: [],
      options: limitOptions,
      examples: [{ command: 'skillsync log archive prune', description: 'Prune it' }],
      load: () => Promise.resolve(listHandler),
    }),
  ];

  async function runGroup(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), stdoutIsTTY: false, stderrIsTTY: false };
    const env = createEnv({ home: cwd, cwd, vars: {} });
    const code = await runCli({ argv, env, io, version: '9.9.9', table: groupTable });
    return { code, stdout, stderr };
  }

  it('runs the command without a sub-command, its option values not taken for one', async () => {
    expect(await runGroup(['log'])).toEqual({ code: 0, stdout: 'log\n', stderr: '' });
    expect(await runGroup(['log', '--limit', '5'])).toEqual({ code: 0, stdout: 'log\n', stderr: '' });
    expect(listed.at(-1)?.options).toEqual({ limit: '5' });
    expect(await runGroup(['--json', 'log', 'verify'])).toMatchObject({ code: 0, stdout: expect.stringContaining('"command": "log verify"') as unknown });
  });

  it('suggests the sub-command meant for an unknown word', async () => {
    const result = await runGroup(['log', 'verfy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error USAGE: Unknown log sub-command 'verfy'. Did you mean 'verify'\?/);
  });

  it('shows the command help for `log --help` and the sub-command help for `log verify --help`', async () => {
    expect((await runGroup(['log', '--help'])).stdout).toContain('Usage: skillsync log [--limit <n>]');
    expect((await runGroup(['log', 'verify', '--help'])).stdout).toContain('Usage: skillsync log verify');
  });

  it('runs a command of three words, with its options anywhere', async () => {
    listed.length = 0;
    expect(await runGroup(['log', 'archive', 'prune', '--limit', '3'])).toEqual({ code: 0, stdout: 'log\n', stderr: '' });
    expect(await runGroup(['--json', 'log', '--limit=4', 'archive', 'prune'])).toMatchObject({ code: 0 });
    expect(listed.map((input) => input.options.limit)).toEqual(['3', '4']);
    expect((await runGroup(['log', 'archive', 'prune', '--help'])).stdout).toContain('Usage: skillsync log archive prune [--limit <n>]');
  });

  it('treats the first two words of a three-word command as a group of their own', async () => {
    const group = await runGroup(['log', 'archive', '--help']);
    expect(group.stdout).toMatch(/Usage: skillsync log archive <prune>/);
    expect((await runGroup(['help', 'log', 'archive'])).stdout).toBe(group.stdout);
    const bare = await runGroup(['log', 'archive']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^error USAGE: `skillsync log archive` needs a sub-command: prune\./);
    const typo = await runGroup(['log', 'archive', 'prnue']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^error USAGE: Unknown log archive sub-command 'prnue'. Did you mean 'prune'\?/);
    expect((await runGroup(['log', 'archiv'])).stderr).toMatch(/Unknown log sub-command 'archiv'. Did you mean 'archive'\?/);
  });
});
