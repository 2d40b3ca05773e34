import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-sandbox.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox();
});

afterAll(async () => {
  await sandbox.cleanup();
});

async function write(relative: string, text: string): Promise<string> {
  const file = path.join(sandbox.root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

const rules = `@id("base")
permit (principal, action, resource);

// Only SRE may touch the production database.
forbid (principal, action, resource in Skillsync::Connector::"prod-db")
  unless { principal in Skillsync::Team::"sre" };
`;

const passing = `- name: developers may list issues
  principal: { user: ada, teams: [web] }
  action: callTool
  resource: { id: list_issues, connector: github }
  expect: allow
- name: only SRE queries production
  principal: { user: ada, teams: [web] }
  action: callTool
  resource: { id: query, connector: prod-db }
  expect: deny
  policies: [rules#1]
`;

describe('skillsync policy check (built CLI, temp HOME)', () => {
  it('with no policy files, checks the built-in default policy and exits 0', async () => {
    const { code, json } = await sandbox.runJson(['policy', 'check']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, sets: [{ builtIn: true, policies: 1, findings: [] }], summary: { errors: 0 } });
    expect((json.searched as string[]).map((dir) => path.relative(sandbox.root, dir))).toEqual([path.join('skillsync-home', 'config', 'policies'), path.join('work', '.skillsync', 'policies')]);
  });

  it('checks the user and project policy folders by default, and passes valid ones', async () => {
    await write('work/skillsync.yaml', 'version: 1\n');
    await write('work/.skillsync/policies/rules.cedar', rules);
    await write('skillsync-home/config/policies/user.cedar', 'forbid (principal, action == Skillsync::Action::"useSkill", resource == Skillsync::Skill::"legacy");\n');
    const text = await sandbox.run(['policy', 'check']);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toContain('✓ .skillsync/policies (project): 1 file, 2 policies');
    expect(text.stdout).toContain('2 policy sets valid: 0 errors, 0 warnings');
    // From a subfolder, the project folder is found next to the manifest.
    await mkdir(path.join(sandbox.work, 'sub'), { recursive: true });
    const { json } = await sandbox.runJson(['policy', 'check'], { cwd: 'sub' });
    expect(json).toMatchObject({ ok: true, sets: [{ scope: 'user', policies: 1 }, { scope: 'project', policies: 2 }] });
  });

  it('fails an invalid policy with exit 1 and file:line:column and Cedar\'s message', async () => {
    const bad = await write('bad/tools.cedar', `${rules}\nforbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Skill::"pdf");\nforbid (principal action, resource);\n`);
    const text = await sandbox.run(['policy', 'check', '../bad/tools.cedar']);
    expect(text.code, text.stdout + text.stderr).toBe(1);
    expect(text.stdout).toContain('✗ ../bad/tools.cedar');
    expect(text.stdout).toMatch(/\.\.\/bad\/tools\.cedar:9:19 {2}error POLICY_INVALID: unexpected token `action`/);
    expect(text.stdout).toContain('hint: Fix the policy at the reported file and line');

    await write('bad/tools.cedar', `${rules}\nforbid (principal, action, resource) when { context.user == "x" };\n`);
    const { code, json } = await sandbox.runJson(['policy', 'check', bad]);
    expect(code).toBe(1);
    const findings = (json.sets as { findings: Record<string, unknown>[] }[])[0]!.findings;
    expect(findings).toContainEqual(expect.objectContaining({ code: 'POLICY_INVALID', severity: 'error', file: bad, line: 8, policyId: 'tools#2' }));
    expect(json.summary).toMatchObject({ failed: 1 });

    // A policy that can never apply (callTool on a skill) is a warning: shown, but exit 0.
    await write('bad/tools.cedar', `${rules}\nforbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Skill::"pdf");\n`);
    const warned = await sandbox.run(['policy', 'check', bad]);
    expect(warned.code, warned.stdout).toBe(0);
    expect(warned.stdout).toMatch(/tools\.cedar:8:1 {2}warning POLICY_WARNING: for policy `tools#2`, unable to find an applicable action/);
    expect(warned.stdout).toContain('1 policy set valid: 0 errors, 2 warnings');
  });

  it('refuses a folder without policy files and a missing path', async () => {
    await mkdir(path.join(sandbox.root, 'empty'), { recursive: true });
    const empty = await sandbox.runJson(['policy', 'check', '../empty']);
    expect(empty.code).toBe(1);
    expect(JSON.stringify(empty.json)).toContain('POLICY_NOT_FOUND');
    const missing = await sandbox.runJson(['policy', 'check', '../nowhere.cedar']);
    expect(missing.code).toBe(1);
    expect(JSON.stringify(missing.json)).toContain('FILE_NOT_FOUND');
  });

  it('documents itself in --help with examples', async () => {
    const help = await sandbox.run(['policy', 'check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('skillsync policy check');
    expect(help.stdout).toContain('skillsync policy check .skillsync/policies/tools.cedar');
    const test = await sandbox.run(['policy', 'test', '--help']);
    expect(test.stdout).toMatch(/expect:\s+allow\|deny/);
  });
});

describe('skillsync policy test (built CLI, temp HOME)', () => {
  it('runs the test files next to the policies, prints each case, exits 0 when all pass', async () => {
    await write('suite/rules.cedar', rules);
    await write('suite/rules.cedar.test.yaml', passing);
    const text = await sandbox.run(['policy', 'test', '../suite']);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toContain('✓ developers may list issues (allow)');
    expect(text.stdout).toContain('✓ only SRE queries production (deny)');
    expect(text.stdout).toContain('2 tests passed');
  });

  it('exits 1 on a failing case, saying what was expected and where the case is', async () => {
    await write('suite/more.test.yaml', `- name: SRE may not query production
  principal: { user: sam, teams: [sre] }
  action: callTool
  resource: { id: query, connector: prod-db }
  expect: deny
`);
    const text = await sandbox.run(['policy', 'test', '../suite']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('✗ SRE may not query production: expected deny, got allow (by base)');
    expect(text.stdout).toContain('at ../suite/more.test.yaml:1');
    expect(text.stdout).toContain('3 tests: 2 passed, 1 failed');
    const { code, json } = await sandbox.runJson(['policy', 'test', '../suite/more.test.yaml']);
    expect(code).toBe(1);
    expect(json).toMatchObject({ ok: false, summary: { tests: 1, passed: 0, failed: 1 } });
  });

  it('exits 1 with the line when a test file is malformed, or the policies are invalid', async () => {
    await write('broken/rules.cedar', rules);
    await write('broken/policy-tests.yaml', '- name: typo\n  principal: { user: a }\n  action: callTool\n  resource: { id: t }\n  expected: allow\n');
    const text = await sandbox.run(['policy', 'test', '../broken']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/policy-tests\.yaml:5 {2}error POLICY_TEST_INVALID: test 1 `expected`: unknown key/);

    await write('invalid/rules.cedar', 'permit (principal, action == Skillsync::Action::"nope", resource);\n');
    await write('invalid/policy-tests.yaml', passing);
    const invalid = await sandbox.run(['policy', 'test', '../invalid']);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/rules\.cedar:1:30 {2}error POLICY_INVALID/);
  });

  it('runs the default folders\' tests when no path is given', async () => {
    await write('work/.skillsync/policies/rules.cedar.test.yaml', passing);
    const { code, json } = await sandbox.runJson(['policy', 'test']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, sets: [{ scope: 'project', results: [{ ok: true }, { ok: true }] }], summary: { tests: 2, passed: 2 } });
  });
});
