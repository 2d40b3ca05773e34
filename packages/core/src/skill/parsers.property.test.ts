import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isErrorCode } from '../errors/index.js';
import { parseSkillEvals } from './skill-evals.js';
import type { SkillFinding } from './skill-finding.js';
import { findSkillReferences } from './skill-references.js';
import { parseSkillSidecar } from './skill-sidecar.js';

function expectWellFormed(findings: readonly SkillFinding[]): void {
  for (const finding of findings) {
    expect(isErrorCode(finding.code)).toBe(true);
    expect(finding.hint.length).toBeGreaterThan(0);
  }
}

const yamlish = fc.oneof(
  fc.string(),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.array(fc.constantFrom('requires:', '  skills:', '    a: ^1', 'permissions: {shell: 1}', 'tests: ../x', '- x', '&a *a', 'inputs: {type: object}', '\t'), { maxLength: 8 }).map((lines) => lines.join('\n')),
);

describe('outside-input parsers never throw (property)', () => {
  it('parseSkillSidecar returns a sidecar or findings with catalogue codes', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const result = parseSkillSidecar(text);
        expect(result.sidecar !== undefined || result.findings.length > 0).toBe(true);
        expectWellFormed(result.findings);
      }),
      { numRuns: 400 },
    );
  });

  it('parseSkillEvals returns evals or findings with catalogue codes', () => {
    const evalsish = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.record({ skill_name: fc.string(), evals: fc.array(fc.record({ id: fc.oneof(fc.integer(), fc.string()), prompt: fc.string() })) }).map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(evalsish, fc.option(fc.string(), { nil: undefined }), (text, skillName) => {
        const result = parseSkillEvals(text, { skillName });
        expect(result.evals !== undefined || result.findings.length > 0).toBe(true);
        expectWellFormed(result.findings);
      }),
      { numRuns: 400 },
    );
  });

  it('findSkillReferences returns relative paths inside lines of the body', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1000 }), (body, start) => {
        const lineCount = body.split(/\r\n|\n|\r/).length;
        for (const reference of findSkillReferences(body, start)) {
          expect(reference.line).toBeGreaterThanOrEqual(start);
          expect(reference.line).toBeLessThan(start + lineCount);
          expect(reference.path.startsWith('/')).toBe(false);
        }
      }),
    );
  });
});
