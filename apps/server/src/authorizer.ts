import { SkillsyncError } from '@skillsync/core';
import { createRbacEngine, type RbacEngine, type RbacResource } from '@skillsync/policy';
import { teamOfScope } from './scopes.js';
import type { ActionTarget, Authorizer, Caller, OrgAction } from './server-context.js';

/**
 * Stands for "any", where a check is about a kind of resource rather than one of them
 * (may this caller manage members at all?). Never a slug, so it never names a real one.
 */
const ANY = '*';

/**
 * The server's Authorizer over the Cedar RBAC engine (rbac.cedar): the caller's org
 * role, their role in the team the target belongs to, and their token's scopes decide.
 */
export function createServerAuthorizer(engine: RbacEngine = createRbacEngine()): Authorizer {
  const allows = (caller: Caller, action: OrgAction, target: ActionTarget = {}): boolean => {
    const resource = resourceOf(caller.org, action, target);
    const team = 'team' in resource ? resource.team : undefined;
    const teamRole = team === undefined ? undefined : caller.teams.get(team);
    const decision = engine.authorize({
      user: caller.user,
      orgRole: caller.orgRole,
      ...(teamRole === undefined ? {} : { teamRole }),
      scopes: caller.token.scopes,
      action,
      resource,
    });
    return decision.decision === 'allow';
  };
  return {
    allows,
    require(caller, action, target) {
      if (!allows(caller, action, target)) {
        throw new SkillsyncError('SERVER_FORBIDDEN', `Your role or token does not allow ${action} here.`, { details: { action } });
      }
    },
  };
}

/** The Cedar resource an action is decided on, from what the route knows about its target. */
function resourceOf(org: string, action: OrgAction, target: ActionTarget): RbacResource {
  const visibilityTeam = target.visibility === undefined ? undefined : teamOfScope(target.visibility);
  const team = target.team ?? visibilityTeam;
  const inTeam = team === undefined ? {} : { team };
  switch (action) {
    case 'readPackage':
    case 'publishPackage':
    case 'managePackage':
      return { type: 'Package', org, name: target.name ?? ANY, ...inTeam, visibility: visibilityTeam === undefined ? 'org' : 'team' };
    case 'editProfile':
      return { type: 'Profile', org, ...inTeam };
    case 'manageCatalogue':
      return { type: 'Catalogue', org };
    case 'manageMembers':
      return { type: 'Member', org, ...inTeam, user: target.member?.user ?? ANY, ...optional('role', target.member?.role), ...optional('grants', target.member?.grants) };
    case 'manageTokens':
      return { type: 'Token', org, owner: target.token?.owner ?? ANY, scopes: target.token?.scopes ?? [], ...optional('id', target.token?.id) };
    case 'readOrg':
    case 'manageTeams':
      return team === undefined ? { type: 'Org', org } : { type: 'Team', org, team };
    case 'reportStatus':
    case 'readParity':
    case 'readAudit':
    case 'manageOrg':
      return { type: 'Org', org };
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
