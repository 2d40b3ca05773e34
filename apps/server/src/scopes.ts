// A profile's scope and a skill's visibility share one form: `org`, or `team:<team>`.
// These two functions are the only place that spells it.

export const ORG_SCOPE = 'org';
const TEAM_PREFIX = 'team:';

/** A team → `team:<team>`; no team → `org`. */
export function scopeOfTeam(team: string | undefined): string {
  return team === undefined ? ORG_SCOPE : `${TEAM_PREFIX}${team}`;
}

/** `team:<team>` → the team; `org` → undefined. */
export function teamOfScope(scope: string): string | undefined {
  return scope.startsWith(TEAM_PREFIX) ? scope.slice(TEAM_PREFIX.length) : undefined;
}
