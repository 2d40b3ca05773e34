import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEnv, parseLockfile, type Env, type SkillsyncPaths } from '@skillsync/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useTempProject } from '../../../../test/support/temp-project.js';
import type { SkillDraft } from '../daemon/contract.js';
import { createSkillFromDraft } from './create-skill.js';
import type * as WriteSkillFolder from './write-skill-folder.js';

/** Runs while the skill folder is written: between the first read of the manifest and its write, as a person's save can. */
const duringFolderWrite = vi.hoisted(() => ({ run: (): Promise<void> => Promise.resolve() }));

vi.mock('./write-skill-folder.js', async (importOriginal) => {
  const actual = await importOriginal<typeof WriteSkillFolder>();
  const writeSkillFolder: typeof actual.writeSkillFolder = async (...args) => {
    await duringFolderWrite.run();
    return actual.writeSkillFolder(...args);
  };
  return { ...actual, writeSkillFolder };
});

const draft: SkillDraft = {
  name: 'triage-bug',
  description: 'Triage a bug report. Use when a user files a bug.',
  extra: { metadata: { version: '1.2.0' }, license: 'MIT' },
  body: '# Triage a bug\n\n1. Reproduce it.\n',
};

// A manifest a person wrote: comments, blank lines and an odd indent that must all survive.
const manifestText = '# our team\nversion: 1\n\nskills:\n    # none yet\nconnectors: {}   # later\n';

describe('createSkillFromDraft', () => {
  const temp = useTempProject('skillsync-create-skill-');
  let project: string;
  let env: Env;
  let paths: SkillsyncPaths;
  beforeEach(() => {
    ({ project, env, paths } = temp());
  });

  it('writes the folder beside the manifest, adds it as a local source keeping every other byte, and installs it', async () => {
    await writeFile(path.join(project, 'skillsync.yaml'), manifestText);
    const created = await createSkillFromDraft(draft, { env, paths, scope: 'project' });
    const dir = path.join(project, 'skills', 'triage-bug');
    expect(created).toMatchObject({ name: 'triage-bug', dir, manifest: path.join(project, 'skillsync.yaml'), scope: 'project', version: '1.2.0', lockfileWritten: true, files: ['SKILL.md'] });
    expect(await readdir(dir)).toEqual(['SKILL.md']);
    expect(await readFile(path.join(dir, 'SKILL.md'), 'utf8')).toContain('license: MIT');

    const manifest = await readFile(path.join(project, 'skillsync.yaml'), 'utf8');
    const entry = '  triage-bug: ./skills/triage-bug\n';
    expect(manifest).toContain(entry);
    expect(manifest.replace(entry, '')).toBe(manifestText);

    const lockfile = parseLockfile(await readFile(created.lockfile, 'utf8'), { file: created.lockfile });
    expect(lockfile.skills['triage-bug']).toMatchObject({ version: '1.2.0' });
    expect(lockfile.packages['triage-bug@1.2.0']?.integrity).toMatch(/^sha512-/);
  });

  it('puts the folder under the given dir, relative to the current folder', async () => {
    await writeFile(path.join(project, 'skillsync.yaml'), manifestText);
    await mkdir(path.join(project, 'docs'));
    const created = await createSkillFromDraft(draft, { env: createEnv({ ...env, cwd: path.join(project, 'docs') }), paths, scope: 'project', dir: 'ai' });
    expect(created.dir).toBe(path.join(project, 'docs', 'ai', 'triage-bug'));
    expect(await readFile(path.join(project, 'skillsync.yaml'), 'utf8')).toContain('triage-bug: ./docs/ai/triage-bug\n');
  });

  it('creates the user manifest on first use, with the skill beside it', async () => {
    const created = await createSkillFromDraft(draft, { env, paths, scope: 'user' });
    expect(created.manifest).toBe(paths.userManifest);
    expect(created.dir).toBe(path.join(path.dirname(paths.userManifest), 'skills', 'triage-bug'));
    expect(await readFile(paths.userManifest, 'utf8')).toContain('triage-bug: ./skills/triage-bug\n');
  });

  it('keeps a save of the manifest made while the folder was written, adding the entry to it', async () => {
    const manifest = path.join(project, 'skillsync.yaml');
    await writeFile(manifest, manifestText);
    const saved = `${manifestText}# saved by a person meanwhile\n`;
    duringFolderWrite.run = () => writeFile(manifest, saved);
    try {
      await createSkillFromDraft(draft, { env, paths, scope: 'project' });
    } finally {
      duringFolderWrite.run = () => Promise.resolve();
    }
    const written = await readFile(manifest, 'utf8');
    expect(written).toContain('# saved by a person meanwhile\n');
    expect(written).toContain('  triage-bug: ./skills/triage-bug\n');
  });

  it('refuses a draft with errors, listing every finding, and writes nothing', async () => {
    await writeFile(path.join(project, 'skillsync.yaml'), manifestText);
    const refused = createSkillFromDraft({ ...draft, description: '', body: '' }, { env, paths, scope: 'project' });
    await expect(refused).rejects.toMatchObject({
      code: 'SKILL_DRAFT_INVALID',
      details: { findings: [expect.objectContaining({ code: 'SKILL_DESCRIPTION_MISSING', field: 'description' }), expect.objectContaining({ code: 'SKILL_BODY_EMPTY', field: 'body' })] },
    });
    expect(await readdir(project)).toEqual(['skillsync.yaml']);
    expect(await readFile(path.join(project, 'skillsync.yaml'), 'utf8')).toBe(manifestText);
  });

  it('refuses a name the manifest has already, before writing the folder', async () => {
    await writeFile(path.join(project, 'skillsync.yaml'), 'version: 1\nskills:\n  triage-bug: ^1.0.0\n');
    await expect(createSkillFromDraft(draft, { env, paths, scope: 'project' })).rejects.toMatchObject({ code: 'SKILL_ALREADY_ADDED' });
    expect(await readdir(project)).toEqual(['skillsync.yaml']);
  });

  it('refuses a folder that has files, and leaves the manifest alone', async () => {
    await writeFile(path.join(project, 'skillsync.yaml'), manifestText);
    await mkdir(path.join(project, 'skills', 'triage-bug'), { recursive: true });
    await writeFile(path.join(project, 'skills', 'triage-bug', 'notes.md'), 'mine');
    await expect(createSkillFromDraft(draft, { env, paths, scope: 'project' })).rejects.toMatchObject({ code: 'FILE_WRITE_FAILED' });
    expect(await readdir(path.join(project, 'skills', 'triage-bug'))).toEqual(['notes.md']);
    expect(await readFile(path.join(project, 'skillsync.yaml'), 'utf8')).toBe(manifestText);
  });

  it('needs a project manifest for the project scope', async () => {
    await expect(createSkillFromDraft(draft, { env, paths, scope: 'project' })).rejects.toMatchObject({ code: 'MANIFEST_NOT_FOUND' });
    expect(await readdir(project)).toEqual([]);
  });

  it('keeps the folder and the entry when the install fails, and says how to finish', async () => {
    // Another skill of the manifest cannot be installed: the new one is in place, not yet installed.
    await writeFile(path.join(project, 'skillsync.yaml'), 'version: 1\nskills:\n  gone: ./nowhere\n');
    await expect(createSkillFromDraft(draft, { env, paths, scope: 'project' })).rejects.toMatchObject({
      code: 'SKILL_INSTALL_FAILED',
      hint: expect.stringContaining('skillsync install') as unknown,
    });
    expect(await readdir(path.join(project, 'skills', 'triage-bug'))).toEqual(['SKILL.md']);
    expect(await readFile(path.join(project, 'skillsync.yaml'), 'utf8')).toContain('triage-bug: ./skills/triage-bug\n');
  });
});
