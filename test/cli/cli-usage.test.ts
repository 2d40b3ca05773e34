import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/corpus.js';
import { createSandbox, type Sandbox } from './cli-sandbox.js';

interface DescribedCommand {
  name: string;
  usage: string;
  positionals: { name: string; required?: boolean }[];
  examples: { command: string }[];
}

let sandbox: Sandbox;
let commands: DescribedCommand[];

beforeAll(async () => {
  sandbox = await createSandbox();
  const { code, json } = await sandbox.runJson(['--help']);
  expect(code).toBe(0);
  commands = json.commands as DescribedCommand[];
});

afterAll(async () => {
  await sandbox.cleanup();
});

describe('skillsync usage (built CLI, no TTY)', () => {
  it('prints the version from the package, with and without the fast path', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'apps', 'cli', 'package.json'), 'utf8')) as { version: string };
    const [fast, slow, json] = await Promise.all([
      sandbox.run(['--version']),
      sandbox.run(['--version', '--no-color']),
      sandbox.runJson(['--version']),
    ]);
    expect(fast).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect(slow).toEqual(fast);
    expect(json.json).toEqual({ ok: true, version: pkg.version });
  });

  it('lists every command in the global help, uncoloured on a pipe', async () => {
    const help = await sandbox.run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).not.toContain('\x1b[');
    for (const command of commands) expect(help.stdout).toContain(command.name);
    expect(commands.map((command) => command.name)).toEqual([
      'init',
      'new',
      'dev',
      'validate',
      'pack',
      'add',
      'remove',
      'list',
      'install',
      'outdated',
      'update',
      'store verify',
      'store prune',
      'keygen',
      'login',
      'logout',
      'whoami',
      'publish',
      'yank',
      'deprecate',
      'secret set',
      'secret get',
      'secret list',
      'secret rm',
      'clients',
      'import',
      'sync',
      'status',
      'diff',
      'rollback',
      'serve',
      'up',
      'daemon status',
      'daemon stop',
      'daemon logs',
      'daemon install',
      'daemon uninstall',
      'audit',
      'audit verify',
      'audit export',
      'audit prune',
      'policy check',
      'policy test',
      'server',
      'server init',
      'server token',
      'server audit prune',
      'server blobs prune',
    ]);
  });

  it('gives every command a --help with usage and a runnable example, exit 0', async () => {
    const runs = await Promise.all(commands.map((command) => sandbox.run([...command.name.split(' '), '--help'])));
    runs.forEach((run, index) => {
      const command = commands[index]!;
      expect(run.code, command.name).toBe(0);
      expect(run.stdout).toContain(`Usage: ${command.usage}`);
      expect(run.stdout).toContain('Examples:');
      expect(command.examples.length).toBeGreaterThan(0);
      expect(command.examples[0]!.command.startsWith(`skillsync ${command.name}`)).toBe(true);
    });
  });

  it('refuses an unknown flag on every command with exit 2 and a suggestion', async () => {
    const runs = await Promise.all(commands.map((command) => sandbox.run([...command.name.split(' '), '--jsn'])));
    runs.forEach((run, index) => {
      expect(run.code, commands[index]!.name).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error USAGE: Unknown option '--jsn'. Did you mean '--json'\?\nhint: /);
    });
  });

  it('refuses a missing required argument with exit 2', async () => {
    const needing = commands.filter((command) => command.positionals.some((positional) => positional.required === true));
    expect(needing.length).toBeGreaterThan(0);
    const runs = await Promise.all(needing.map((command) => sandbox.run(command.name.split(' '))));
    runs.forEach((run, index) => {
      expect(run.code, needing[index]!.name).toBe(2);
      expect(run.stderr).toMatch(/^error USAGE: `skillsync .*` needs <\w+>/);
    });
  });

  it('suggests the command meant, as text and as JSON', async () => {
    const [text, json] = await Promise.all([sandbox.run(['valdate']), sandbox.runJson(['valdate'])]);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe(
      "error USAGE: Unknown command 'valdate'. Did you mean 'validate'?\nhint: Did you mean `validate`? Run `skillsync --help` to see what is available.\n",
    );
    expect(json.code).toBe(2);
    expect(json.json).toMatchObject({ ok: false, error: { code: 'USAGE', details: { command: 'valdate', suggestion: 'validate' } } });
    expect(json.stderr).toBe('');
  });

  it('refuses a manifest with a misspelt key, pointing at the line and the key meant', async () => {
    await mkdir(path.join(sandbox.work, 'typo'));
    await writeFile(path.join(sandbox.work, 'typo', 'skillsync.yaml'), 'version: 1\nskils:\n  pdf: ^1\n');
    const [text, json] = await Promise.all([sandbox.run(['--cwd', 'typo', 'install']), sandbox.runJson(['install', '--cwd', 'typo'])]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^error MANIFEST_UNKNOWN_KEY: .*typo\/skillsync\.yaml:2:1: .*did you mean `skills`\?\nhint: /);
    expect(json.json).toMatchObject({ ok: false, error: { code: 'MANIFEST_UNKNOWN_KEY', details: { findings: [{ line: 2, column: 1 }] } } });
  });

  it('renders a failure with its code and hint, and exit 1', async () => {
    const [text, json] = await Promise.all([sandbox.run(['validate', 'no-such-skill']), sandbox.runJson(['new', 'Not_Valid'])]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('error FILE_NOT_FOUND: The skill folder');
    expect(json.code).toBe(1);
    const error = json.json.error as Record<string, unknown>;
    expect(Object.keys(json.json)).toEqual(['ok', 'error']);
    expect(json.json.ok).toBe(false);
    expect(Object.keys(error)).toEqual(['code', 'message', 'hint', 'details']);
    expect(error).toMatchObject({ code: 'SKILL_NAME_INVALID', details: { name: 'Not_Valid' } });
    expect(error.message).toContain('Not_Valid');
    expect(error.hint).toMatch(/lowercase letters/);
  });
});
