import { readFile } from 'node:fs/promises';
import { isSkillsyncError, type SkillsyncError } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { createRbacEngine, type RbacRequest, type RbacResource } from './engine.js';
import { ORG_ROLES, RBAC_ACTION_RESOURCE_TYPES, RBAC_ACTIONS, RBAC_CEDAR_SCHEMA, TOKEN_SCOPES, type OrgRole, type RbacAction, type RbacResourceType, type TokenScope } from './schema.js';

/** docs/server-api.md, "Roles and actions": the org roles allowed each action (a test below reads the table there and compares). */
const ORG_ROLE_TABLE: Readonly<Record<RbacAction, readonly OrgRole[]>> = {
  readOrg: ['owner', 'admin', 'publisher', 'member', 'auditor'],
  readPackage: ['owner', 'admin', 'publisher', 'member', 'auditor'],
  publishPackage: ['owner', 'admin', 'publisher'],
  managePackage: ['owner', 'admin', 'publisher'],
  reportStatus: ['owner', 'admin', 'publisher', 'member'],
  readParity: ['owner', 'admin', 'auditor'],
  readAudit: ['owner', 'admin', 'auditor'],
  editProfile: ['owner', 'admin'],
  manageCatalogue: ['owner', 'admin'],
  manageTeams: ['owner', 'admin'],
  manageMembers: ['owner', 'admin'],
  manageTokens: ['owner', 'admin'],
  manageOrg: ['owner'],
};

/**
 * What a team role gives on a resource of that team, for a user whose org role is member:
 * every action that applies to a type a team holds (Team, Package, Profile, Member).
 */
const TEAM_ROLE_TABLE: Readonly<Partial<Record<RbacAction, readonly OrgRole[]>>> = {
  readOrg: ['owner', 'admin', 'publisher', 'member', 'auditor'],
  readPackage: ['owner', 'admin', 'publisher', 'member', 'auditor'],
  publishPackage: ['owner', 'admin', 'publisher'],
  managePackage: ['owner', 'admin', 'publisher'],
  editProfile: ['owner', 'admin'],
  manageMembers: ['owner', 'admin'],
  // Creating and deleting teams stays with the org.
  manageTeams: [],
};

/** The actions each scope gives. */
const SCOPE_TABLE: Readonly<Record<TokenScope, readonly RbacAction[]>> = {
  read: ['readOrg', 'readPackage'],
  publish: ['readOrg', 'readPackage', 'publishPackage', 'managePackage'],
  report: ['readOrg', 'readPackage', 'reportStatus'],
  admin: RBAC_ACTIONS,
};

const ALL_SCOPES: readonly TokenScope[] = ['admin'];

/** A resource of each type in no team (a team itself: one the caller is not in). */
function orgResource(type: RbacResourceType): RbacResource {
  switch (type) {
    case 'Org':
      return { type, org: 'acme' };
    case 'Team':
      return { type, org: 'acme', team: 'web' };
    case 'Package':
      return { type, org: 'acme', name: 'pdf', visibility: 'org' };
    case 'Profile':
      return { type, org: 'acme' };
    case 'Catalogue':
      return { type, org: 'acme' };
    case 'Member':
      return { type, org: 'acme', user: 'bob', role: 'member', grants: 'publisher' };
    case 'Token':
      return { type, org: 'acme', id: 'tok1', owner: 'bob', scopes: ['read'] };
  }
}

/** Resources of each type in team web (a package both ways of visibility); none for the types no team holds. */
function teamResources(type: RbacResourceType): RbacResource[] {
  switch (type) {
    case 'Team':
      return [{ type, org: 'acme', team: 'web' }];
    case 'Package':
      return [
        { type, org: 'acme', name: 'pdf', team: 'web', visibility: 'org' },
        { type, org: 'acme', name: 'pdf', team: 'web', visibility: 'team' },
      ];
    case 'Profile':
      return [{ type, org: 'acme', team: 'web' }];
    case 'Member':
      return [{ type, org: 'acme', team: 'web', user: 'bob', role: 'member', grants: 'publisher' }];
    default:
      return [];
  }
}

function cells(): { action: RbacAction; type: RbacResourceType }[] {
  return RBAC_ACTIONS.flatMap((action) => RBAC_ACTION_RESOURCE_TYPES[action].map((type) => ({ action, type })));
}

function request(fields: Partial<RbacRequest> & Pick<RbacRequest, 'action' | 'resource'>): RbacRequest {
  return { user: 'ada', orgRole: 'member', scopes: ALL_SCOPES, ...fields };
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

const engine = createRbacEngine({ cacheSize: 0 });

describe('rbac.cedar: the full matrix of roles and actions', () => {
  it('the table here is the table of docs/server-api.md', async () => {
    const docs = await readFile(new URL('../../../../docs/server-api.md', import.meta.url), 'utf8');
    const section = docs.slice(docs.indexOf('## Roles and actions'));
    const header = /^\| action \|(.*)\|$/m.exec(section)?.[1]?.split('|').map((cell) => cell.trim()) ?? [];
    expect(header).toEqual(ORG_ROLES);
    const fromDocs: Partial<Record<string, OrgRole[]>> = {};
    for (const line of section.split('\n').filter((row) => row.startsWith('| `'))) {
      const [first = '', ...roleCells] = line.split('|').slice(1, -1);
      const allowed = ORG_ROLES.filter((_, index) => roleCells[index]?.trim().startsWith('✓') === true);
      for (const [, name] of first.matchAll(/`(\w+)`/g)) if ((RBAC_ACTIONS as readonly string[]).includes(name!)) fromDocs[name!] = allowed;
    }
    expect(fromDocs).toEqual(ORG_ROLE_TABLE);
  });

  const orgCells = ORG_ROLES.flatMap((orgRole) =>
    cells().map(({ action, type }) => ({ orgRole, action, type, expected: ORG_ROLE_TABLE[action].includes(orgRole) ? 'allow' : 'deny' })),
  );

  it.each(orgCells)('org role $orgRole: $action on $type → $expected', ({ orgRole, action, type, expected }) => {
    const decision = engine.authorize(request({ orgRole, action, resource: orgResource(type) }));
    expect(decision).toEqual({ decision: expected, policyIds: expected === 'allow' ? [`org-${orgRole}`] : [], errors: [], cached: false });
  });

  const teamCells = ORG_ROLES.flatMap((teamRole) =>
    cells().flatMap(({ action, type }) => {
      const inTeam = teamResources(type);
      // Resources in no team: the team role does not apply, the org role (member) decides.
      if (inTeam.length === 0) return [{ teamRole, action, resource: orgResource(type), withTeamRole: false, expected: ORG_ROLE_TABLE[action].includes('member') ? 'allow' : 'deny' }];
      const allowed = TEAM_ROLE_TABLE[action];
      if (allowed === undefined) throw new Error(`TEAM_ROLE_TABLE has no row for ${action}`);
      return inTeam.map((resource) => ({ teamRole, action, resource, withTeamRole: true, expected: allowed.includes(teamRole) ? 'allow' : 'deny' }));
    }),
  );

  it.each(teamCells)('team role $teamRole (org role member): $action on $resource.type in team web → $expected', ({ teamRole, action, resource, withTeamRole, expected }) => {
    const decision = engine.authorize(request({ orgRole: 'member', ...(withTeamRole ? { teamRole } : {}), action, resource }));
    expect(decision).toMatchObject({ decision: expected, errors: [] });
  });

  it('a team role adds to the org role, and never takes from it', () => {
    const teamPackage: RbacResource = { type: 'Package', org: 'acme', name: 'pdf', team: 'web', visibility: 'org' };
    expect(engine.authorize(request({ orgRole: 'auditor', teamRole: 'publisher', action: 'publishPackage', resource: teamPackage }))).toMatchObject({ decision: 'allow', policyIds: ['team-publisher'] });
    expect(engine.authorize(request({ orgRole: 'auditor', action: 'publishPackage', resource: teamPackage })).decision).toBe('deny');
    expect(engine.authorize(request({ orgRole: 'admin', teamRole: 'member', action: 'manageTeams', resource: { type: 'Team', org: 'acme', team: 'web' } })).decision).toBe('allow');
    expect(engine.authorize(request({ orgRole: 'publisher', teamRole: 'auditor', action: 'managePackage', resource: teamPackage })).decision).toBe('allow');
    // A team publisher manages only what is in the team: another package is the org role's.
    expect(engine.authorize(request({ orgRole: 'member', action: 'managePackage', resource: orgResource('Package') })).decision).toBe('deny');
  });
});

describe('rbac.cedar: token scopes narrow', () => {
  const scopeSets: (readonly TokenScope[])[] = [[], ['read'], ['publish'], ['report'], ['admin'], ['read', 'report'], ['publish', 'report']];
  const scopeCells = scopeSets.flatMap((scopes) =>
    ORG_ROLES.flatMap((orgRole) =>
      cells().map(({ action, type }) => {
        const byScope = scopes.some((scope) => SCOPE_TABLE[scope].includes(action));
        return { scopes, orgRole, action, type, expected: byScope && ORG_ROLE_TABLE[action].includes(orgRole) ? 'allow' : 'deny' };
      }),
    ),
  );

  it.each(scopeCells)('scopes [$scopes], org role $orgRole: $action on $type → $expected', ({ scopes, orgRole, action, type, expected }) => {
    expect(engine.authorize(request({ orgRole, scopes, action, resource: orgResource(type) }))).toMatchObject({ decision: expected, errors: [] });
  });

  it('names the scope that refused', () => {
    const cases: [RbacAction, RbacResourceType, readonly TokenScope[], string][] = [
      ['readOrg', 'Org', [], 'scope-read'],
      ['publishPackage', 'Package', ['read', 'report'], 'scope-publish'],
      ['reportStatus', 'Org', ['publish'], 'scope-report'],
      ['manageOrg', 'Org', ['read', 'publish', 'report'], 'scope-admin'],
      ['manageTokens', 'Token', ['publish'], 'scope-tokens'],
    ];
    for (const [action, type, scopes, policyId] of cases) {
      expect(engine.authorize(request({ orgRole: 'owner', scopes, action, resource: orgResource(type) }))).toMatchObject({ decision: 'deny', policyIds: [policyId] });
    }
  });

  it('everyone manages their own tokens, never one stronger than the token they use', () => {
    const own = (scopes: readonly TokenScope[]): RbacResource => ({ type: 'Token', org: 'acme', owner: 'ada', scopes });
    for (const orgRole of ORG_ROLES) {
      expect(engine.authorize(request({ orgRole, scopes: ['read'], action: 'manageTokens', resource: own(['read']) })).decision).toBe('allow');
      expect(engine.authorize(request({ orgRole, scopes: ['admin'], action: 'manageTokens', resource: own(['admin']) })).decision).toBe('allow');
    }
    const member = (scopes: readonly TokenScope[], target: readonly TokenScope[]): string => engine.authorize(request({ scopes, action: 'manageTokens', resource: own(target) })).decision;
    expect(member(['publish'], ['read'])).toBe('allow');
    expect(member(['publish', 'report'], ['report', 'read'])).toBe('allow');
    expect(member(['read'], [])).toBe('allow');
    expect(member(['read'], ['publish'])).toBe('deny');
    expect(member(['report'], ['publish'])).toBe('deny');
    expect(member(['publish', 'report'], ['admin'])).toBe('deny');
    // Someone else's token is the admins', with the admin scope.
    expect(engine.authorize(request({ orgRole: 'admin', scopes: ['admin'], action: 'manageTokens', resource: { type: 'Token', org: 'acme', owner: 'bob', scopes: ['admin'] } })).decision).toBe('allow');
    expect(engine.authorize(request({ orgRole: 'admin', scopes: ['publish'], action: 'manageTokens', resource: { type: 'Token', org: 'acme', owner: 'bob', scopes: ['read'] } })).decision).toBe('deny');
  });
});

describe('rbac.cedar: package visibility', () => {
  const teamOnly: RbacResource = { type: 'Package', org: 'acme', name: 'secret', team: 'web', visibility: 'team' };
  const teamOwned: RbacResource = { type: 'Package', org: 'acme', name: 'open', team: 'web', visibility: 'org' };

  it.each(ORG_ROLES)('org role %s: reads a team-only package only from inside the team, or as owner, admin or auditor', (orgRole) => {
    const outside = engine.authorize(request({ orgRole, action: 'readPackage', resource: teamOnly }));
    const privileged = ['owner', 'admin', 'auditor'].includes(orgRole);
    expect(outside).toMatchObject(privileged ? { decision: 'allow' } : { decision: 'deny', policyIds: ['team-visibility'] });
    expect(engine.authorize(request({ orgRole, teamRole: 'member', action: 'readPackage', resource: teamOnly })).decision).toBe('allow');
    expect(engine.authorize(request({ orgRole, action: 'readPackage', resource: teamOwned })).decision).toBe('allow');
  });

  it('what one cannot see one cannot publish to or manage', () => {
    for (const action of ['publishPackage', 'managePackage'] as const) {
      expect(engine.authorize(request({ orgRole: 'publisher', action, resource: teamOnly }))).toMatchObject({ decision: 'deny', policyIds: ['team-visibility'] });
      expect(engine.authorize(request({ orgRole: 'publisher', teamRole: 'member', action, resource: teamOnly })).decision).toBe('allow');
      expect(engine.authorize(request({ orgRole: 'publisher', action, resource: teamOwned })).decision).toBe('allow');
      expect(engine.authorize(request({ orgRole: 'admin', action, resource: teamOnly })).decision).toBe('allow');
    }
  });
});

describe('rbac.cedar: the owner role is manageOrg', () => {
  const member = (fields: { team?: string; role?: OrgRole; grants?: OrgRole }): RbacResource => ({ type: 'Member', org: 'acme', user: 'bob', ...fields });

  it('only an org owner grants, changes or removes an owner, in the org or a team', () => {
    for (const resource of [member({ grants: 'owner' }), member({ role: 'owner', grants: 'admin' }), member({ role: 'owner' }), member({ team: 'web', grants: 'owner' })]) {
      expect(engine.authorize(request({ orgRole: 'admin', teamRole: resource.type === 'Member' && resource.team !== undefined ? 'owner' : undefined, action: 'manageMembers', resource }))).toMatchObject({
        decision: 'deny',
        policyIds: ['owner-role'],
      });
      expect(engine.authorize(request({ orgRole: 'owner', action: 'manageMembers', resource })).decision).toBe('allow');
      expect(engine.authorize(request({ orgRole: 'owner', scopes: ['publish'], action: 'manageMembers', resource })).decision).toBe('deny');
    }
    expect(engine.authorize(request({ orgRole: 'admin', action: 'manageMembers', resource: member({ grants: 'admin' }) })).decision).toBe('allow');
    expect(engine.authorize(request({ orgRole: 'member', teamRole: 'admin', action: 'manageMembers', resource: member({ team: 'web', grants: 'admin' }) })).decision).toBe('allow');
    expect(engine.authorize(request({ orgRole: 'owner', action: 'manageOrg', resource: { type: 'Org', org: 'acme' } })).decision).toBe('allow');
  });
});

describe('createRbacEngine: malformed requests deny', () => {
  const valid = request({ orgRole: 'owner', action: 'readOrg', resource: { type: 'Org', org: 'acme' } });
  const garbage: [string, unknown][] = [
    ['no request', undefined],
    ['null', null],
    ['an array', [valid]],
    ['an empty object', {}],
    ['an unknown org role', { ...valid, orgRole: 'superuser' }],
    ['an org role in the wrong case', { ...valid, orgRole: 'Owner' }],
    ['no org role', { ...valid, orgRole: undefined }],
    ['an unknown team role', { ...valid, resource: { type: 'Team', org: 'acme', team: 'web' }, teamRole: 'boss' }],
    ['a null team role', { ...valid, resource: { type: 'Team', org: 'acme', team: 'web' }, teamRole: null }],
    ['scopes as a string', { ...valid, scopes: 'admin' }],
    ['an unknown scope', { ...valid, scopes: ['read', 'root'] }],
    ['a non-string scope', { ...valid, scopes: [1] }],
    ['no scopes', { ...valid, scopes: undefined }],
    ['an empty user', { ...valid, user: '' }],
    ['a non-string user', { ...valid, user: 42 }],
    ['an unknown action', { ...valid, action: 'deleteOrg' }],
    ['an inherited property as action', { ...valid, action: 'toString' }],
    ['no resource', { ...valid, resource: undefined }],
    ['a resource of the wrong type', { ...valid, action: 'manageOrg', resource: { type: 'Team', org: 'acme', team: 'web' } }],
    ['an unknown resource type', { ...valid, resource: { type: 'Galaxy', org: 'acme' } }],
    ['a resource without org', { ...valid, resource: { type: 'Org' } }],
    ['a team role for a resource in no team', { ...valid, teamRole: 'admin' }],
    ['a team-only package without a team', { ...valid, action: 'readPackage', resource: { type: 'Package', org: 'acme', name: 'pdf', visibility: 'team' } }],
    ['an unknown visibility', { ...valid, action: 'readPackage', resource: { type: 'Package', org: 'acme', name: 'pdf', visibility: 'public' } }],
    ['a package without a name', { ...valid, action: 'readPackage', resource: { type: 'Package', org: 'acme', visibility: 'org' } }],
    ['a member with an unknown role', { ...valid, action: 'manageMembers', resource: { type: 'Member', org: 'acme', user: 'bob', grants: 'god' } }],
    ['a token with unknown scopes', { ...valid, action: 'manageTokens', resource: { type: 'Token', org: 'acme', owner: 'ada', scopes: ['all'] } }],
    ['a token in a team', { ...valid, action: 'manageTokens', resource: { type: 'Token', org: 'acme', team: 'web', owner: 'ada', scopes: [] } }],
    ['a team name that is not a string', { ...valid, resource: { type: 'Profile', org: 'acme', team: 7 } }],
  ];

  it.each(garbage)('%s', (_, input) => {
    const decision = engine.authorize(input as RbacRequest);
    expect(decision.decision).toBe('deny');
    expect(decision.errors).toHaveLength(1);
    expect(decision.errors[0]).toMatch(/^invalid request: /);
  });

  it('denies instead of throwing when reading the request throws, and never caches garbage', () => {
    const exploding = { ...valid, get orgRole(): never { throw new Error('boom'); } };
    expect(engine.authorize(exploding)).toMatchObject({ decision: 'deny', errors: ['authorization failed: boom'] });
    const cached = createRbacEngine();
    expect(cached.authorize(valid)).toMatchObject({ decision: 'allow', cached: false });
    expect(cached.authorize(valid)).toMatchObject({ decision: 'allow', cached: true });
    expect(cached.authorize({ ...valid, teamRole: null } as unknown as RbacRequest)).toMatchObject({ decision: 'deny', cached: false });
    expect(cached.authorize({ ...valid, orgRole: 'owner ' } as unknown as RbacRequest)).toMatchObject({ decision: 'deny', cached: false });
  });
});

describe('createRbacEngine', () => {
  it('ships rbac.cedar valid, without warnings, one @id per rule', () => {
    expect(engine.warnings).toEqual([]);
    expect(engine.policyIds).toHaveLength(new Set(engine.policyIds).size);
    expect(engine.policyIds.every((id) => !id.includes('#'))).toBe(true);
    expect(engine.version).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("the schema's appliesTo is the action table, and every request the engine builds validates against it", () => {
    const appliesTo: Record<string, string[]> = {};
    for (const [, action = '', types = ''] of RBAC_CEDAR_SCHEMA.matchAll(/action (\w+) appliesTo \{ principal: \[User\], resource: \[([^\]]*)\]/g)) appliesTo[action] = types.split(', ');
    expect(appliesTo).toEqual(RBAC_ACTION_RESOURCE_TYPES);
    const validating = createRbacEngine({ validateRequests: true, cacheSize: 0 });
    // Optional attributes left out, beside the resources of the matrix.
    const sparse: RbacResource[] = [{ type: 'Token', org: 'acme', owner: 'ada', scopes: [] }, { type: 'Member', org: 'acme', user: 'bob' }];
    for (const { action, type } of cells()) {
      const variants = [
        ...[orgResource(type), ...sparse.filter((resource) => resource.type === type)].map((resource) => ({ resource, teamRole: undefined })),
        ...teamResources(type).map((resource) => ({ resource, teamRole: 'admin' as const })),
      ];
      for (const { resource, teamRole } of variants) {
        for (const scopes of [[], TOKEN_SCOPES]) {
          expect(validating.authorize(request({ action, resource, scopes, teamRole })).errors, `${action} ${JSON.stringify(resource)}`).toEqual([]);
        }
      }
    }
  });

  it('caches by what Cedar sees: scope order and implied scopes share a decision, every other field does not', () => {
    const cached = createRbacEngine();
    const read = request({ scopes: ['report', 'read'], action: 'reportStatus', resource: { type: 'Org', org: 'acme' } });
    expect(cached.authorize(read)).toMatchObject({ decision: 'allow', cached: false });
    expect(cached.authorize({ ...read, scopes: ['read', 'report'] })).toMatchObject({ decision: 'allow', cached: true });
    expect(cached.authorize({ ...read, scopes: ['report'] })).toMatchObject({ decision: 'allow', cached: true });
    expect(cached.authorize({ ...read, scopes: ['read'] })).toMatchObject({ decision: 'deny', cached: false });
    expect(cached.authorize({ ...read, orgRole: 'auditor' })).toMatchObject({ decision: 'deny', cached: false });
    expect(cached.authorize({ ...read, resource: { type: 'Org', org: 'other' } })).toMatchObject({ decision: 'allow', cached: false });
    expect(cached.authorize({ ...read, user: 'bob' })).toMatchObject({ decision: 'allow', cached: false });
    const none = createRbacEngine({ cacheSize: 0 });
    none.authorize(read);
    expect(none.authorize(read).cached).toBe(false);
    cached.clearCache();
    expect(cached.authorize(read).cached).toBe(false);
  });
});

describe("createRbacEngine: an org's own policies", () => {
  const freeze = { id: 'freeze', text: '@id("legacy-frozen")\nforbid (principal, action == SkillsyncOrg::Action::"publishPackage", resource in SkillsyncOrg::Team::"legacy");\n' };

  it('add to rbac.cedar: a forbid narrows', () => {
    const org = createRbacEngine({ policies: [freeze] });
    expect(org.policyIds).toContain('legacy-frozen');
    expect(org.version).not.toBe(engine.version);
    const publish = (team: string): RbacRequest => request({ orgRole: 'publisher', action: 'publishPackage', resource: { type: 'Package', org: 'acme', name: 'pdf', team, visibility: 'org' } });
    expect(org.authorize(publish('legacy'))).toMatchObject({ decision: 'deny', policyIds: ['legacy-frozen'] });
    expect(org.authorize(publish('web'))).toMatchObject({ decision: 'allow', policyIds: ['org-publisher'] });
  });

  it('a permit cannot get past the scope, visibility and owner forbids', () => {
    const lax = createRbacEngine({ policies: [{ id: 'lax', text: '@id("everyone-everything")\npermit (principal, action, resource);\n' }] });
    expect(lax.authorize(request({ scopes: ['read'], action: 'publishPackage', resource: orgResource('Package') }))).toMatchObject({ decision: 'deny', policyIds: ['scope-publish'] });
    expect(lax.authorize(request({ action: 'readPackage', resource: { type: 'Package', org: 'acme', name: 'x', team: 'web', visibility: 'team' } })).decision).toBe('deny');
    expect(lax.authorize(request({ action: 'manageMembers', resource: { type: 'Member', org: 'acme', user: 'ada', grants: 'owner' } })).decision).toBe('deny');
    expect(lax.authorize(request({ action: 'manageOrg', resource: orgResource('Org') }))).toMatchObject({ decision: 'allow', policyIds: ['everyone-everything'] });
  });

  it('are validated against the org schema: POLICY_INVALID with the file and line', () => {
    const gateway = thrown(() => createRbacEngine({ policies: [{ id: 'gw', file: 'org/gw.cedar', text: 'permit (principal, action == Skillsync::Action::"callTool", resource);' }] }));
    expect(gateway.code).toBe('POLICY_INVALID');
    expect(gateway.message).toMatch(/^org\/gw\.cedar:1:\d+: .*Skillsync::Action::"callTool"/);
    expect(thrown(() => createRbacEngine({ policies: [{ id: 'ctx', text: 'forbid (principal, action, resource) when { context.client == "x" };' }] })).message).toMatch(/attribute `client`/);
    expect(thrown(() => createRbacEngine({ policies: [{ id: 'rbac', text: '' }] })).message).toMatch(/Two policy files have the id "rbac"/);
    expect(thrown(() => createRbacEngine({ policies: [{ id: 'dup', text: '@id("org-owner")\nforbid (principal, action, resource);' }] })).message).toMatch(/"org-owner" is used twice/);
  });
});

describe('docs/policy.md', () => {
  it('shows the org schema as shipped, and its org policy examples validate against it', async () => {
    const docs = await readFile(new URL('../../../../docs/policy.md', import.meta.url), 'utf8');
    expect(docs).toContain(RBAC_CEDAR_SCHEMA.trim());
    const blocks = [...docs.matchAll(/```cedar\n([\s\S]*?)```/g)].map((match) => match[1]!).filter((block) => block.includes('SkillsyncOrg::'));
    expect(blocks.length).toBeGreaterThan(0);
    for (const [index, text] of blocks.entries()) {
      expect(() => createRbacEngine({ policies: [{ id: `example${index}`, text }] }), text).not.toThrow();
    }
  });
});
