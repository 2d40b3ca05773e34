import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSkillFolder, validateSkillFolder } from './read-skill-folder.js';
import { validateSkill, type SkillFolderContents } from './validate-skill.js';

const skillMd = ['---', 'name: pdf', 'description: Reads PDFs.', 'metadata:', '  version: "1.0.0"', '---', '# PDF', '', 'See [forms](references/forms.md) and [gone](references/missing.md).', ''].join('\n');

function contents(texts: Record<string, string>, extraFiles: string[] = []): SkillFolderContents {
  return { dir: '/skills/pdf', files: [...Object.keys(texts), ...extraFiles].sort(), texts };
}

describe('validateSkill', () => {
  it('warns about links to files the folder does not have, at their line', () => {
    const report = validateSkill(contents({ 'SKILL.md': skillMd }, ['references/forms.md']), { mode: 'strict' });
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => [f.severity, f.code, f.line, f.file])).toEqual([['warning', 'SKILL_REFERENCE_MISSING', 9, path.join('/skills/pdf', 'SKILL.md')]]);
  });

  it('reports a folder without SKILL.md', () => {
    const report = validateSkill(contents({ 'README.md': '# x' }), { mode: 'lenient' });
    expect(report).toMatchObject({ ok: false, findings: [{ code: 'SKILL_MD_MISSING' }] });
    expect(report.skill).toBeUndefined();
  });

  it('accepts skill.md with a warning', () => {
    const report = validateSkill(contents({ 'skill.md': skillMd }, ['references/forms.md', 'references/missing.md']), { mode: 'strict' });
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => f.code)).toEqual(['SKILL_MD_LOWERCASE']);
  });

  it('attaches the sidecar and the evals, and checks skill_name', () => {
    const evals = JSON.stringify({ skill_name: 'pdf', evals: [{ id: 1, prompt: 'x' }] });
    const report = validateSkill(
      contents({ 'SKILL.md': skillMd, 'skillsync.skill.yaml': 'permissions: { shell: true }\n', 'evals/evals.json': evals }, ['references/forms.md', 'references/missing.md']),
      { mode: 'strict' },
    );
    expect(report.findings).toEqual([]);
    expect(report.skill?.sidecar).toEqual({ permissions: { shell: true }, tests: 'evals/evals.json' });
    expect(report.skill?.evals?.evals).toHaveLength(1);

    const wrongName = validateSkill(contents({ 'SKILL.md': skillMd, 'evals/evals.json': evals.replace('"pdf"', '"docx"') }, ['references/forms.md', 'references/missing.md']), {
      mode: 'lenient',
    });
    expect(wrongName.ok).toBe(false);
    expect(wrongName.findings.map((f) => f.code)).toEqual(['SKILL_EVALS_INVALID']);
  });

  it('keeps sidecar errors errors in lenient mode, and follows its tests path', () => {
    const report = validateSkill(contents({ 'SKILL.md': skillMd, 'skillsync.skill.yaml': 'premissions: {}\n' }, ['references/forms.md', 'references/missing.md']), {
      mode: 'lenient',
    });
    expect(report.ok).toBe(false);
    expect(report.skill).toBeDefined();
    const moved = validateSkill(contents({ 'SKILL.md': skillMd, 'skillsync.skill.yaml': 'tests: evals/other.json\n' }, ['references/forms.md', 'references/missing.md']), {
      mode: 'strict',
    });
    expect(moved.findings.map((f) => [f.severity, f.code])).toEqual([['warning', 'SKILL_EVALS_INVALID']]);
  });
});

describe('readSkillFolder and validateSkillFolder (on disk)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-skill-'));
    const dir = path.join(root, 'pdf');
    for (const sub of ['references', '.git', 'node_modules/x', '__pycache__', 'evals']) await mkdir(path.join(dir, sub), { recursive: true });
    await writeFile(path.join(dir, 'SKILL.md'), skillMd);
    await writeFile(path.join(dir, 'references/forms.md'), '# forms');
    await writeFile(path.join(dir, '.git/HEAD'), 'ref');
    await writeFile(path.join(dir, 'node_modules/x/index.js'), '');
    await writeFile(path.join(dir, '__pycache__/a.pyc'), '');
    await writeFile(path.join(dir, '.DS_Store'), '');
    await writeFile(path.join(dir, 'Thumbs.db'), '');
    await writeFile(path.join(dir, 'evals/evals.json'), JSON.stringify({ skill_name: 'pdf', evals: [] }));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists files without VCS data, dependencies and OS litter, and reads the three texts', async () => {
    const folder = await readSkillFolder(path.join(root, 'pdf'));
    expect(folder.files).toEqual(['SKILL.md', 'evals/evals.json', 'references/forms.md']);
    expect(Object.keys(folder.texts).sort()).toEqual(['SKILL.md', 'evals/evals.json']);
  });

  it('validates a folder end to end', async () => {
    const report = await validateSkillFolder(path.join(root, 'pdf'), { mode: 'strict' });
    expect(report.ok).toBe(true);
    expect(report.skill).toMatchObject({ name: 'pdf', version: '1.0.0' });
    expect(report.findings.map((f) => f.code)).toEqual(['SKILL_REFERENCE_MISSING']);
  });

  it('reports a missing folder as a finding, and readSkillFolder throws a coded error', async () => {
    const report = await validateSkillFolder(path.join(root, 'nope'), { mode: 'lenient' });
    expect(report).toMatchObject({ ok: false, findings: [{ code: 'FILE_NOT_FOUND' }] });
    await expect(readSkillFolder(path.join(root, 'nope'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(readSkillFolder(path.join(root, 'pdf', 'SKILL.md'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
