/**
 * The Cedar schema every skillsync policy is validated against (docs/policy.md shows
 * it too; a test keeps the two equal). Entity ids:
 * - `User::"<user>"`, a member of `Team::"<team>"` and `Role::"<role>"`;
 * - `Tool::"<connector>/<tool>"` (likewise `Prompt`, `Resource`), in `Connector::"<connector>"`;
 *   without a connector the id is the name alone;
 * - `Skill::"<skill name>"`.
 * `context.arguments` holds the call's top-level arguments as tags (string values).
 */
export const SKILLSYNC_CEDAR_SCHEMA = `namespace Skillsync {
  entity Team;
  entity Role;
  entity User in [Team, Role];
  entity Connector;
  entity Tool in [Connector];
  entity Prompt in [Connector];
  entity Resource in [Connector];
  entity Skill;
  // The arguments of a call: one tag per top-level argument, its value as a string.
  entity Arguments tags String;

  type RequestContext = {
    client: String,
    arguments?: Arguments,
  };

  action callTool appliesTo { principal: [User], resource: [Tool], context: RequestContext };
  action readResource appliesTo { principal: [User], resource: [Resource], context: RequestContext };
  action getPrompt appliesTo { principal: [User], resource: [Prompt], context: RequestContext };
  action useSkill appliesTo { principal: [User], resource: [Skill], context: RequestContext };
}
`;

/** The Cedar namespace of the schema; entity types are `Skillsync::<Type>`. */
export const CEDAR_NAMESPACE = 'Skillsync';

/** A Cedar schema with what an engine needs to know about it. */
export interface CedarSchema {
  /** Names the schema in Cedar's cache of preparsed schemas: unique per schema. */
  readonly name: string;
  /** The namespace of its entity types and actions (`<namespace>::<Type>`). */
  readonly namespace: string;
  readonly text: string;
}

/** The gateway's schema: what `checkPolicies` and `createPolicyEngine` validate against unless told otherwise. */
export const GATEWAY_CEDAR_SCHEMA: CedarSchema = { name: 'skillsync', namespace: CEDAR_NAMESPACE, text: SKILLSYNC_CEDAR_SCHEMA };

/**
 * What the gateway enforces when no policy file exists: everyone may do everything.
 * The commented examples are the shapes docs/policy.md explains.
 */
export const DEFAULT_POLICY = `// skillsync default policy: every user may use every tool, resource, prompt and skill.
// Cedar denies whatever no permit allows, and a forbid always wins over a permit.
@id("default-permit-all")
permit (principal, action, resource);

// Forbid one tool for everyone (tool ids are "<connector>/<tool>"):
// forbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Tool::"github/delete_repository");

// Restrict a connector to one team:
// forbid (principal, action, resource in Skillsync::Connector::"prod-db")
//   unless { principal in Skillsync::Team::"sre" };

// Allow a tool only to a role:
// forbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Tool::"github/merge_pull_request")
//   unless { principal in Skillsync::Role::"maintainer" };

// Look at the arguments of a call:
// forbid (principal, action == Skillsync::Action::"callTool", resource in Skillsync::Connector::"filesystem")
//   when { context has arguments && context.arguments.hasTag("path") && context.arguments.getTag("path") like "/etc/*" };
`;

/** The default policy as a policy file, for an engine when no policy file exists. */
export const DEFAULT_POLICY_FILE = { id: 'default', text: DEFAULT_POLICY, file: '<built-in default policy>' } as const;
