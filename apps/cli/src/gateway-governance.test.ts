import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, skillsyncPaths, type Env } from '@skillsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareGovernance, principalOf, type GovernanceOptions } from './gateway-governance.js';
import { orgProfileCacheFile } from './org-profiles.js';

const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function world(): Promise<{ env: Env; userPolicies: string; projectPolicies: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-governance-'));
  dirs.push(root);
  const project = path.join(root, 'project');
  await mkdir(project, { recursive: true });
  await writeFile(path.join(project, 'skillsync.yaml'), 'version: 1\n');
  const env = createEnv({ home: path.join(root, 'home'), cwd: project, vars: { SKILLSYNC_HOME: path.join(root, 'skillsync-home'), USER: 'ada' } });
  return { env, userPolicies: path.join(skillsyncPaths(env).config, 'policies'), projectPolicies: path.join(project, '.skillsync', 'policies') };
}

function options(env: Env, extra: Partial<GovernanceOptions> = {}): GovernanceOptions {
  return { env, paths: skillsyncPaths(env), scopes: ['user', 'project'], config: {}, audit: false, warn: () => undefined, verbose: () => undefined, ...extra };
}

const FORBID_ECHO = 'forbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Tool::"local/echo");\n';
const PERMIT = 'permit (principal, action, resource);\n';

describe('prepareGovernance', () => {
  it('enforces the built-in default policy when no served scope has policy files', async () => {
    const { env } = await world();
    const governance = prepareGovernance(options(env));
    const summary = await governance.open();
    expect(summary).toMatchObject({ builtIn: true, policyIds: ['default-permit-all'] });
    expect(await governance.hooks.authorize?.({ principal: { user: 'ada' }, action: 'callTool', resource: { type: 'Tool', id: 'echo', connector: 'local' }, context: { client: 'x' } })).toMatchObject({
      decision: 'allow',
      policyIds: ['default-permit-all'],
    });
    await governance.close();
  });

  it('reads only the served scopes, and prefixes the ids with the scope when both have files', async () => {
    const { env, userPolicies, projectPolicies } = await world();
    await mkdir(userPolicies, { recursive: true });
    await mkdir(projectPolicies, { recursive: true });
    await writeFile(path.join(userPolicies, 'rules.cedar'), PERMIT);
    await writeFile(path.join(projectPolicies, 'rules.cedar'), FORBID_ECHO);
    const request = { principal: { user: 'ada' }, action: 'callTool', resource: { type: 'Tool', id: 'echo', connector: 'local' }, context: { client: 'x' } } as const;

    const both = prepareGovernance(options(env));
    expect((await both.open()).policyIds).toEqual(['user:rules#0', 'project:rules#0']);
    expect(await both.hooks.authorize?.(request)).toMatchObject({ decision: 'deny', policyIds: ['project:rules#0'] });

    const user = prepareGovernance(options(env, { scopes: ['user'] }));
    expect((await user.open()).policyIds).toEqual(['rules#0']);
    expect(await user.hooks.authorize?.(request)).toMatchObject({ decision: 'allow' });

    // SIGHUP's reload picks up a change; an invalid set is refused and the old one stays.
    await writeFile(path.join(userPolicies, 'rules.cedar'), `${PERMIT}${FORBID_ECHO}`);
    expect((await user.reloadPolicies()).policyIds).toEqual(['rules#0', 'rules#1']);
    expect(await user.hooks.authorize?.(request)).toMatchObject({ decision: 'deny', policyIds: ['rules#1'] });
    await writeFile(path.join(userPolicies, 'rules.cedar'), 'forbid (principal, action == Skillsync::Action::"nope", resource);\n');
    await expect(user.reloadPolicies()).rejects.toMatchObject({ code: 'POLICY_INVALID' });
    expect(await user.hooks.authorize?.(request)).toMatchObject({ decision: 'deny', policyIds: ['rules#1'] });
  });

  it("adds the cached org profile's policies on top of the scopes', each under its org, and refuses an invalid one", async () => {
    const { env, userPolicies } = await world();
    const address = 'https://skills.example.com/v0.1/orgs/acme';
    const config = skillsyncPaths(env).config;
    await mkdir(config, { recursive: true });
    await writeFile(path.join(config, 'registries.json'), JSON.stringify({ registries: [{ address, secret: 'registry.x', user: 'ada', savedAt: '2026-01-01T00:00:00.000Z' }] }));
    const cache = (policies: { id: string; text: string }[]): Promise<void> =>
      mkdir(path.dirname(orgProfileCacheFile(env, address)), { recursive: true }).then(() =>
        writeFile(
          orgProfileCacheFile(env, address),
          JSON.stringify({ address, fetchedAt: '2026-01-01T00:00:00.000Z', profile: { revision: 'r', sources: ['org'], required: [], blockedSkills: [], blockedConnectors: [], policies, conflicts: [] } }),
        ),
      );
    await cache([{ id: 'team:platform/no-echo', text: FORBID_ECHO }]);
    const request = { principal: { user: 'ada' }, action: 'callTool', resource: { type: 'Tool', id: 'echo', connector: 'local' }, context: { client: 'x' } } as const;

    // Over the built-in default policy when the scopes have no files…
    const alone = prepareGovernance(options(env));
    expect(await alone.open()).toMatchObject({ builtIn: true, policyIds: ['default-permit-all', 'org:acme/team:platform/no-echo#0'] });
    expect(await alone.hooks.authorize?.(request)).toMatchObject({ decision: 'deny', policyIds: ['org:acme/team:platform/no-echo#0'] });

    // …and over the scopes' own files when they have some.
    await mkdir(userPolicies, { recursive: true });
    await writeFile(path.join(userPolicies, 'rules.cedar'), PERMIT);
    const withFiles = prepareGovernance(options(env, { scopes: ['user'] }));
    expect((await withFiles.open()).policyIds).toEqual(['rules#0', 'org:acme/team:platform/no-echo#0']);
    expect(await withFiles.hooks.authorize?.(request)).toMatchObject({ decision: 'deny' });

    await cache([{ id: 'org/broken', text: 'forbid (principal, action == Skillsync::Action::"nope", resource);' }]);
    await expect(withFiles.reloadPolicies()).rejects.toMatchObject({ code: 'POLICY_INVALID' });
    expect(await withFiles.hooks.authorize?.(request)).toMatchObject({ decision: 'deny' });
  });

  it('refuses a policy folder it cannot read rather than fall back to the default', async () => {
    const { env, projectPolicies } = await world();
    await mkdir(path.dirname(projectPolicies), { recursive: true });
    await writeFile(projectPolicies, 'not a folder');
    await expect(prepareGovernance(options(env)).open()).rejects.toMatchObject({ code: 'GATEWAY_POLICY_UNREADABLE', details: { scope: 'project' } });
  });

  it('refuses a custom redaction pattern that could backtrack, before anything starts', async () => {
    const { env } = await world();
    expect(() => prepareGovernance(options(env, { config: { redaction: { custom: [{ name: 'slow', pattern: '(a+)+b' }] } } }))).toThrow(
      expect.objectContaining({ code: 'REDACTION_PATTERN_INVALID' }) as Error,
    );
  });

  it('masks with every detector by default, and blocks in block mode', async () => {
    const { env } = await world();
    const token = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';
    const masked = prepareGovernance(options(env)).hooks.redaction;
    expect(masked?.mode).toBe('mask');
    expect(await masked?.redact({ text: `t ${token} ada@example.com` })).toEqual({
      value: { text: 't [REDACTED:api-key] [REDACTED:email]' },
      findings: [
        { detector: 'api-key', count: 1 },
        { detector: 'email', count: 1 },
      ],
      blocked: false,
    });
    const only = prepareGovernance(options(env, { config: { redaction: { mode: 'block', detectors: ['email'] } } })).hooks.redaction;
    expect(only?.mode).toBe('block');
    expect(await only?.redact(`t ${token}`)).toMatchObject({ findings: [] });
  });
});

describe('principalOf', () => {
  const env = createEnv({ home: '/h', cwd: '/w', vars: { USER: 'ada', USERNAME: 'other' } });

  it('is the OS user unless the manifest names one, with teams and roles only from the manifest', () => {
    expect(principalOf(env, {})).toEqual({ user: 'ada' });
    expect(principalOf(createEnv({ home: '/h', cwd: '/w', vars: { USERNAME: 'win' } }), {})).toEqual({ user: 'win' });
    expect(principalOf(env, { principal: { user: 'grace', teams: ['sre'], roles: ['maintainer'] } })).toEqual({ user: 'grace', teams: ['sre'], roles: ['maintainer'] });
    expect(principalOf(env, { principal: { teams: ['web'] } })).toEqual({ user: 'ada', teams: ['web'] });
    // No variable: the account name of the process.
    expect(principalOf(createEnv({ home: '/h', cwd: '/w', vars: {} }), {}).user).toBe(os.userInfo().username);
  });
});
