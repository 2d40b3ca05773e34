import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-sandbox.js';

/**
 * JOURNEYS.md §2 and §4 through the built CLI, one step after another in one sandbox:
 * each step depends on the files the step before it wrote, as it would for a person.
 */
describe('the author and team journey (built CLI)', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await createSandbox();
  });

  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('new scaffolds a skill that passes validate --strict', async () => {
    const created = await sandbox.runJson(['new', 'triage-bug', '--dir', 'skills', '--description', 'Triage a bug report. Use when a user files a bug.']);
    expect(created.code).toBe(0);
    expect(created.json).toMatchObject({ ok: true, name: 'triage-bug', dir: path.join(sandbox.work, 'skills', 'triage-bug') });
    expect(await readFile(path.join(sandbox.work, 'skills', 'triage-bug', 'SKILL.md'), 'utf8')).toContain('name: triage-bug');

    const again = await sandbox.run(['new', 'triage-bug', '--dir', 'skills']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error FILE_WRITE_FAILED: .*already exists/);

    const validated = await sandbox.run(['validate', 'skills/triage-bug', '--strict']);
    expect(validated).toMatchObject({ code: 0, stderr: '' });
    expect(validated.stdout).toBe('✓ triage-bug@0.1.0 (skills/triage-bug)\n1 skill valid (strict): 0 errors, 0 warnings\n');

    // Inside the skill folder, validate needs no argument.
    const inside = await sandbox.runJson(['validate'], { cwd: 'skills/triage-bug' });
    expect(inside.code).toBe(0);
    expect(inside.json).toMatchObject({ ok: true, mode: 'lenient', summary: { skills: 1, errors: 0, warnings: 0, failed: 0 } });
  });

  it('validate reports findings with file:line:col, code and hint, and exits 1', async () => {
    const dir = path.join(sandbox.work, 'broken');
    await sandbox.run(['new', 'broken']);
    const skillMd = path.join(dir, 'SKILL.md');
    const text = await readFile(skillMd, 'utf8');
    await writeFile(skillMd, text.replace('name: broken', 'name: broken\nuser-invocable: true'));

    const lenient = await sandbox.run(['validate', 'broken']);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/broken\/SKILL\.md:3:1 {2}warning SKILL_UNKNOWN_FIELD: .*\n {4}hint: /);

    const strict = await sandbox.runJson(['validate', 'broken', '--strict']);
    expect(strict.code).toBe(1);
    const skills = strict.json.skills as { ok: boolean; findings: { code: string; severity: string; file: string; line: number; column: number; hint: string }[] }[];
    expect(skills[0]!.ok).toBe(false);
    expect(skills[0]!.findings[0]).toMatchObject({ code: 'SKILL_UNKNOWN_FIELD', severity: 'error', file: skillMd, line: 3, column: 1 });
    expect(skills[0]!.findings[0]!.hint.length).toBeGreaterThan(0);
  });

  it('keygen writes a private key only its owner can read', async () => {
    const made = await sandbox.runJson(['keygen', '--out', 'keys']);
    expect(made.code).toBe(0);
    expect(made.json.publicKey).toMatch(/^ed25519:/);
    const privateKey = path.join(sandbox.work, 'keys', 'skillsync-signing.pem');
    expect((await stat(privateKey)).mode & 0o777).toBe(0o600);
    expect(await readFile(path.join(sandbox.work, 'keys', 'skillsync-signing.pub'), 'utf8')).toBe(`${String(made.json.publicKey)}\n`);
    // The private key never reaches stdout.
    expect(JSON.stringify(made.json)).not.toContain('PRIVATE KEY');

    const again = await sandbox.run(['keygen', '--out', 'keys']);
    expect(again.code).toBe(1);
    expect(await readFile(privateKey, 'utf8')).toContain('PRIVATE KEY');
  });

  it('pack writes a deterministic, signed package next to the skill', async () => {
    const first = await sandbox.runJson(['pack', 'skills/triage-bug', '--out', 'dist', '--sign', 'keys/skillsync-signing.pem']);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ ok: true, name: 'triage-bug', version: '0.1.0', file: path.join(sandbox.work, 'dist', 'triage-bug-0.1.0.tgz') });
    expect(first.json.integrity).toMatch(/^sha512-[A-Za-z0-9+/]+=*$/);
    const signature = JSON.parse(await readFile(path.join(sandbox.work, 'dist', 'triage-bug-0.1.0.tgz.sig'), 'utf8')) as Record<string, unknown>;
    expect(signature).toMatchObject({ algorithm: 'ed25519', keyId: (first.json.signature as { keyId: string }).keyId });

    // Run inside the skill, the tarball lands next to it, never inside it.
    const inside = await sandbox.run(['pack'], { cwd: 'skills/triage-bug' });
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).toContain('../triage-bug-0.1.0.tgz');
    expect(inside.stdout).toContain(String(first.json.integrity));
    const [a, b] = await Promise.all([
      readFile(path.join(sandbox.work, 'dist', 'triage-bug-0.1.0.tgz')),
      readFile(path.join(sandbox.work, 'skills', 'triage-bug-0.1.0.tgz')),
    ]);
    expect(a.equals(b)).toBe(true);
  });

  it('pack refuses a skill with errors, writing nothing', async () => {
    const refused = await sandbox.runJson(['pack', 'keys']);
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ ok: false, findings: [{ code: 'SKILL_MD_MISSING' }] });
    expect((await readdir(sandbox.work)).filter((file) => file.endsWith('.tgz'))).toEqual([]);
  });

  it('init, add and remove edit skillsync.yaml; list shows what is declared', async () => {
    const outside = await sandbox.run(['add', './skills/triage-bug']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/^error MANIFEST_NOT_FOUND: No skillsync.yaml in .*\nhint: Run `skillsync init`/);

    const init = await sandbox.runJson(['init']);
    expect(init).toMatchObject({ code: 0, json: { ok: true, scope: 'project', file: path.join(sandbox.work, 'skillsync.yaml') } });
    const again = await sandbox.run(['init']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error MANIFEST_EXISTS: /);

    const added = await sandbox.runJson(['add', './skills/triage-bug']);
    expect(added).toMatchObject({ code: 0, json: { ok: true, name: 'triage-bug', kind: 'path', specifier: './skills/triage-bug' } });
    const addedTwice = await sandbox.run(['add', 'skills/triage-bug']);
    expect(addedTwice.code).toBe(1);
    expect(addedTwice.stderr).toMatch(/^error SKILL_ALREADY_ADDED: /);
    expect((await sandbox.runJson(['add', 'pdf@^1.2'])).json).toMatchObject({ ok: true, name: 'pdf', kind: 'registry', specifier: '^1.2' });

    const manifest = await readFile(path.join(sandbox.work, 'skillsync.yaml'), 'utf8');
    expect(manifest).toContain('  triage-bug: ./skills/triage-bug\n');
    expect(manifest).toContain('# skillsync manifest');

    const listed = await sandbox.runJson(['list']);
    expect(listed.code).toBe(0);
    expect(listed.json.skills).toEqual([
      expect.objectContaining({ name: 'pdf', kind: 'registry', scope: 'project', inStore: false }),
      expect.objectContaining({ name: 'triage-bug', kind: 'path', specifier: './skills/triage-bug', inStore: false }),
    ]);

    expect((await sandbox.runJson(['remove', 'pdf'])).json).toMatchObject({ ok: true, name: 'pdf' });
    const removedTwice = await sandbox.run(['remove', 'pdf']);
    expect(removedTwice.code).toBe(1);
    expect(removedTwice.stderr).toMatch(/^error SKILL_NOT_IN_MANIFEST: /);
    expect(await readFile(path.join(sandbox.work, 'skillsync.yaml'), 'utf8')).toBe(manifest.replace('  pdf: ^1.2\n', ''));
  });

  it('validate with no paths checks the local skills of the project manifest', async () => {
    const validated = await sandbox.runJson(['validate', '--strict']);
    expect(validated.code).toBe(0);
    expect(validated.json).toMatchObject({ mode: 'strict', skills: [{ name: 'triage-bug', dir: path.join(sandbox.work, 'skills', 'triage-bug') }] });
  });

  it('store verify passes on an empty store', async () => {
    const verified = await sandbox.runJson(['store', 'verify']);
    expect(verified).toMatchObject({ code: 0, json: { ok: true, checked: 0, corrupt: [] } });
  });

  it('install writes skillsync.lock once; install --frozen installs exactly it and never writes', async () => {
    const lockPath = path.join(sandbox.work, 'skillsync.lock');
    const frozenFirst = await sandbox.runJson(['install', '--frozen']);
    expect(frozenFirst.code).toBe(1);
    expect(frozenFirst.json).toMatchObject({ ok: false, problems: [{ code: 'LOCKFILE_MISSING' }] });

    const installed = await sandbox.runJson(['install']);
    expect(installed.code).toBe(0);
    expect(installed.json).toMatchObject({ ok: true, lockfileWritten: true, frozen: false, lockfile: lockPath, problems: [] });
    expect(installed.json.skills).toEqual([expect.objectContaining({ name: 'triage-bug', version: '0.1.0', outcome: 'added', root: true })]);
    const lock = await readFile(lockPath, 'utf8');
    expect(lock).toContain('"resolved": "path:./skills/triage-bug"');
    const lockTime = (await stat(lockPath)).mtimeMs;

    const again = await sandbox.run(['install']);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toContain('skillsync.lock unchanged');
    expect((await stat(lockPath)).mtimeMs).toBe(lockTime);

    const listed = await sandbox.runJson(['list']);
    expect(listed.json.skills).toMatchObject([{ name: 'triage-bug', locked: { version: '0.1.0' }, inStore: true }]);

    const frozen = await sandbox.runJson(['install', '--frozen']);
    expect(frozen).toMatchObject({ code: 0, json: { ok: true, lockfileWritten: false, frozen: true } });
    expect(await readFile(lockPath, 'utf8')).toBe(lock);

    const overview = await sandbox.run([]);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/project manifest +skillsync\.yaml/);
    expect(overview.stdout).toContain('✓ triage-bug@0.1.0');
  });

  it('install --frozen fails when the manifest moved on, naming the fix', async () => {
    const lockPath = path.join(sandbox.work, 'skillsync.lock');
    const lock = await readFile(lockPath, 'utf8');
    await sandbox.run(['new', 'second', '--dir', 'skills']);
    await sandbox.run(['add', './skills/second']);
    const frozen = await sandbox.runJson(['install', '--frozen']);
    expect(frozen.code).toBe(1);
    expect(frozen.json).toMatchObject({ ok: false, problems: [expect.objectContaining({ code: 'LOCKFILE_OUT_OF_DATE' })] });
    expect(await readFile(lockPath, 'utf8')).toBe(lock);
    const text = await sandbox.run(['install', '--frozen']);
    expect(text.stdout).toMatch(/LOCKFILE_OUT_OF_DATE: .*\n {4}hint: Run `skillsync install`/);
    await sandbox.run(['remove', 'second']);
  });

  it('publishes to a directory registry, installs from it, and reports what is outdated', async () => {
    const published = await sandbox.runJson(['pack', 'skills/triage-bug', '--registry', 'registry', '--sign', 'keys/skillsync-signing.pem']);
    expect(published.code, JSON.stringify(published.json)).toBe(0);
    expect(published.json.published).toBe(path.join(sandbox.work, 'registry', 'triage-bug', 'triage-bug-0.1.0.tgz'));
    const twice = await sandbox.run(['pack', 'skills/triage-bug', '--registry', 'registry']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/VERSION_ALREADY_PUBLISHED.*already published/);

    await sandbox.run(['remove', 'triage-bug']);
    const added = await sandbox.runJson(['add', 'file:./registry#triage-bug@^0.1']);
    expect(added.json).toMatchObject({ ok: true, name: 'triage-bug', kind: 'registry', specifier: 'file:./registry#^0.1' });
    expect((await sandbox.runJson(['install'])).json).toMatchObject({ ok: true, lockfileWritten: true });
    expect(await readFile(path.join(sandbox.work, 'skillsync.lock'), 'utf8')).toContain('"resolved": "registry+file:./registry"');

    const current = await sandbox.runJson(['outdated']);
    expect(current).toMatchObject({ code: 0, json: { ok: true, skills: [{ name: 'triage-bug', current: '0.1.0', wanted: '0.1.0', latest: '0.1.0', outdated: false }] } });

    const skillMd = path.join(sandbox.work, 'skills', 'triage-bug', 'SKILL.md');
    await writeFile(skillMd, (await readFile(skillMd, 'utf8')).replace('version: "0.1.0"', 'version: "0.2.0"'));
    expect((await sandbox.run(['pack', 'skills/triage-bug', '--registry', 'registry'])).code).toBe(0);
    const behind = await sandbox.runJson(['outdated']);
    expect(behind).toMatchObject({ code: 1, json: { ok: false, skills: [{ name: 'triage-bug', current: '0.1.0', wanted: '0.1.0', latest: '0.2.0', outdated: true }] } });
    const text = await sandbox.run(['outdated']);
    expect(text.stdout).toMatch(/triage-bug +0\.1\.0 +0\.1\.0 +0\.2\.0/);
  });

  it('refuses a tampered store entry and a tampered registry package', async () => {
    const store = path.join(sandbox.skillsyncHome, 'data', 'store');
    const [entry] = (await readdir(path.join(store, 'v1'), { withFileTypes: true })).filter((item) => item.isDirectory());
    await writeFile(path.join(store, 'v1', entry!.name, 'SKILL.md'), 'tampered\n');
    const verified = await sandbox.runJson(['store', 'verify']);
    expect(verified.code).toBe(1);
    expect(verified.json).toMatchObject({ ok: false, repaired: false, corrupt: [expect.objectContaining({ reason: 'integrity-mismatch' })] });
    expect((await sandbox.runJson(['store', 'verify', '--repair'])).json).toMatchObject({ repaired: true });
    expect((await sandbox.runJson(['store', 'verify'])).json).toMatchObject({ ok: true });

    // A valid package with the locked name and version but other bytes: only the integrity tells.
    const skillMd = path.join(sandbox.work, 'skills', 'triage-bug', 'SKILL.md');
    await writeFile(skillMd, `${(await readFile(skillMd, 'utf8')).replace('version: "0.2.0"', 'version: "0.1.0"')}\nInjected line.\n`);
    expect((await sandbox.run(['pack', 'skills/triage-bug', '--out', 'evil'])).code).toBe(0);
    await writeFile(
      path.join(sandbox.work, 'registry', 'triage-bug', 'triage-bug-0.1.0.tgz'),
      await readFile(path.join(sandbox.work, 'evil', 'triage-bug-0.1.0.tgz')),
    );
    const lock = await readFile(path.join(sandbox.work, 'skillsync.lock'), 'utf8');
    const frozen = await sandbox.runJson(['install', '--frozen']);
    expect(frozen.code).toBe(1);
    expect(frozen.json).toMatchObject({ ok: false, problems: [expect.objectContaining({ code: 'INTEGRITY_MISMATCH' })] });
    const plain = await sandbox.run(['install']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('INTEGRITY_MISMATCH');
    expect(await readFile(path.join(sandbox.work, 'skillsync.lock'), 'utf8')).toBe(lock);
    expect((await sandbox.runJson(['store', 'verify'])).json).toMatchObject({ ok: true, checked: 0 });
  });

  it('add --user starts the user manifest, and install locks it next to it', async () => {
    const userManifest = path.join(sandbox.skillsyncHome, 'config', 'skillsync.yaml');
    const added = await sandbox.runJson(['add', '--user', path.join(sandbox.work, 'skills', 'second')], { cwd: sandbox.home });
    expect(added).toMatchObject({ code: 0, json: { ok: true, name: 'second', scope: 'user', file: userManifest } });
    const installed = await sandbox.runJson(['install'], { cwd: sandbox.home });
    expect(installed).toMatchObject({ code: 0, json: { ok: true, lockfile: path.join(sandbox.skillsyncHome, 'config', 'skillsync.lock') } });
    const overview = await sandbox.runJson([], { cwd: sandbox.home });
    expect(overview.json).toMatchObject({ manifests: { user: { found: true }, project: null }, skills: [{ name: 'second', inStore: true }] });
  });
});
