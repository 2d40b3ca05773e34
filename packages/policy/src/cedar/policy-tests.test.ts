import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isSkillsyncError } from '@skillsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyEngine } from './engine.js';
import { loadPolicyFiles } from './policy-files.js';
import { findPolicyTestFiles, isPolicyTestFile, loadPolicyTests, parsePolicyTests, runPolicyTests } from './policy-tests.js';
import { DEFAULT_POLICY_FILE } from './schema.js';

const tests = `
- name: anyone may list issues
  principal: { user: ada }
  action: callTool
  resource: { id: list_issues, connector: github }
  expect: allow
- name: nobody deletes repositories
  principal: { user: ada, roles: [admin] }
  action: callTool
  resource: { type: Tool, id: delete_repository, connector: github }
  context: { client: cursor }
  expect: deny
  policies: [no-delete#0]
- name: reading /etc is refused
  principal: { user: ada }
  action: callTool
  resource: { id: read_file, connector: filesystem }
  context: { client: cursor, arguments: { path: /etc/passwd } }
  expect: deny
`;

const policies = [
  DEFAULT_POLICY_FILE,
  { id: 'no-delete', text: 'forbid (principal, action, resource == Skillsync::Tool::"github/delete_repository");' },
  {
    id: 'fs',
    text: 'forbid (principal, action, resource in Skillsync::Connector::"filesystem") when { context has arguments && context.arguments.hasTag("path") && context.arguments.getTag("path") like "/etc/*" };',
  },
];

function thrownBy(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isSkillsyncError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a SkillsyncError');
}

describe('parsePolicyTests and runPolicyTests', () => {
  it('parses cases with their lines and defaults, and passes when the policies agree', () => {
    const cases = parsePolicyTests(tests, { file: 'rules.cedar.test.yaml' });
    expect(cases).toHaveLength(3);
    expect(cases[0]).toMatchObject({ name: 'anyone may list issues', resource: { type: 'Tool', id: 'list_issues', connector: 'github' }, context: { client: 'test' }, line: 2 });
    expect(cases[1]).toMatchObject({ line: 7, policies: ['no-delete#0'] });
    const report = runPolicyTests(createPolicyEngine({ policies }), cases);
    expect(report).toMatchObject({ ok: true, passed: 3, failed: 0 });
    expect(report.results.map((result) => result.decision)).toEqual(['allow', 'deny', 'deny']);
  });

  it('fails a case on another decision, or on other deciding policies, saying why', () => {
    const engine = createPolicyEngine({ policies: [DEFAULT_POLICY_FILE] });
    const report = runPolicyTests(engine, parsePolicyTests(tests, { file: 't.yaml' }));
    expect(report).toMatchObject({ ok: false, passed: 1, failed: 2 });
    expect(report.results[1]).toMatchObject({ ok: false, failure: 'expected deny, got allow (by default-permit-all)', file: 't.yaml', line: 7 });

    const wrongPolicy = parsePolicyTests(tests.replace('policies: [no-delete#0]', 'policies: [fs#0]'));
    const second = runPolicyTests(createPolicyEngine({ policies }), wrongPolicy).results[1];
    expect(second).toMatchObject({ ok: false, failure: 'expected deny by fs#0, got it by no-delete#0' });

    const denyAll = createPolicyEngine({ policies: [] });
    expect(runPolicyTests(denyAll, parsePolicyTests(tests)).results[0]).toMatchObject({ failure: 'expected allow, got deny (no permit matched)' });
  });

  it('refuses malformed test files with POLICY_TEST_INVALID and the line', () => {
    expect(thrownBy(() => parsePolicyTests('- name: x\n  principal: { user: a }\n  action: callTool\n  resource: { id: t }\n  expected: deny\n', { file: 'f.yaml' }))).toEqual({
      code: 'POLICY_TEST_INVALID',
      message: 'f.yaml:5: test 1 `expected`: unknown key (expected one of name, principal, action, resource, context, expect, policies).',
    });
    expect(thrownBy(() => parsePolicyTests('- name: x\n  principal: { user: a }\n  action: fly\n  resource: { id: t }\n  expect: deny\n', { file: 'f.yaml' })).message).toMatch(
      /^f\.yaml:3: test 1 `action`: must be one of callTool/,
    );
    expect(thrownBy(() => parsePolicyTests('- name: x\n  principal: { user: a }\n  action: useSkill\n  resource: { type: Tool, id: t }\n  expect: deny\n')).message).toMatch(
      /`resource\.type`: useSkill applies to Skill, not Tool/,
    );
    expect(thrownBy(() => parsePolicyTests('- name: [unclosed\n', { file: 'f.yaml' })).message).toMatch(/^f\.yaml:\d+: Invalid YAML/);
    expect(thrownBy(() => parsePolicyTests('name: not a list\n')).message).toMatch(/a YAML list/);
    expect(thrownBy(() => parsePolicyTests('- name: x\n  principal: { user: a }\n  action: callTool\n  resource: { id: t }\n  expect: maybe\n')).message).toMatch(/`expect`: must be allow or deny/);
    expect(parsePolicyTests('')).toEqual([]);
  });

  it('ends in cases or a coded error for arbitrary input', () => {
    for (const text of ['- 1', '- null', '[]', '- { name: a, principal: 3 }', '&a [*a]', '- name: a\n  principal: { user: a, teams: [1] }', '\u0000\u0001', '- !!binary x']) {
      try {
        expect(Array.isArray(parsePolicyTests(text))).toBe(true);
      } catch (error) {
        expect(isSkillsyncError(error) && error.code === 'POLICY_TEST_INVALID').toBe(true);
      }
    }
  });
});

describe('loadPolicyFiles and test discovery', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-policy-'));
    await mkdir(path.join(dir, 'nested.cedar'));
    await writeFile(path.join(dir, 'b.cedar'), 'permit (principal, action, resource);\n');
    await writeFile(path.join(dir, 'a.cedar'), 'forbid (principal, action, resource) when { context.client == "x" };\n');
    await writeFile(path.join(dir, 'notes.txt'), 'not a policy');
    await writeFile(path.join(dir, 'a.cedar.test.yaml'), tests);
    await writeFile(path.join(dir, 'policy-tests.yml'), '[]');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the *.cedar files of a folder in name order, with ids from their names', async () => {
    const files = await loadPolicyFiles(dir);
    expect(files.map((file) => [file.id, path.basename(file.file ?? '')])).toEqual([
      ['a', 'a.cedar'],
      ['b', 'b.cedar'],
    ]);
    const prefixed = await loadPolicyFiles([path.join(dir, 'b.cedar')], { idPrefix: 'user:' });
    expect(prefixed.map((file) => file.id)).toEqual(['user:b']);
    expect(createPolicyEngine({ policies: files }).policyIds).toEqual(['a#0', 'b#0']);
  });

  it('reports a missing path and an oversized file with codes', async () => {
    await expect(loadPolicyFiles(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const big = path.join(dir, 'big.cedar');
    await writeFile(big, `// ${'x'.repeat(1024 * 1024)}\n`);
    await expect(loadPolicyFiles(big)).rejects.toMatchObject({ code: 'POLICY_INVALID' });
    await rm(big);
  });

  it('finds the test files of a folder', async () => {
    expect((await findPolicyTestFiles(dir)).map((file) => path.basename(file))).toEqual(['a.cedar.test.yaml', 'policy-tests.yml']);
    expect(isPolicyTestFile('/x/rules.test.yml')).toBe(true);
    expect(isPolicyTestFile('/x/rules.cedar')).toBe(false);
    expect(await loadPolicyTests(path.join(dir, 'a.cedar.test.yaml'))).toHaveLength(3);
  });
});
