import { describe, expect, it } from 'vitest';
import { parseSkillSidecar, skillSidecarJsonSchema, SKILL_SIDECAR_SCHEMA_ID } from './skill-sidecar.js';

const full = `# comment
inputs:
  type: object
  properties:
    path: { type: string }
  required: [path]
requires:
  skills:
    pdf: ^1.2.0
  connectors:
    github:
      tools: [create_issue]
      description: Files issues.
permissions:
  network: [api.github.com, "*.example.com", "localhost:8080"]
  filesystem: read
  shell: false
  secrets: [GITHUB_TOKEN]
tests: evals/cases.json
`;

describe('parseSkillSidecar', () => {
  it('reads a full sidecar', () => {
    const { sidecar, findings } = parseSkillSidecar(full);
    expect(findings).toEqual([]);
    expect(sidecar).toEqual({
      inputs: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
      requires: { skills: { pdf: '^1.2.0' }, connectors: { github: { tools: ['create_issue'], description: 'Files issues.' } } },
      permissions: { network: ['api.github.com', '*.example.com', 'localhost:8080'], filesystem: 'read', shell: false, secrets: ['GITHUB_TOKEN'] },
      tests: 'evals/cases.json',
    });
  });

  it('fills the default tests path, also for an empty file', () => {
    expect(parseSkillSidecar('').sidecar).toEqual({ tests: 'evals/evals.json' });
    expect(parseSkillSidecar('permissions: { shell: true }').sidecar?.tests).toBe('evals/evals.json');
  });

  it('refuses unknown keys at any depth with a "did you mean" and the line', () => {
    const { sidecar, findings } = parseSkillSidecar('requires:\n  skils: {}\npermisions: {}\nwhatever: 1\n');
    expect(sidecar).toBeUndefined();
    expect(findings.map((f) => [f.code, f.field, f.line])).toEqual([
      ['SKILL_SIDECAR_INVALID', 'requires.skils', 2],
      ['SKILL_SIDECAR_INVALID', 'permisions', 3],
      ['SKILL_SIDECAR_INVALID', 'whatever', 4],
    ]);
    expect(findings[0]?.message).toContain('did you mean `skills`?');
    expect(findings[1]?.message).toContain('did you mean `permissions`?');
    expect(findings[2]?.message).not.toContain('did you mean');
    expect(findings[2]?.hint).toContain('permissions');
  });

  it.each([
    ['a bad semver range', 'requires:\n  skills:\n    pdf: not-a-range\n', 'requires.skills.pdf'],
    ['a bad skill name', 'requires:\n  skills:\n    Bad_Name: ^1\n', 'requires.skills.Bad_Name'],
    ['a bad filesystem level', 'permissions:\n  filesystem: rw\n', 'permissions.filesystem'],
    ['a host with a path', 'permissions:\n  network: [https://x.com/a]\n', 'permissions.network.0'],
    ['a secret value instead of a name', 'permissions:\n  secrets: ["ghp_123 456"]\n', 'permissions.secrets.0'],
    ['shell as a string', 'permissions:\n  shell: "yes"\n', 'permissions.shell'],
    ['tests outside the skill', 'tests: ../x.json\n', 'tests'],
    ['inputs that are not an object schema', 'inputs:\n  type: string\n', 'inputs.type'],
    ['an unknown connector key', 'requires:\n  connectors:\n    gh: { tool: [a] }\n', 'requires.connectors.gh.tool'],
  ])('refuses %s', (_, text, field) => {
    const { findings } = parseSkillSidecar(text);
    expect(findings.map((f) => f.field)).toEqual([field]);
    expect(findings[0]?.line).toBeGreaterThan(0);
  });

  it('reports YAML syntax errors and a non-mapping file', () => {
    expect(parseSkillSidecar('a: [').findings[0]?.code).toBe('SKILL_SIDECAR_INVALID');
    expect(parseSkillSidecar('- a\n').findings.map((f) => f.code)).toEqual(['SKILL_SIDECAR_INVALID']);
  });
});

describe('skillSidecarJsonSchema', () => {
  it('has an $id, descriptions and refuses unknown keys', () => {
    const schema = skillSidecarJsonSchema();
    expect(schema.$id).toBe(SKILL_SIDECAR_SCHEMA_ID);
    expect(schema.additionalProperties).toBe(false);
    expect(typeof schema.description).toBe('string');
    const properties = schema.properties as Record<string, { description?: string; default?: unknown }>;
    expect(Object.keys(properties)).toEqual(['$schema', 'inputs', 'requires', 'permissions', 'tests']);
    for (const property of Object.values(properties)) expect(property.description).toBeTruthy();
    expect(properties.tests?.default).toBe('evals/evals.json');
  });
});
