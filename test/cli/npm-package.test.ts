import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/corpus.js';
import { createSandbox, isolatedEnv, runProcess, type CliRun, type Sandbox } from './cli-sandbox.js';

/**
 * The published package must work without the repository: pack the workspace, install
 * the tarball globally into a temp prefix with the network off (it has no runtime
 * dependencies, so npm needs nothing else), and use it from a folder outside the repo.
 */
describe('the skillsync npm package', () => {
  let sandbox: Sandbox;
  let prefix: string;
  let tarball: string;
  let npmEnv: Record<string, string>;

  const npm = (args: readonly string[], cwd: string): Promise<CliRun> => runProcess('npm', args, { cwd, env: npmEnv });

  beforeAll(async () => {
    sandbox = await createSandbox();
    prefix = path.join(sandbox.root, 'prefix');
    npmEnv = {
      ...isolatedEnv(sandbox.home),
      SKILLSYNC_HOME: sandbox.skillsyncHome,
      npm_config_cache: path.join(sandbox.root, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    };
    const packed = await npm(['pack', '--pack-destination', sandbox.root, '--silent'], path.join(repoRoot, 'apps', 'cli'));
    expect(packed.code, packed.stderr).toBe(0);
    const name = (await readdir(sandbox.root)).find((file) => file.endsWith('.tgz'));
    expect(name).toBeDefined();
    tarball = path.join(sandbox.root, name!);
    const installed = await npm(['install', '-g', '--prefix', prefix, '--offline', tarball], sandbox.work);
    expect(installed.code, installed.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('declares no runtime dependencies', async () => {
    const manifest = JSON.parse(await readFile(path.join(prefix, 'lib', 'node_modules', 'skillsync', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(await readdir(path.join(prefix, 'lib', 'node_modules', 'skillsync'))).not.toContain('node_modules');
  });

  it('installs a working bin that scaffolds and validates a skill outside the repository', async () => {
    const bin = path.join(prefix, 'bin', 'skillsync');
    const env = { ...npmEnv };
    const version = await runProcess(bin, ['--version'], { cwd: sandbox.work, env });
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'apps', 'cli', 'package.json'), 'utf8')) as { version: string };
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });

    const created = await runProcess(bin, ['new', 'demo'], { cwd: sandbox.work, env });
    expect(created.code, created.stderr).toBe(0);
    const validated = await runProcess(bin, ['validate', 'demo', '--strict'], { cwd: sandbox.work, env });
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
    expect(validated.stdout).toContain('1 skill valid (strict)');

    // The bundled manifest, tar and lock code works from the installed package too.
    for (const args of [['init'], ['add', './demo'], ['install']]) {
      const step = await runProcess(bin, args, { cwd: sandbox.work, env });
      expect(step.code, `${args.join(' ')}: ${step.stdout}${step.stderr}`).toBe(0);
    }
    expect(await readFile(path.join(sandbox.work, 'skillsync.lock'), 'utf8')).toContain('"resolved": "path:./demo"');
  });

  it('checks policies with the bundled Cedar, whose .wasm ships in dist/', async () => {
    const bin = path.join(prefix, 'bin', 'skillsync');
    const env = { ...npmEnv };
    // No policy files anywhere: the built-in default policy is what gets checked.
    const checked = await runProcess(bin, ['policy', 'check', '--json'], { cwd: sandbox.work, env });
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: true, sets: [{ builtIn: true, policies: 1, findings: [] }] });
    const policies = path.join(sandbox.work, '.skillsync', 'policies');
    await mkdir(policies, { recursive: true });
    await writeFile(path.join(policies, 'bad.cedar'), 'permit (principal, action, resource);\nforbid (principal, action == Skillsync::Action::"nope", resource);\n');
    const refused = await runProcess(bin, ['policy', 'check'], { cwd: sandbox.work, env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('.skillsync/policies/bad.cedar:2:30  error POLICY_INVALID');
    await rm(policies, { recursive: true });
  });

  it('keeps secrets in the file store when the optional keychain module was not installed', async () => {
    const root = path.join(prefix, 'lib', 'node_modules', 'skillsync');
    const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> };
    // Offline, with an empty cache, npm skips the optional native modules (and the tray's binary): the CLI must not need them.
    expect(Object.keys(manifest.optionalDependencies ?? {})).toEqual(['@napi-rs/keyring', 'better-sqlite3', 'systray2']);
    expect(await readdir(root)).not.toContain('node_modules');
    const bin = path.join(prefix, 'bin', 'skillsync');
    const env = { ...npmEnv, PKG_SECRET: 'from-the-package-env' };
    const stored = await runProcess(bin, ['secret', 'set', 'PKG_SECRET', '--from-env', 'PKG_SECRET'], { cwd: sandbox.work, env });
    expect(stored).toEqual({ code: 0, stdout: 'Stored secret PKG_SECRET (file store)\n', stderr: '' });
    expect(await runProcess(bin, ['secret', 'get', 'PKG_SECRET'], { cwd: sandbox.work, env })).toEqual({ code: 0, stdout: 'from-the-package-env\n', stderr: '' });
    const keychain = await runProcess(bin, ['secret', 'list'], { cwd: sandbox.work, env: { ...env, SKILLSYNC_SECRETS_BACKEND: 'keychain' } });
    expect(keychain.code).toBe(1);
    expect(keychain.stderr).toMatch(/^error SECRET_BACKEND_UNAVAILABLE: /);
  });

  it('runs the audit commands on node:sqlite where Node has it, and says STATE_DB_UNAVAILABLE where it needs the absent better-sqlite3', async () => {
    const root = path.join(prefix, 'lib', 'node_modules', 'skillsync');
    // Offline, npm skipped the optional native module, as it does where no prebuilt binary exists.
    expect(await readdir(root)).not.toContain('node_modules');
    await expect(readdir(path.join(prefix, 'lib', 'node_modules', 'better-sqlite3'))).rejects.toMatchObject({ code: 'ENOENT' });
    const bin = path.join(prefix, 'bin', 'skillsync');
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const nodeHasSqlite = major > 22 || (major === 22 && minor >= 13);
    for (const args of [['audit'], ['audit', 'verify'], ['audit', 'export']]) {
      const result = await runProcess(bin, args, { cwd: sandbox.work, env: npmEnv });
      if (nodeHasSqlite) {
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        expect(result.stderr).toBe('');
      } else {
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/^error STATE_DB_UNAVAILABLE: No SQLite engine could be loaded .*node:sqlite: not available in Node 20.*better-sqlite3: Cannot find module 'better-sqlite3'/);
        expect(result.stderr).toMatch(/\nhint: The state database needs SQLite: use Node\.js 22\.5 or later .* or install the optional better-sqlite3 module/);
      }
    }
    if (nodeHasSqlite) {
      const verify = await runProcess(bin, ['audit', 'verify', '--json'], { cwd: sandbox.work, env: npmEnv });
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checked: 0, head: { seq: 0 } });
    } else {
      const json = await runProcess(bin, ['audit', 'verify', '--json'], { cwd: sandbox.work, env: npmEnv });
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'STATE_DB_UNAVAILABLE' } });
    }
  });

  it('serves with the bundled Cedar and the audit log, or refuses without SQLite unless --no-audit', async () => {
    const bin = path.join(prefix, 'bin', 'skillsync');
    const project = path.join(sandbox.root, 'serve-project');
    await mkdir(project, { recursive: true });
    await writeFile(path.join(project, 'skillsync.yaml'), 'version: 1\n');
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const nodeHasSqlite = major > 22 || (major === 22 && minor >= 13);
    // stdin is empty: serve starts (policies, redactor, audit log), sees the client gone and stops.
    const served = await runProcess(bin, ['serve'], { cwd: project, env: npmEnv });
    if (nodeHasSqlite) {
      expect(served, served.stderr).toEqual({ code: 0, stdout: '', stderr: '' });
    } else {
      expect(served.code).toBe(1);
      expect(served.stdout).toBe('');
      expect(served.stderr).toMatch(/^error STATE_DB_UNAVAILABLE: skillsync serve records every call in its audit log, which could not be opened: No SQLite engine/);
      expect(served.stderr).toMatch(/\nhint: .*To serve without an audit log, pass --no-audit\.\n$/);
    }
    const unaudited = await runProcess(bin, ['serve', '--no-audit'], { cwd: project, env: npmEnv });
    expect(unaudited).toEqual({ code: 0, stdout: '', stderr: 'skillsync serve: the audit log is off (--no-audit): calls are authorized and redacted but not recorded\n' });
  });
});
