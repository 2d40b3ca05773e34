import { isSkillsyncError, type SkillsyncError } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { createPolicyEngine, type AuthorizationRequest } from './engine.js';
import { DEFAULT_POLICY, DEFAULT_POLICY_FILE } from './schema.js';

const permitAll = '@id("permit-all")\npermit (principal, action, resource);\n';

function call(user: string, tool: string, connector: string, extra: { teams?: string[]; roles?: string[]; client?: string; arguments?: Record<string, unknown> } = {}): AuthorizationRequest {
  return {
    principal: { user, ...(extra.teams === undefined ? {} : { teams: extra.teams }), ...(extra.roles === undefined ? {} : { roles: extra.roles }) },
    action: 'callTool',
    resource: { type: 'Tool', id: tool, connector },
    context: { client: extra.client ?? 'cursor', ...(extra.arguments === undefined ? {} : { arguments: extra.arguments }) },
  };
}

function thrown(fn: () => unknown): SkillsyncError {
  try {
    fn();
  } catch (error) {
    if (isSkillsyncError(error)) return error;
    throw error;
  }
  throw new Error('expected a SkillsyncError');
}

/** The commented examples of the default policy, switched on. */
const examples = DEFAULT_POLICY.split('\n')
  .map((line) => line.replace(/^\/\/ (forbid| {2})/, '$1'))
  .join('\n');

describe('createPolicyEngine: the shipped default and its examples', () => {
  it('the default policy allows everything for everyone, by its @id', () => {
    const engine = createPolicyEngine({ policies: [DEFAULT_POLICY_FILE] });
    for (const request of [call('ada', 'delete_repository', 'github'), { ...call('bob', 'x', 'y'), action: 'useSkill' as const, resource: { type: 'Skill' as const, id: 'pdf' } }]) {
      expect(engine.authorize(request)).toEqual({ decision: 'allow', policyIds: ['default-permit-all'], errors: [], cached: false });
    }
  });

  const engine = createPolicyEngine({ policies: [{ id: 'examples', text: examples }] });

  it('forbids one tool for everyone, and only that tool', () => {
    expect(engine.authorize(call('ada', 'delete_repository', 'github'))).toMatchObject({ decision: 'deny', policyIds: ['examples#1'] });
    expect(engine.authorize(call('ada', 'list_issues', 'github'))).toMatchObject({ decision: 'allow', policyIds: ['default-permit-all'] });
    // The same tool name on another connector is another tool.
    expect(engine.authorize(call('ada', 'delete_repository', 'gitlab'))).toMatchObject({ decision: 'allow' });
  });

  it('restricts a connector to a team, for every action on it', () => {
    expect(engine.authorize(call('ada', 'query', 'prod-db', { teams: ['web'] }))).toMatchObject({ decision: 'deny', policyIds: ['examples#2'] });
    expect(engine.authorize(call('ada', 'query', 'prod-db', { teams: ['web', 'sre'] }))).toMatchObject({ decision: 'allow' });
    const read: AuthorizationRequest = { principal: { user: 'ada' }, action: 'readResource', resource: { type: 'Resource', id: 'schema.sql', connector: 'prod-db' }, context: { client: 'cursor' } };
    expect(engine.authorize(read)).toMatchObject({ decision: 'deny' });
    expect(engine.authorize({ ...read, principal: { user: 'ada', teams: ['sre'] } })).toMatchObject({ decision: 'allow' });
  });

  it('allows a tool only to a role', () => {
    expect(engine.authorize(call('ada', 'merge_pull_request', 'github', { roles: ['developer'] }))).toMatchObject({ decision: 'deny', policyIds: ['examples#3'] });
    expect(engine.authorize(call('ada', 'merge_pull_request', 'github', { roles: ['maintainer'] }))).toMatchObject({ decision: 'allow' });
    // A team of the same name is not the role.
    expect(engine.authorize(call('ada', 'merge_pull_request', 'github', { teams: ['maintainer'] }))).toMatchObject({ decision: 'deny' });
  });

  it('looks at the arguments of a call', () => {
    expect(engine.readsArguments).toBe(true);
    expect(engine.authorize(call('ada', 'read_file', 'filesystem', { arguments: { path: '/etc/passwd' } }))).toMatchObject({ decision: 'deny', policyIds: ['examples#4'] });
    expect(engine.authorize(call('ada', 'read_file', 'filesystem', { arguments: { path: '/home/ada/notes' } }))).toMatchObject({ decision: 'allow' });
    expect(engine.authorize(call('ada', 'read_file', 'filesystem'))).toMatchObject({ decision: 'allow' });
  });

  it('filters a tool list by authorizing each tool (list filtering)', () => {
    const tools = ['list_issues', 'delete_repository', 'merge_pull_request', 'create_issue'];
    const visible = tools.filter((tool) => engine.authorize(call('ada', tool, 'github', { roles: ['developer'] })).decision === 'allow');
    expect(visible).toEqual(['list_issues', 'create_issue']);
    const forMaintainer = tools.filter((tool) => engine.authorize(call('ada', tool, 'github', { roles: ['maintainer'] })).decision === 'allow');
    expect(forMaintainer).toEqual(['list_issues', 'merge_pull_request', 'create_issue']);
  });
});

describe('createPolicyEngine: decisions', () => {
  it('denies by default when no permit matches, with no policy ids', () => {
    const engine = createPolicyEngine({ policies: [{ id: 'only-skills', text: 'permit (principal, action == Skillsync::Action::"useSkill", resource);' }] });
    expect(engine.authorize(call('ada', 'x', 'y'))).toEqual({ decision: 'deny', policyIds: [], errors: [], cached: false });
    expect(engine.authorize({ principal: { user: 'ada' }, action: 'useSkill', resource: { type: 'Skill', id: 'pdf' }, context: { client: 'x' } })).toMatchObject({
      decision: 'allow',
      policyIds: ['only-skills#0'],
    });
    expect(createPolicyEngine({ policies: [] }).authorize(call('ada', 'x', 'y'))).toMatchObject({ decision: 'deny' });
  });

  it('a forbid wins over a permit, and both directions name the deciding policies', () => {
    const engine = createPolicyEngine({
      policies: [
        { id: 'base', text: permitAll },
        { id: 'cursor', text: 'forbid (principal, action, resource) when { context.client == "untrusted" };' },
      ],
    });
    expect(engine.authorize(call('ada', 't', 'c', { client: 'untrusted' }))).toMatchObject({ decision: 'deny', policyIds: ['cursor#0'] });
    expect(engine.authorize(call('ada', 't', 'c', { client: 'cursor' }))).toMatchObject({ decision: 'allow', policyIds: ['permit-all'] });
  });

  it('denies when a policy fails to evaluate, even where Cedar alone would allow', () => {
    const engine = createPolicyEngine({
      policies: [
        { id: 'base', text: permitAll },
        { id: 'broken', text: 'forbid (principal, action, resource) when { 9223372036854775807 + 1 > 0 };' },
      ],
    });
    const result = engine.authorize(call('ada', 't', 'c'));
    expect(result.decision).toBe('deny');
    expect(result.policyIds).toEqual(['broken#0']);
    expect(result.errors[0]).toMatch(/^broken#0: integer overflow/);
  });

  it('denies a malformed request instead of throwing', () => {
    const engine = createPolicyEngine({ policies: [{ id: 'base', text: permitAll }] });
    const mismatched = { ...call('ada', 't', 'c'), resource: { type: 'Prompt' as const, id: 'p' } };
    expect(engine.authorize(mismatched)).toMatchObject({ decision: 'deny', errors: ['invalid request: callTool applies to Tool, not Prompt'] });
    const junk = { principal: { user: 42 }, action: 'callTool', resource: { type: 'Tool', id: 't' }, context: { client: 'x' } } as unknown as AuthorizationRequest;
    expect(engine.authorize(junk)).toMatchObject({ decision: 'deny' });
    expect(engine.authorize(undefined as unknown as AuthorizationRequest)).toMatchObject({ decision: 'deny' });
  });

  it('builds requests that validate against the schema (validateRequests)', () => {
    const engine = createPolicyEngine({ policies: [{ id: 'examples', text: examples }], validateRequests: true, cacheSize: 0 });
    for (const request of [
      call('ada', 'read_file', 'filesystem', { teams: ['sre'], roles: ['maintainer'], arguments: { path: '/etc/x', depth: 2, opts: { a: [1] }, none: null } }),
      call('ada', 'read_file', 'filesystem'),
      { principal: { user: 'ada' }, action: 'getPrompt' as const, resource: { type: 'Prompt' as const, id: 'review', connector: 'github' }, context: { client: 'x' } },
      { principal: { user: 'ada' }, action: 'useSkill' as const, resource: { type: 'Skill' as const, id: 'pdf', connector: 'ignored' }, context: { client: 'x' } },
    ]) {
      expect(engine.authorize(request).errors).toEqual([]);
    }
  });

  it('passes non-string arguments to policies as JSON text', () => {
    const engine = createPolicyEngine({
      policies: [
        { id: 'base', text: permitAll },
        { id: 'args', text: 'forbid (principal, action, resource) when { context has arguments && context.arguments.hasTag("force") && context.arguments.getTag("force") == "true" };' },
      ],
    });
    expect(engine.authorize(call('ada', 'push', 'git', { arguments: { force: true } })).decision).toBe('deny');
    expect(engine.authorize(call('ada', 'push', 'git', { arguments: { force: 'true' } })).decision).toBe('deny');
    expect(engine.authorize(call('ada', 'push', 'git', { arguments: { force: false } })).decision).toBe('allow');
  });

  it('merges membership given as entities with the request', () => {
    const engine = createPolicyEngine({
      policies: [{ id: 'sre', text: 'permit (principal in Skillsync::Team::"sre", action, resource in Skillsync::Connector::"prod-db");' }],
      entities: [{ type: 'User', id: 'ada', parents: [{ type: 'Team', id: 'sre' }] }],
    });
    expect(engine.authorize(call('ada', 'q', 'prod-db')).decision).toBe('allow');
    expect(engine.authorize(call('bob', 'q', 'prod-db')).decision).toBe('deny');
    expect(engine.authorize(call('bob', 'q', 'prod-db', { teams: ['sre'] })).decision).toBe('allow');
    expect(thrown(() => createPolicyEngine({ policies: [], entities: [{ type: 'Team', id: 'x', parents: [{ type: 'User', id: 'y' }] }] })).code).toBe('POLICY_INVALID');
  });
});

describe('createPolicyEngine: validation at creation', () => {
  it('refuses a policy against the schema with POLICY_INVALID naming the file, line and Cedar message', () => {
    const text = `${permitAll}\n// the action below does not exist\nforbid (principal, action == Skillsync::Action::"deleteEverything", resource);\n`;
    const error = thrown(() => createPolicyEngine({ policies: [{ id: 'team', text, file: 'policies/team.cedar' }] }));
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.message).toMatch(/^policies\/team\.cedar:5:30: for policy `team#1`, unrecognized action `Skillsync::Action::"deleteEverything"`/);
    expect(error.details.findings).toMatchObject([{ file: 'policies/team.cedar', line: 5, policyId: 'team#1', severity: 'error' }]);
  });

  it('refuses a syntax error with its line, and unknown context attributes', () => {
    const syntax = thrown(() => createPolicyEngine({ policies: [{ id: 'a', text: 'permit (principal, action, resource);\n\nforbid (principal action, resource);' }] }));
    expect(syntax.message).toMatch(/^a:3:19: unexpected token `action`/);
    const unknownAttr = thrown(() => createPolicyEngine({ policies: [{ id: 'b', text: 'permit (principal, action, resource) when { context.user == "x" };' }] }));
    expect(unknownAttr.message).toMatch(/^b:1:\d+: .*attribute `user`/);
    const unguarded = thrown(() => createPolicyEngine({ policies: [{ id: 'c', text: 'forbid (principal, action, resource) when { context.arguments.hasTag("x") };' }] }));
    expect(unguarded.message).toMatch(/context has arguments/);
  });

  it('refuses duplicate ids, templates and hash-like @id annotations', () => {
    expect(thrown(() => createPolicyEngine({ policies: [{ id: 'a', text: permitAll }, { id: 'a', text: permitAll }] })).message).toMatch(/Two policy files have the id "a"/);
    expect(thrown(() => createPolicyEngine({ policies: [{ id: 'a', text: permitAll }, { id: 'b', text: permitAll }] })).message).toMatch(/b:1:1: The policy id "permit-all" is used twice \(also at a:1\)/);
    expect(thrown(() => createPolicyEngine({ policies: [{ id: 'a', text: 'permit (principal == ?principal, action, resource);' }] })).message).toMatch(/templates/);
    expect(thrown(() => createPolicyEngine({ policies: [{ id: 'a', text: '@id("b#0") permit (principal, action, resource);' }] })).message).toMatch(/not a usable policy id/);
    expect(thrown(() => createPolicyEngine({ policies: [{ id: 'a#b', text: permitAll }] })).code).toBe('POLICY_INVALID');
  });

  it('numbers policies in text order past ten, with lines for each', () => {
    const text = Array.from({ length: 12 }, (_, index) => `forbid (principal, action, resource) when { context.client == "c${index}" };`).join('\n');
    const engine = createPolicyEngine({ policies: [{ id: 'many', text: `${text}\n${permitAll}` }] });
    expect(engine.policyIds.slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, index) => `many#${index}`));
    expect(engine.authorize(call('ada', 't', 'c', { client: 'c10' })).policyIds).toEqual(['many#10']);
    expect(engine.authorize(call('ada', 't', 'c', { client: 'c2' })).policyIds).toEqual(['many#2']);
  });

  it('counts lines and columns in characters when the file has non-ASCII text before the error', () => {
    const error = thrown(() => createPolicyEngine({ policies: [{ id: 'u', text: '// ünïcödé\npermit (principal, action == Skillsync::Action::"nope", resource);' }] }));
    expect(error.message).toMatch(/^u:2:30: /);
  });

  it('has a version that changes with the policies and not with file order of identical content', () => {
    const a = createPolicyEngine({ policies: [{ id: 'a', text: permitAll }] });
    const same = createPolicyEngine({ policies: [{ id: 'a', text: permitAll }] });
    const other = createPolicyEngine({ policies: [{ id: 'a', text: `${permitAll}// comment\n` }] });
    expect(a.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(same.version).toBe(a.version);
    expect(other.version).not.toBe(a.version);
  });
});

describe('createPolicyEngine: the decision cache', () => {
  it('serves repeated requests from the cache, keyed by the whole request', () => {
    const engine = createPolicyEngine({ policies: [{ id: 'examples', text: examples }] });
    expect(engine.authorize(call('ada', 'delete_repository', 'github')).cached).toBe(false);
    expect(engine.authorize(call('ada', 'delete_repository', 'github'))).toMatchObject({ decision: 'deny', cached: true });
    // Every field of the request is in the key: none of these is served the cached deny.
    expect(engine.authorize(call('ada', 'delete_repository', 'gitlab'))).toMatchObject({ decision: 'allow', cached: false });
    expect(engine.authorize(call('ada', 'query', 'prod-db', { teams: ['sre'] }))).toMatchObject({ decision: 'allow', cached: false });
    expect(engine.authorize(call('ada', 'query', 'prod-db', { teams: ['web'] }))).toMatchObject({ decision: 'deny', cached: false });
    // Team order does not matter to Cedar, nor to the key.
    expect(engine.authorize(call('ada', 'query', 'prod-db', { teams: ['a', 'sre'] })).cached).toBe(false);
    expect(engine.authorize(call('ada', 'query', 'prod-db', { teams: ['sre', 'a'] }))).toMatchObject({ decision: 'allow', cached: true });
  });

  it('never serves a stale decision to a policy that reads the arguments', () => {
    const engine = createPolicyEngine({ policies: [{ id: 'examples', text: examples }] });
    const safe = call('ada', 'read_file', 'filesystem', { arguments: { path: '/tmp/a' } });
    const secret = call('ada', 'read_file', 'filesystem', { arguments: { path: '/etc/shadow' } });
    expect(engine.authorize(safe)).toMatchObject({ decision: 'allow', cached: false });
    expect(engine.authorize(safe)).toMatchObject({ decision: 'allow', cached: false });
    expect(engine.authorize(secret)).toMatchObject({ decision: 'deny', cached: false });
    // Without arguments the request is cacheable, and stays apart from calls with them.
    expect(engine.authorize(call('ada', 'read_file', 'filesystem')).cached).toBe(false);
    expect(engine.authorize(call('ada', 'read_file', 'filesystem')).cached).toBe(true);
    expect(engine.authorize(secret)).toMatchObject({ decision: 'deny', cached: false });
  });

  it('caches calls with arguments when no policy can see them, and a client-dependent policy by client', () => {
    const engine = createPolicyEngine({
      policies: [{ id: 'base', text: permitAll }, { id: 'client', text: 'forbid (principal, action, resource) when { context.client == "untrusted" };' }],
    });
    expect(engine.readsArguments).toBe(false);
    expect(engine.authorize(call('ada', 't', 'c', { arguments: { a: 1 } })).cached).toBe(false);
    expect(engine.authorize(call('ada', 't', 'c', { arguments: { a: 2 } })).cached).toBe(true);
    expect(engine.authorize(call('ada', 't', 'c', { client: 'untrusted' }))).toMatchObject({ decision: 'deny', cached: false });
    expect(engine.authorize(call('ada', 't', 'c', { client: 'untrusted' }))).toMatchObject({ decision: 'deny', cached: true });
  });

  it('treats any use of context other than context.client as reading the arguments', () => {
    const whole = createPolicyEngine({ policies: [{ id: 'w', text: 'permit (principal, action, resource) when { context has client && context.client like "*" };' }] });
    expect(whole.readsArguments).toBe(false);
    const has = createPolicyEngine({ policies: [{ id: 'h', text: 'forbid (principal, action, resource) when { context has arguments };' }] });
    expect(has.readsArguments).toBe(true);
  });

  it('evicts the least recently used decision, and a size of 0 disables it', () => {
    const engine = createPolicyEngine({ policies: [{ id: 'base', text: permitAll }], cacheSize: 2 });
    engine.authorize(call('a', 't', 'c'));
    engine.authorize(call('b', 't', 'c'));
    expect(engine.authorize(call('a', 't', 'c')).cached).toBe(true);
    engine.authorize(call('c', 't', 'c'));
    expect(engine.authorize(call('b', 't', 'c')).cached).toBe(false);
    expect(engine.authorize(call('a', 't', 'c')).cached).toBe(false);
    engine.clearCache();
    expect(engine.authorize(call('c', 't', 'c')).cached).toBe(false);
    const none = createPolicyEngine({ policies: [{ id: 'base', text: permitAll }], cacheSize: 0 });
    none.authorize(call('a', 't', 'c'));
    expect(none.authorize(call('a', 't', 'c')).cached).toBe(false);
  });

  it('returns frozen decisions, so a caller cannot corrupt the cache', () => {
    const engine = createPolicyEngine({ policies: [{ id: 'base', text: permitAll }] });
    engine.authorize(call('a', 't', 'c'));
    const hit = engine.authorize(call('a', 't', 'c'));
    expect(Object.isFrozen(hit) && Object.isFrozen(hit.policyIds)).toBe(true);
  });
});
