import { describe, expect, it } from 'vitest';
import { parseSkillEvals } from './skill-evals.js';

const valid = JSON.stringify(
  {
    skill_name: 'pdf',
    evals: [
      { id: 1, prompt: 'Fill the form', expected_output: 'A filled PDF', files: ['evals/files/a.pdf'], assertions: ['has a name'] },
      { id: 'two', prompt: 'Merge', expectations: ['merged'], runner_extra: true },
    ],
  },
  null,
  2,
);

describe('parseSkillEvals', () => {
  it('reads the convention, keeping extra keys, with assertions or expectations', () => {
    const { evals, findings } = parseSkillEvals(valid, { skillName: 'pdf' });
    expect(findings).toEqual([]);
    expect(evals?.evals).toHaveLength(2);
    expect(evals?.evals[1]).toMatchObject({ id: 'two', runner_extra: true });
  });

  it('requires skill_name to equal the skill name, pointing at its line', () => {
    const { findings } = parseSkillEvals(valid, { skillName: 'docx' });
    expect(findings.map((f) => [f.code, f.field, f.line])).toEqual([['SKILL_EVALS_INVALID', 'skill_name', 2]]);
  });

  it('reports missing fields with their path and line', () => {
    const text = '{\n  "skill_name": "pdf",\n  "evals": [\n    { "id": 1 }\n  ]\n}';
    const { evals, findings } = parseSkillEvals(text);
    expect(evals).toBeUndefined();
    expect(findings.map((f) => [f.field, f.line])).toEqual([['evals.0.prompt', 4]]);
  });

  it('reports duplicate ids', () => {
    const text = JSON.stringify({ skill_name: 'pdf', evals: [{ id: 1, prompt: 'a' }, { id: 1, prompt: 'b' }] });
    expect(parseSkillEvals(text).findings.map((f) => f.field)).toEqual(['evals.1.id']);
  });

  it('reports invalid JSON with a line when the parser gives a position', () => {
    const { findings } = parseSkillEvals('{\n  "skill_name": "pdf",\n  "evals": [,]\n}');
    expect(findings.map((f) => f.code)).toEqual(['SKILL_EVALS_INVALID']);
    expect(findings[0]?.message).toMatch(/Invalid JSON/);
  });

  it('refuses a file that is not an object', () => {
    expect(parseSkillEvals('[]').findings.map((f) => f.code)).toEqual(['SKILL_EVALS_INVALID']);
  });
});
