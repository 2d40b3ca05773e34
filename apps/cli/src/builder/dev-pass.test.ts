import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { scaffoldSkill, type Env, type SkillsyncPaths } from '@skillsync/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTempProject } from '../../../../test/support/temp-project.js';
import { createSkill } from './create-skill.js';
import { runDevPass } from './dev-pass.js';
import { writeSkillFolder } from './write-skill-folder.js';

describe('runDevPass', () => {
  const temp = useTempProject('skillsync-dev-pass-');
  let root: string;
  let project: string;
  let env: Env;
  let paths: SkillsyncPaths;
  beforeEach(() => {
    ({ root, project, env, paths } = temp());
  });

  it('previews a folder no manifest lists at the scope `add` would pick, and does not sync it', async () => {
    await writeFile(path.join(project, 'skillsync.yaml'), 'version: 1\nclients: [claude-code, cursor]\n');
    const dir = path.join(project, 'drafts', 'triage-bug');
    await writeSkillFolder(dir, scaffoldSkill({ name: 'triage-bug' }));
    const pass = await runDevPass({ env, paths, dir, sync: true });
    expect(pass).toMatchObject({ dir, name: 'triage-bug', version: '0.1.0', valid: true, findings: [], scope: 'project', manifest: undefined, projectRoot: project });
    expect(pass.landings.map((landing) => [landing.client, landing.path])).toEqual([
      ['claude-code', path.join(project, '.claude', 'skills', 'triage-bug', 'SKILL.md')],
      ['cursor', path.join(project, '.agents', 'skills', 'triage-bug', 'SKILL.md')],
    ]);
    expect(pass.sync).toEqual({ state: 'skipped', reason: expect.stringContaining('skillsync add') as unknown });
  });

  it('previews at user scope where there is no project, with the clients found', async () => {
    await writeFile(path.join(root, 'home', '.claude.json'), '{}\n');
    const dir = path.join(project, 'triage-bug');
    await writeSkillFolder(dir, scaffoldSkill({ name: 'triage-bug' }));
    const pass = await runDevPass({ env, paths, dir, sync: false });
    expect(pass).toMatchObject({ scope: 'user', projectRoot: undefined });
    expect(pass.landings.map((landing) => [landing.client, landing.path])).toEqual([['claude-code', path.join(root, 'home', '.claude', 'skills', 'triage-bug', 'SKILL.md')]]);
    expect(pass.sync).toBeUndefined();
  });

  it('reports what validate --strict finds, and still shows where the skill lands', async () => {
    await writeFile(path.join(project, 'skillsync.yaml'), 'version: 1\nclients: [claude-code]\n');
    const files = scaffoldSkill({ name: 'triage-bug' });
    const dir = path.join(project, 'triage-bug');
    await writeSkillFolder(dir, { ...files, 'SKILL.md': (files['SKILL.md'] ?? '').replace('name: triage-bug', 'name: triage-bug\nmodel: opus') });
    const pass = await runDevPass({ env, paths, dir, sync: false });
    expect(pass.valid).toBe(false);
    expect(pass.findings).toEqual([expect.objectContaining({ code: 'SKILL_UNKNOWN_FIELD', severity: 'error', line: 3, field: 'model' })]);
    expect(pass.landings).toHaveLength(1);
  });

  it('with sync, installs and syncs a listed skill on each pass, and skips one with errors', async () => {
    await writeFile(path.join(project, 'skillsync.yaml'), 'version: 1\nclients: [claude-code, cursor]\n');
    const created = await createSkill({ env, paths, scope: 'project', name: 'triage-bug', files: scaffoldSkill({ name: 'triage-bug' }) });
    const first = await runDevPass({ env, paths, dir: created.dir, sync: true });
    expect(first).toMatchObject({ manifest: created.manifest, sync: { state: 'synced', skillFoldersWritten: 2, problems: [], skipped: [] } });
    const landed = path.join(project, '.claude', 'skills', 'triage-bug', 'SKILL.md');

    const skillMd = path.join(created.dir, 'SKILL.md');
    await writeFile(skillMd, (await readFile(skillMd, 'utf8')).replace('# Triage Bug', '# Triage Bug, edited'));
    const second = await runDevPass({ env, paths, dir: created.dir, sync: true });
    expect(second.sync).toMatchObject({ state: 'synced', skillFoldersWritten: 2 });
    expect(await readFile(landed, 'utf8')).toContain('# Triage Bug, edited');

    const unchanged = await runDevPass({ env, paths, dir: created.dir, sync: true });
    expect(unchanged.sync).toEqual({ state: 'synced', runIds: [], filesWritten: 0, skillFoldersWritten: 0, skipped: [], problems: [], conflicts: [] });

    await writeFile(skillMd, (await readFile(skillMd, 'utf8')).replace(/^description: .*$/m, 'description: ""'));
    const broken = await runDevPass({ env, paths, dir: created.dir, sync: true });
    expect(broken.sync).toEqual({ state: 'skipped', reason: 'the skill has errors' });
    expect(await readFile(landed, 'utf8')).toContain('# Triage Bug, edited');
  });

  it('reports a skill folder someone else has in a client as a conflict, and leaves it alone', async () => {
    await writeFile(path.join(project, 'skillsync.yaml'), 'version: 1\nclients: [claude-code]\n');
    const foreign = path.join(project, '.claude', 'skills', 'triage-bug');
    await writeSkillFolder(foreign, { 'SKILL.md': 'not ours' });
    const created = await createSkill({ env, paths, scope: 'project', name: 'triage-bug', files: scaffoldSkill({ name: 'triage-bug' }) });
    const pass = await runDevPass({ env, paths, dir: created.dir, sync: true });
    expect(pass.sync).toMatchObject({ state: 'synced', skillFoldersWritten: 0, conflicts: [expect.objectContaining({ client: 'claude-code', status: 'conflict' })] });
    expect(await readFile(path.join(foreign, 'SKILL.md'), 'utf8')).toBe('not ours');
  });

  it('reports a failed install instead of throwing', async () => {
    await writeFile(path.join(project, 'skillsync.yaml'), 'version: 1\nclients: [claude-code]\nskills:\n  gone: ./nowhere\n  triage-bug: ./triage-bug\n');
    const dir = path.join(project, 'triage-bug');
    await writeSkillFolder(dir, scaffoldSkill({ name: 'triage-bug' }));
    const pass = await runDevPass({ env, paths, dir, sync: true });
    expect(pass.sync).toMatchObject({ state: 'failed', problems: [expect.objectContaining({ code: expect.any(String) as unknown })] });
  });
});
