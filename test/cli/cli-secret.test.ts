import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, createSandbox, isolatedEnv, type CliRun, type Sandbox } from './cli-sandbox.js';

let sandbox: Sandbox;
/** Every run of this file, so the last test can check that no output ever held a value. */
const runs: { args: readonly string[]; result: CliRun }[] = [];

beforeAll(async () => {
  sandbox = await createSandbox();
});

afterAll(async () => {
  await sandbox.cleanup();
});

/** Runs the built CLI in the sandbox with `input` on stdin (a pipe, never a terminal), or stdin closed. */
function run(args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      cwd: sandbox.work,
      env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { code, stdout, stderr };
      runs.push({ args, result });
      resolve(result);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

async function runJson(args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; json: Record<string, unknown> }> {
  const result = await run([...args, '--json'], options);
  return { code: result.code, json: JSON.parse(result.stdout) as Record<string, unknown> };
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

const secretsDir = (): string => path.join(sandbox.skillsyncHome, 'data', 'secrets');

// Distinct per run, and of no token shape, so only our own code could keep it out of output.
const value = `plain-${randomBytes(12).toString('hex')}-value`;
const otherValue = `other-${randomBytes(12).toString('hex')}-value`;

describe('skillsync secret (built CLI, temp HOME)', () => {
  it('set reads the value from stdin, drops one trailing newline, and never prints it', async () => {
    const set = await run(['secret', 'set', 'GITHUB_TOKEN'], { input: `${value}\n` });
    expect(set).toEqual({ code: 0, stdout: 'Stored secret GITHUB_TOKEN (file store)\n', stderr: '' });
    expect((await stat(secretsDir())).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(secretsDir(), 'secrets.key'))).mode & 0o777).toBe(0o600);
    expect((await readdir(secretsDir())).sort()).toEqual(['secrets.json', 'secrets.key']);

    const again = await runJson(['secret', 'set', 'GITHUB_TOKEN'], { input: `${value}\n` });
    expect(again).toEqual({ code: 0, json: { ok: true, name: 'GITHUB_TOKEN', backend: 'file', replaced: true } });
  });

  it('get prints the value alone, for scripts, and as {name, value} with --json', async () => {
    expect(await run(['secret', 'get', 'GITHUB_TOKEN'])).toEqual({ code: 0, stdout: `${value}\n`, stderr: '' });
    expect(await runJson(['secret', 'get', 'GITHUB_TOKEN'])).toEqual({ code: 0, json: { ok: true, name: 'GITHUB_TOKEN', value } });
  });

  it('get of a missing name exits 1 with SECRET_NOT_FOUND and the name meant', async () => {
    const typo = await run(['secret', 'get', 'GITHUB_TOKNE']);
    expect(typo.code).toBe(1);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe(
      'error SECRET_NOT_FOUND: No secret named GITHUB_TOKNE in the file store. Did you mean GITHUB_TOKEN?\n' +
        'hint: Did you mean `skillsync secret get GITHUB_TOKEN`? Run `skillsync secret list` to see the stored names.\n',
    );
    const json = await runJson(['secret', 'get', 'NOTHING_LIKE_IT']);
    expect(json.code).toBe(1);
    expect(json.json).toMatchObject({ ok: false, error: { code: 'SECRET_NOT_FOUND', details: { name: 'NOTHING_LIKE_IT', backend: 'file' } } });
  });

  it('set --from-env copies a variable; list shows names, backend and times, never values', async () => {
    const fromEnv = await run(['secret', 'set', 'npm.token', '--from-env', 'MY_NPM'], { env: { MY_NPM: otherValue } });
    expect(fromEnv).toEqual({ code: 0, stdout: 'Stored secret npm.token (file store)\n', stderr: '' });

    const list = await run(['secret', 'list']);
    expect(list.code).toBe(0);
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(/^name {10}updated\nGITHUB_TOKEN {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC\nnpm\.token {5}\d{4}-\d\d-\d\d \d\d:\d\d UTC\n\n2 secrets \(file store, /);
    const json = await runJson(['secret', 'list']);
    expect(json.code).toBe(0);
    expect(json.json).toMatchObject({ ok: true, backend: 'file', location: secretsDir() });
    expect((json.json.secrets as { name: string; updatedAt: string }[]).map((secret) => Object.keys(secret))).toEqual([
      ['name', 'updatedAt'],
      ['name', 'updatedAt'],
    ]);
    expect(await run(['secret', 'get', 'npm.token'])).toMatchObject({ code: 0, stdout: `${otherValue}\n` });
  });

  it('refuses a value on the command line, as --value or as an argument, without repeating it, and stores nothing', async () => {
    const before = await readFile(path.join(secretsDir(), 'secrets.json'), 'utf8');
    const flag = await run(['secret', 'set', 'LEAKY', `--value=${otherValue}`]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^error USAGE: Unknown option '--value'\./);
    const spaced = await run(['secret', 'set', 'LEAKY', '--value', otherValue]);
    expect(spaced.code).toBe(2);
    const positional = await run(['secret', 'set', 'LEAKY', otherValue]);
    expect(positional.code).toBe(2);
    expect(positional.stderr).toMatch(/^error USAGE: `skillsync secret set` takes no argument after <name>; a secret value is never a command-line argument/);
    const json = await runJson(['secret', 'set', 'LEAKY', otherValue]);
    expect(json.code).toBe(2);
    for (const result of [flag, spaced, positional]) expect(result.stdout + result.stderr).not.toContain(otherValue);
    expect(JSON.stringify(json.json)).not.toContain(otherValue);
    expect(await readFile(path.join(secretsDir(), 'secrets.json'), 'utf8')).toBe(before);
  });

  it('refuses an empty value, an unset variable and an invalid name (exit 1), storing nothing', async () => {
    const before = await readFile(path.join(secretsDir(), 'secrets.json'), 'utf8');
    const closed = await run(['secret', 'set', 'EMPTY']);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/^error SECRET_VALUE_INVALID: Nothing came on stdin; nothing was stored\.\nhint: /);
    expect((await run(['secret', 'set', 'EMPTY'], { input: '\n' })).code).toBe(1);
    const unset = await run(['secret', 'set', 'EMPTY', '--from-env', 'NOT_SET_ANYWHERE']);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(/^error SECRET_VALUE_INVALID: The environment variable NOT_SET_ANYWHERE is not set/);
    const badName = await run(['secret', 'set', 'bad name'], { input: otherValue });
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/^error SECRET_NAME_INVALID: The secret name of 8 characters is not valid\.\nhint: Secret names start with a letter/);
    expect((await run(['secret', 'get', '1abc'])).stderr).toMatch(/^error SECRET_NAME_INVALID: The secret name '1abc' is not valid/);
    expect(await readFile(path.join(secretsDir(), 'secrets.json'), 'utf8')).toBe(before);
  });

  it('refuses a key file others can read, with the chmod to run', async () => {
    const keyFile = path.join(secretsDir(), 'secrets.key');
    await chmod(keyFile, 0o644);
    const refused = await run(['secret', 'get', 'GITHUB_TOKEN']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('error SECRET_KEY_PERMISSIONS: ');
    expect(refused.stderr).toContain(`hint: Run \`chmod 600 ${keyFile}\``);
    await chmod(keyFile, 0o600);
    expect((await run(['secret', 'get', 'GITHUB_TOKEN'])).code).toBe(0);
  });

  it('rm deletes a secret, and exits 1 with SECRET_NOT_FOUND when there is none', async () => {
    expect(await run(['secret', 'rm', 'npm.token'])).toEqual({ code: 0, stdout: 'Removed secret npm.token (file store)\n', stderr: '' });
    const gone = await run(['secret', 'rm', 'npm.token']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error SECRET_NOT_FOUND: No secret named npm\.token in the file store\./);
    expect((await run(['secret', 'get', 'npm.token'])).code).toBe(1);
    expect(await runJson(['secret', 'rm', 'GITHUB_TOKEN'])).toEqual({ code: 0, json: { ok: true, name: 'GITHUB_TOKEN', backend: 'file', removed: true } });
    expect(await run(['secret', 'list'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^No secrets stored \(file store, /) as unknown });
  });

  it('never shows a value in any output but `secret get`, nor in any file, even with --verbose', async () => {
    await run(['secret', 'set', 'LAST', '--verbose'], { input: value });
    for (const args of [['secret', 'list', '--verbose'], ['secret', 'get', 'LASST', '--verbose'], ['secret', 'rm', 'LASST', '--verbose'], ['secret', 'set', '--help']]) {
      await run(args);
    }
    for (const { args, result } of runs) {
      const isGet = args[0] === 'secret' && args[1] === 'get' && result.code === 0;
      const shown = isGet ? result.stderr : result.stdout + result.stderr;
      for (const secret of [value, otherValue]) expect(shown, args.join(' ')).not.toContain(secret);
    }
    expect(runs.length).toBeGreaterThan(20);

    // Not in HOME, the work folder or skillsync's folders: not as text, base64 or hex.
    const encodings = [value, otherValue].flatMap((secret) => [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]);
    const files = await filesUnder(sandbox.root);
    expect(files).toContain(path.join('skillsync-home', 'data', 'secrets', 'secrets.json'));
    for (const file of files) {
      const bytes = await readFile(path.join(sandbox.root, file));
      for (const encoded of encodings) expect(bytes.includes(encoded), `${file} holds a secret`).toBe(false);
    }
  });
});
