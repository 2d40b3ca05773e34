/**
 * rbac.cedar: the org server's roles and actions as Cedar (docs/server-api.md, "Roles and
 * actions"; docs/policy.md, "Org roles (RBAC)"). The permits give each role its actions;
 * the forbids then narrow by token scope, package visibility and the owner role. Tested
 * as the full matrix in engine.test.ts.
 */
export const RBAC_POLICY = `// skillsync org roles. Cedar denies whatever no permit allows, and a matching forbid
// wins over every permit: the permits give each role its actions, the forbids narrow.

// An org role applies to everything in the org.
@id("org-owner")
permit (principal, action, resource)
  when { context.orgRole == "owner" };

@id("org-admin")
permit (
  principal,
  action in [
    SkillsyncOrg::Action::"readOrg", SkillsyncOrg::Action::"readPackage",
    SkillsyncOrg::Action::"publishPackage", SkillsyncOrg::Action::"managePackage",
    SkillsyncOrg::Action::"reportStatus", SkillsyncOrg::Action::"readParity", SkillsyncOrg::Action::"readAudit",
    SkillsyncOrg::Action::"editProfile", SkillsyncOrg::Action::"manageCatalogue",
    SkillsyncOrg::Action::"manageTeams", SkillsyncOrg::Action::"manageMembers", SkillsyncOrg::Action::"manageTokens"
  ],
  resource
)
  when { context.orgRole == "admin" };

@id("org-publisher")
permit (
  principal,
  action in [
    SkillsyncOrg::Action::"readOrg", SkillsyncOrg::Action::"readPackage",
    SkillsyncOrg::Action::"publishPackage", SkillsyncOrg::Action::"managePackage",
    SkillsyncOrg::Action::"reportStatus"
  ],
  resource
)
  when { context.orgRole == "publisher" };

@id("org-member")
permit (
  principal,
  action in [SkillsyncOrg::Action::"readOrg", SkillsyncOrg::Action::"readPackage", SkillsyncOrg::Action::"reportStatus"],
  resource
)
  when { context.orgRole == "member" };

@id("org-auditor")
permit (
  principal,
  action in [
    SkillsyncOrg::Action::"readOrg", SkillsyncOrg::Action::"readPackage",
    SkillsyncOrg::Action::"readParity", SkillsyncOrg::Action::"readAudit"
  ],
  resource
)
  when { context.orgRole == "auditor" };

// A team role applies to that team's packages, profile and members: the server sends
// context.teamRole only for a resource in a team the caller is in. A team owner has the
// powers of a team admin; creating and deleting teams stays with the org.
@id("team-admin")
permit (
  principal,
  action in [
    SkillsyncOrg::Action::"publishPackage", SkillsyncOrg::Action::"managePackage",
    SkillsyncOrg::Action::"editProfile", SkillsyncOrg::Action::"manageMembers"
  ],
  resource
)
  when { context has teamRole && ["owner", "admin"].contains(context.teamRole) };

@id("team-publisher")
permit (
  principal,
  action in [SkillsyncOrg::Action::"publishPackage", SkillsyncOrg::Action::"managePackage"],
  resource
)
  when { context has teamRole && context.teamRole == "publisher" };

// Everyone may create, list and revoke their own tokens (within their scopes, below).
@id("own-tokens")
permit (principal, action == SkillsyncOrg::Action::"manageTokens", resource is SkillsyncOrg::Token)
  when { resource.owner == principal };

// Token scopes narrow a token below its user's role: read gives readOrg and readPackage,
// publish and report add their actions to read's, admin gives everything the role allows.
// context.scopes holds the scopes a token's scopes include (admin includes all four).
@id("scope-read")
forbid (principal, action in [SkillsyncOrg::Action::"readOrg", SkillsyncOrg::Action::"readPackage"], resource)
  unless { context.scopes.contains("read") };

@id("scope-publish")
forbid (principal, action in [SkillsyncOrg::Action::"publishPackage", SkillsyncOrg::Action::"managePackage"], resource)
  unless { context.scopes.contains("publish") };

@id("scope-report")
forbid (principal, action == SkillsyncOrg::Action::"reportStatus", resource)
  unless { context.scopes.contains("report") };

@id("scope-admin")
forbid (
  principal,
  action in [
    SkillsyncOrg::Action::"readParity", SkillsyncOrg::Action::"readAudit",
    SkillsyncOrg::Action::"editProfile", SkillsyncOrg::Action::"manageCatalogue",
    SkillsyncOrg::Action::"manageTeams", SkillsyncOrg::Action::"manageMembers", SkillsyncOrg::Action::"manageOrg"
  ],
  resource
)
  unless { context.scopes.contains("admin") };

// Others' tokens need the admin scope; one's own need the scopes of the token at hand, so
// a token cannot mint (or revoke) a token stronger than itself.
@id("scope-tokens")
forbid (principal, action == SkillsyncOrg::Action::"manageTokens", resource is SkillsyncOrg::Token)
  unless { context.scopes.contains("admin") || (resource.owner == principal && context.scopes.containsAll(resource.scopes)) };

// A package visible to one team: only that team's members and the org's owners, admins
// and auditors see it, and what one cannot see one cannot publish to or manage either.
@id("team-visibility")
forbid (
  principal,
  action in [SkillsyncOrg::Action::"readPackage", SkillsyncOrg::Action::"publishPackage", SkillsyncOrg::Action::"managePackage"],
  resource is SkillsyncOrg::Package
)
  when { resource.visibility == "team" }
  unless { context has teamRole || ["owner", "admin", "auditor"].contains(context.orgRole) };

// Granting the owner role, or changing or removing an owner, is manageOrg: org owners only.
@id("owner-role")
forbid (principal, action == SkillsyncOrg::Action::"manageMembers", resource is SkillsyncOrg::Member)
  when { (resource has role && resource.role == "owner") || (resource has grants && resource.grants == "owner") }
  unless { context.orgRole == "owner" };
`;

/** The shipped policy as a policy file: every RBAC engine starts with it. */
export const RBAC_POLICY_FILE = { id: 'rbac', text: RBAC_POLICY, file: '<built-in rbac.cedar>' } as const;
