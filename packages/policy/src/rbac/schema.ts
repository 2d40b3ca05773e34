import type { CedarSchema } from '../cedar/schema.js';

/** Roles, in the org and in a team (docs/server-api.md, "Roles and actions"). */
export const ORG_ROLES = ['owner', 'admin', 'publisher', 'member', 'auditor'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** The scopes of an API token; they narrow a token below its user's role. */
export const TOKEN_SCOPES = ['read', 'publish', 'report', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What each scope gives: publish and report add to read, admin is everything the role allows. */
export const TOKEN_SCOPE_INCLUDES: Readonly<Record<TokenScope, readonly TokenScope[]>> = {
  read: ['read'],
  publish: ['read', 'publish'],
  report: ['read', 'report'],
  admin: ['read', 'publish', 'report', 'admin'],
};

/** The resource types each action applies to (the schema's `appliesTo`). */
export const RBAC_ACTION_RESOURCE_TYPES = {
  readOrg: ['Org', 'Team', 'Profile', 'Catalogue'],
  readPackage: ['Package'],
  publishPackage: ['Package'],
  managePackage: ['Package'],
  reportStatus: ['Org'],
  readParity: ['Org'],
  readAudit: ['Org'],
  editProfile: ['Profile'],
  manageCatalogue: ['Catalogue'],
  manageTeams: ['Org', 'Team'],
  manageMembers: ['Member'],
  manageTokens: ['Token'],
  manageOrg: ['Org'],
} as const satisfies Record<string, readonly RbacResourceType[]>;

export type RbacAction = keyof typeof RBAC_ACTION_RESOURCE_TYPES;
export type RbacResourceType = 'Org' | 'Team' | 'Package' | 'Profile' | 'Catalogue' | 'Member' | 'Token';

export const RBAC_ACTIONS = Object.keys(RBAC_ACTION_RESOURCE_TYPES) as readonly RbacAction[];

/** The Cedar namespace of the org schema; entity types are `SkillsyncOrg::<Type>`. */
export const RBAC_CEDAR_NAMESPACE = 'SkillsyncOrg';

/**
 * The Cedar schema of the org server's decisions (docs/policy.md shows it too; a test
 * keeps the two equal). Entity ids are names within the org: `Org::"<org>"`,
 * `Team::"<team>"`, `Package::"<skill name>"`, `Profile::"org"` or `Profile::"team:<team>"`,
 * `Catalogue::"catalogue"`, `Member::"<user>"` or `Member::"<team>/<user>"`,
 * `Token::"<token id>"` (`Token::""` for one being created). What belongs to a team is
 * in that team, and everything is in its org.
 */
export const RBAC_CEDAR_SCHEMA = `namespace SkillsyncOrg {
  entity User;
  entity Org;
  entity Team in [Org];
  // A skill; in its owning team, if it has one. visibility: "org" (every member) or
  // "team" (only the owning team's members, and org owners, admins and auditors).
  entity Package in [Org, Team] = { visibility: String };
  // The org profile, or a team's profile (in that team).
  entity Profile in [Org, Team];
  // The approved connector catalogue.
  entity Catalogue in [Org];
  // A membership being added, changed or removed: of the org, or of a team (in that team).
  // role: the user's present role there, if any; grants: the role being given, if any.
  entity Member in [Org, Team] = { user: User, role?: String, grants?: String };
  // An API token being created, listed or revoked, and the scopes it carries.
  entity Token in [Org] = { owner: User, scopes: Set<String> };

  // What the server knows about the caller: the role in the org, the role in the team
  // the resource is in (absent when the caller is not in it, or the resource is in no
  // team), and the scopes of the token the request came with. Scopes, here and on a
  // Token, hold those they include: publish and report include read, admin all four.
  type RequestContext = {
    orgRole: String,
    teamRole?: String,
    scopes: Set<String>,
  };

  action readOrg appliesTo { principal: [User], resource: [Org, Team, Profile, Catalogue], context: RequestContext };
  action readPackage appliesTo { principal: [User], resource: [Package], context: RequestContext };
  action publishPackage appliesTo { principal: [User], resource: [Package], context: RequestContext };
  action managePackage appliesTo { principal: [User], resource: [Package], context: RequestContext };
  action reportStatus appliesTo { principal: [User], resource: [Org], context: RequestContext };
  action readParity appliesTo { principal: [User], resource: [Org], context: RequestContext };
  action readAudit appliesTo { principal: [User], resource: [Org], context: RequestContext };
  action editProfile appliesTo { principal: [User], resource: [Profile], context: RequestContext };
  action manageCatalogue appliesTo { principal: [User], resource: [Catalogue], context: RequestContext };
  action manageTeams appliesTo { principal: [User], resource: [Org, Team], context: RequestContext };
  action manageMembers appliesTo { principal: [User], resource: [Member], context: RequestContext };
  action manageTokens appliesTo { principal: [User], resource: [Token], context: RequestContext };
  action manageOrg appliesTo { principal: [User], resource: [Org], context: RequestContext };
}
`;

export const RBAC_SCHEMA: CedarSchema = { name: 'skillsync-org', namespace: RBAC_CEDAR_NAMESPACE, text: RBAC_CEDAR_SCHEMA };
