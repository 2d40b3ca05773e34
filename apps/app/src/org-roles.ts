import type { Whoami } from '@skillsync/registry';

/** The roles that may yank and deprecate (docs/server-api.md: managePackage). */
const MANAGING_ROLES: ReadonlySet<string> = new Set(['owner', 'admin', 'publisher']);

/**
 * Whether the Org pages offer yank and deprecate for a skill of `visibility` (`org` or
 * `team:<team>`): a token with the publish or admin scope, and a managing role in the
 * org or in the skill's team. The registry decides; this only spares a button that could not work.
 */
export function mayManagePackage(whoami: Pick<Whoami, 'role' | 'teams' | 'token'>, visibility: string): boolean {
  if (!whoami.token.scopes.some((scope) => scope === 'publish' || scope === 'admin')) return false;
  if (MANAGING_ROLES.has(whoami.role)) return true;
  const team = visibility.startsWith('team:') ? visibility.slice('team:'.length) : undefined;
  return whoami.teams.some((membership) => membership.team === team && MANAGING_ROLES.has(membership.role));
}
