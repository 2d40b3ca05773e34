import { describe, expect, it } from 'vitest';
import { parseSkillEvals } from './skill-evals.js';
import { parseSkillSidecar } from './skill-sidecar.js';
import { scaffoldSkill } from './scaffold-skill.js';
import { validateSkill } from './validate-skill.js';

describe('scaffoldSkill', () => {
  it('produces a skill that passes strict validation with no findings at all', () => {
    const files = scaffoldSkill({ name: 'release-notes' });
    expect(Object.keys(files).sort()).toEqual(['SKILL.md', 'evals/evals.json', 'skillsync.skill.yaml']);
    const report = validateSkill({ dir: '/work/skills/release-notes', files: Object.keys(files).sort(), texts: files }, { mode: 'strict' });
    expect(report.findings).toEqual([]);
    expect(report.skill).toMatchObject({ name: 'release-notes', version: '0.1.0' });
    expect(report.skill?.sidecar?.permissions).toEqual({ network: [], filesystem: 'read', shell: false, secrets: [] });
    expect(report.skill?.evals?.evals).toHaveLength(1);
    expect(files['SKILL.md']).toMatch(/## Instructions/);
  });

  it('quotes descriptions that YAML would misread, and uses the given version', () => {
    const description = 'Drafts notes: use when asked "what changed?" # not a comment';
    const files = scaffoldSkill({ name: 'notes', description, version: '1.2.3' });
    const report = validateSkill({ dir: 'notes', files: Object.keys(files), texts: files }, { mode: 'strict' });
    expect(report.findings).toEqual([]);
    expect(report.skill?.description).toBe(description);
    expect(report.skill?.version).toBe('1.2.3');
    expect(parseSkillSidecar(files['skillsync.skill.yaml']!).findings).toEqual([]);
    expect(parseSkillEvals(files['evals/evals.json']!, { skillName: 'notes' }).findings).toEqual([]);
  });

  it('refuses inputs that could never validate', () => {
    expect(() => scaffoldSkill({ name: 'Bad Name' })).toThrow(expect.objectContaining({ code: 'SKILL_NAME_INVALID' }));
    expect(() => scaffoldSkill({ name: 'ok', description: 'has <tags>' })).toThrow(expect.objectContaining({ code: 'SKILL_DESCRIPTION_INVALID' }));
    expect(() => scaffoldSkill({ name: 'ok', version: '1' })).toThrow(expect.objectContaining({ code: 'SKILL_VERSION_INVALID' }));
  });
});
