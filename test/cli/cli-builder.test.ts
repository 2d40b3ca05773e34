import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/mcp/harness.js';
import { cliBin, createSandbox, isolatedEnv, type Sandbox } from './cli-sandbox.js';

/** `skillsync dev` left running, its stdout read line by line as it comes. */
interface Watching {
  /** The next line not read yet, without its newline. */
  readonly nextLine: () => Promise<string>;
  /** Sends SIGINT and resolves with the exit code and what stdout had left. */
  readonly interrupt: () => Promise<{ code: number | null; rest: string; stderr: string }>;
}

/**
 * JOURNEYS.md §4 through the built CLI: an author creates a skill and adds it in one
 * step, syncs it into Claude Code and Cursor, and works on it with `skillsync dev`.
 */
describe('the skill builder: new --add and dev (built CLI, temp HOME)', () => {
  let sandbox: Sandbox;
  const running: ChildProcessWithoutNullStreams[] = [];
  const skillDir = (): string => path.join(sandbox.work, 'skills', 'triage-bug');

  beforeAll(async () => {
    sandbox = await createSandbox();
    // Claude Code and Cursor are installed for this user.
    await writeFile(path.join(sandbox.home, '.claude.json'), '{}\n');
    await mkdir(path.join(sandbox.home, '.cursor'));
  });

  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  afterAll(async () => {
    await sandbox.cleanup();
  });

  /** Saves as editors do: the whole new text renamed over the file, so no pass can see it half-written. */
  async function save(file: string, text: string): Promise<void> {
    const temp = path.join(sandbox.root, 'saving.tmp');
    await writeFile(temp, text);
    await rename(temp, file);
  }

  function watch(args: readonly string[]): Watching {
    const child = spawn(process.execPath, [cliBin, ...args], {
      cwd: sandbox.work,
      env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome },
    });
    running.push(child);
    let stdout = '';
    let stderr = '';
    let read = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    return {
      nextLine: async () => {
        await waitFor(() => stdout.indexOf('\n', read) !== -1 || child.exitCode !== null, 30_000, `a line from skillsync dev (stderr: ${stderr})`);
        const end = stdout.indexOf('\n', read);
        if (end === -1) throw new Error(`skillsync dev exited (${String(child.exitCode)}): ${stderr}`);
        const line = stdout.slice(read, end);
        read = end + 1;
        return line;
      },
      interrupt: async () => {
        child.kill('SIGINT');
        const code = await exited;
        return { code, rest: stdout.slice(read), stderr };
      },
    };
  }

  it('new --add refuses without a project manifest, and writes nothing', async () => {
    const refused = await sandbox.run(['new', 'triage-bug', '--add']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error MANIFEST_NOT_FOUND: /);
    expect(await readdir(sandbox.work)).toEqual([]);

    const usage = await sandbox.run(['new', 'triage-bug', '--user']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--add');
    expect(await readdir(sandbox.work)).toEqual([]);
  });

  it('new --add creates, adds and installs in one step; sync lands the skill in Claude Code and Cursor', async () => {
    expect((await sandbox.run(['init'])).code).toBe(0);
    const manifestFile = path.join(sandbox.work, 'skillsync.yaml');
    const manifestBefore = await readFile(manifestFile, 'utf8');

    const created = await sandbox.runJson(['new', 'triage-bug', '--add', '--description', 'Triage a bug report. Use when a user files a bug.']);
    expect(created.code).toBe(0);
    expect(created.json).toMatchObject({
      ok: true,
      name: 'triage-bug',
      dir: skillDir(),
      files: ['SKILL.md', 'evals/evals.json', 'skillsync.skill.yaml'],
      added: { manifest: manifestFile, scope: 'project', version: '0.1.0', lockfile: path.join(sandbox.work, 'skillsync.lock'), lockfileWritten: true },
    });
    // One line added under `skills:`, every other byte as it was.
    const manifestAfter = await readFile(manifestFile, 'utf8');
    expect(manifestAfter.replace('  triage-bug: ./skills/triage-bug\n', '')).toBe(manifestBefore.replace(/^skills: \{\}$/m, 'skills:'));
    expect(await readFile(path.join(sandbox.work, 'skillsync.lock'), 'utf8')).toContain('triage-bug@0.1.0');

    const text = await sandbox.run(['new', 'review-pr', '--add', '--dir', 'more']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('added review-pr to skillsync.yaml and installed review-pr@0.1.0');
    expect(text.stdout).toContain('skillsync sync');
    expect(await readFile(manifestFile, 'utf8')).toContain('review-pr: ./more/review-pr\n');

    const synced = await sandbox.run(['sync']);
    expect(synced.code).toBe(0);
    const source = await readFile(path.join(skillDir(), 'SKILL.md'), 'utf8');
    expect(await readFile(path.join(sandbox.work, '.claude', 'skills', 'triage-bug', 'SKILL.md'), 'utf8')).toBe(source);
    expect(await readFile(path.join(sandbox.work, '.agents', 'skills', 'triage-bug', 'SKILL.md'), 'utf8')).toBe(source);
    expect((await sandbox.run(['status', '--json'])).code).toBe(0);
  });

  it('new --add refuses a name the manifest has already', async () => {
    const again = await sandbox.run(['new', 'triage-bug', '--add', '--dir', 'elsewhere']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error SKILL_ALREADY_ADDED: /);
    expect(await readdir(sandbox.work)).not.toContain('elsewhere');
  });

  it('dev --once reports a clean skill and where it lands (exit 0), and a broken one (exit 1)', async () => {
    const clean = await sandbox.runJson(['dev', 'skills/triage-bug', '--once']);
    expect(clean.code).toBe(0);
    expect(clean.json).toMatchObject({ ok: true, valid: true, findings: [], scope: 'project', manifest: path.join(sandbox.work, 'skillsync.yaml') });
    expect(clean.json.landings).toEqual([
      { client: 'claude-code', scope: 'project', path: path.join(sandbox.work, '.claude', 'skills', 'triage-bug', 'SKILL.md') },
      { client: 'cursor', scope: 'project', path: path.join(sandbox.work, '.agents', 'skills', 'triage-bug', 'SKILL.md') },
    ]);

    const inside = await sandbox.run(['dev', '--once'], { cwd: 'skills/triage-bug' });
    expect(inside.code).toBe(0);
    expect(inside.stdout).toContain('✓ triage-bug@0.1.0 (.): valid (strict)');
    expect(inside.stdout).toMatch(/claude-code {2}\.\/\.claude\/skills\/triage-bug\/SKILL\.md/);

    expect((await sandbox.run(['new', 'broken'])).code).toBe(0);
    const skillMd = path.join(sandbox.work, 'broken', 'SKILL.md');
    await writeFile(skillMd, (await readFile(skillMd, 'utf8')).replace('name: broken', 'name: broken\nuser-invocable: true').replace(/^description: .*$/m, 'description: ""'));
    const broken = await sandbox.runJson(['dev', 'broken', '--once']);
    expect(broken.code).toBe(1);
    expect(broken.json).toMatchObject({ ok: false, valid: false });
    expect(broken.json).not.toHaveProperty('manifest');
    expect((broken.json.findings as { code: string }[]).map((finding) => finding.code)).toEqual(['SKILL_UNKNOWN_FIELD', 'SKILL_DESCRIPTION_MISSING']);

    const missing = await sandbox.run(['dev', 'nowhere', '--once']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error FILE_NOT_FOUND: /);
  });

  it('dev --sync --json watches: one JSON line per save, each good save synced into the clients, Ctrl-C exits 0', async () => {
    const dev = watch(['dev', 'skills/triage-bug', '--sync', '--json']);
    const first = JSON.parse(await dev.nextLine()) as Record<string, unknown>;
    expect(first).toMatchObject({ ok: true, valid: true, changed: true, sync: { state: 'synced', runIds: [] } });

    const skillMd = path.join(skillDir(), 'SKILL.md');
    const landed = path.join(sandbox.work, '.claude', 'skills', 'triage-bug', 'SKILL.md');
    const edited = (await readFile(skillMd, 'utf8')).replace('# Triage Bug', '# Triage Bug, step by step');
    await save(skillMd, edited);
    const second = JSON.parse(await dev.nextLine()) as Record<string, unknown>;
    expect(second).toMatchObject({ ok: true, changed: true, sync: { state: 'synced', skillFoldersWritten: 2 } });
    expect(await readFile(landed, 'utf8')).toBe(edited);

    await save(skillMd, edited.replace('name: triage-bug', 'name: triage-bug\nmodel: opus'));
    const third = JSON.parse(await dev.nextLine()) as Record<string, unknown>;
    expect(third).toMatchObject({ ok: false, valid: false, changed: true, sync: { state: 'skipped', reason: 'the skill has errors' } });
    expect(third.findings).toEqual([expect.objectContaining({ code: 'SKILL_UNKNOWN_FIELD', field: 'model' })]);
    expect(await readFile(landed, 'utf8')).toBe(edited);

    // Saved again without a change: still a line, marked unchanged.
    await save(skillMd, edited.replace('name: triage-bug', 'name: triage-bug\nmodel: opus'));
    expect(JSON.parse(await dev.nextLine())).toMatchObject({ ok: false, changed: false });

    const stopped = await dev.interrupt();
    expect(stopped).toMatchObject({ code: 0, rest: '', stderr: '' });
  });

  it('dev in text mode prints the findings of a save, and one line when a save changes nothing', async () => {
    const skillMd = path.join(skillDir(), 'SKILL.md');
    const dev = watch(['dev', 'skills/triage-bug']);
    expect(await dev.nextLine()).toBe('✗ triage-bug@0.1.0 (skills/triage-bug): 1 error, 0 warnings');
    await save(skillMd, (await readFile(skillMd, 'utf8')).replace('\nmodel: opus', ''));
    let line = await dev.nextLine();
    while (!line.startsWith('✓')) line = await dev.nextLine();
    expect(line).toBe('✓ triage-bug@0.1.0 (skills/triage-bug): valid (strict)');
    await save(skillMd, await readFile(skillMd, 'utf8'));
    while (!line.includes('nothing changed')) line = await dev.nextLine();
    expect(line).toBe('triage-bug@0.1.0: saved, nothing changed (0 errors, 0 warnings)');
    expect((await dev.interrupt()).code).toBe(0);
  });
});
