import { effectiveProfile, profile, type Profile } from '@skillsync/registry';
import { describe, expect, it } from 'vitest';
import { mergeProfiles, type ScopeProfile } from './merge-profiles.js';
import { highestMinimum, intersectRequirements, meetsRequirement } from './version-requirement.js';

const scoped = (scope: string, revision: number, input: Partial<Profile>): ScopeProfile => ({ scope, revision, profile: profile.parse(input) });

describe('intersectRequirements', () => {
  it('keeps one requirement as written and lets latest add nothing', () => {
    expect(intersectRequirements(['^1.2.0'])).toBe('^1.2.0');
    expect(intersectRequirements(['^1.2.0', '^1.2.0', 'latest'])).toBe('^1.2.0');
    expect(intersectRequirements(['latest', 'latest'])).toBe('latest');
  });

  it('intersects ranges, keeping the highest minimum and the lowest maximum', () => {
    expect(intersectRequirements(['>=1.2.0', '>=1.4.0'])).toBe('>=1.4.0');
    expect(intersectRequirements(['^1.2.0', '>=1.4.0'])).toBe('>=1.4.0 <2.0.0-0');
    expect(intersectRequirements(['*', '~1.4.2'])).toBe('>=1.4.2 <1.5.0-0');
    expect(intersectRequirements(['>=1.0.0', '1.3.0'])).toBe('1.3.0');
    expect(intersectRequirements(['^1.0.0 || ^3.0.0', '>=2.0.0'])).toBe('>=3.0.0 <4.0.0-0');
  });

  it('says when no version meets them all', () => {
    expect(intersectRequirements(['^1.0.0', '^2.0.0'])).toBeUndefined();
    expect(intersectRequirements(['1.2.0', '1.3.0'])).toBeUndefined();
    expect(intersectRequirements(['>=2.0.0', '1.5.0'])).toBeUndefined();
  });

  it('gives up on a product of alternatives too large to be worth it', () => {
    const alternatives = (operator: string): string => Array.from({ length: 17 }, (_, index) => `${operator}${index + 1}`).join('||');
    expect(intersectRequirements([alternatives('>='), alternatives('<')])).toBeDefined();
    expect(intersectRequirements([alternatives('>='), alternatives('<='), alternatives('^')])).toBeUndefined();
  });

  it('ranks unmergeable requirements by their minimum', () => {
    expect(highestMinimum(['^1.0.0', '^2.0.0', 'latest'])).toBe('^2.0.0');
    expect(highestMinimum(['>=1.0.0', '^1.0.0'])).toBe('>=1.0.0');
  });

  it('checks an installed version against a requirement', () => {
    expect(meetsRequirement('1.4.0', '>=1.4.0 <2.0.0-0')).toBe(true);
    expect(meetsRequirement('1.3.9', '>=1.4.0')).toBe(false);
    expect(meetsRequirement('0.0.1-beta', 'latest')).toBe(true);
  });
});

describe('mergeProfiles', () => {
  it('is the empty profile with a stable revision when no scope has one', () => {
    const merged = mergeProfiles(undefined, []);
    expect(merged).toMatchObject({ sources: [], required: [], blockedSkills: [], blockedConnectors: [], policies: [], conflicts: [] });
    expect(merged.allowedConnectors).toBeUndefined();
    expect(merged.instructions).toBeUndefined();
    expect(mergeProfiles(undefined, []).revision).toBe(merged.revision);
  });

  it('unions requirements and intersects the versions two scopes ask for', () => {
    const merged = mergeProfiles(scoped('org', 3, { required: [{ name: 'lint', version: '>=1.2.0' }, { name: 'docs', version: 'latest' }] }), [
      scoped('team:web', 1, { required: [{ name: 'lint', version: '>=1.4.0' }, { name: 'deploy', version: '^2.0.0' }] }),
    ]);
    expect(merged.required).toEqual([
      { name: 'deploy', version: '^2.0.0' },
      { name: 'docs', version: 'latest' },
      { name: 'lint', version: '>=1.4.0' },
    ]);
    expect(merged.conflicts).toEqual([]);
    expect(merged.sources).toEqual(['org', 'team:web']);
  });

  it('keeps the highest minimum of requirements that cannot both hold, and reports it', () => {
    const merged = mergeProfiles(scoped('org', 1, { required: [{ name: 'lint', version: '^1.0.0' }] }), [scoped('team:web', 1, { required: [{ name: 'lint', version: '^2.1.0' }] })]);
    expect(merged.required).toEqual([{ name: 'lint', version: '^2.1.0' }]);
    expect(merged.conflicts).toEqual([{ name: 'lint', kind: 'version', scopes: ['org', 'team:web'], resolution: '^2.1.0' }]);
  });

  it('blocks a skill one scope requires and another blocks, and reports it', () => {
    const merged = mergeProfiles(scoped('org', 1, { blockedSkills: ['risky', 'old'] }), [
      scoped('team:web', 2, { required: [{ name: 'risky', version: '^1.0.0' }], blockedSkills: ['old', 'legacy'] }),
    ]);
    expect(merged.required).toEqual([]);
    expect(merged.blockedSkills).toEqual(['legacy', 'old', 'risky']);
    expect(merged.conflicts).toEqual([{ name: 'risky', kind: 'blocked', scopes: ['team:web', 'org'], resolution: 'blocked' }]);
  });

  it('intersects the allowed connectors of the scopes that restrict them and unions the blocked ones', () => {
    const merged = mergeProfiles(scoped('org', 1, { allowedConnectors: ['github', 'jira', 'slack'], blockedConnectors: ['shell'] }), [
      scoped('team:a', 1, {}),
      scoped('team:b', 1, { allowedConnectors: ['slack', 'github', 'linear'], blockedConnectors: ['fs'] }),
    ]);
    expect(merged.allowedConnectors).toEqual(['github', 'slack']);
    expect(merged.blockedConnectors).toEqual(['fs', 'shell']);
    expect(mergeProfiles(scoped('org', 1, {}), [scoped('team:a', 1, { blockedConnectors: ['x'] })]).allowedConnectors).toBeUndefined();
  });

  it('keeps every policy under an id prefixed by its scope, and the instructions under a heading per scope', () => {
    const merged = mergeProfiles(scoped('org', 1, { policies: [{ id: 'no-shell', text: 'forbid (principal, action, resource);' }], instructions: 'Be kind.\n' }), [
      scoped('team:web', 1, { policies: [{ id: 'no-shell', text: 'permit (principal, action, resource);' }], instructions: 'Use the design system.' }),
      scoped('team:api', 1, {}),
    ]);
    expect(merged.policies.map((policy) => policy.id)).toEqual(['org/no-shell', 'team:web/no-shell']);
    expect(merged.instructions).toBe('## Org profile\n\nBe kind.\n\n## Team web\n\nUse the design system.');
    expect(merged.sources).toEqual(['org', 'team:api', 'team:web']);
    expect(effectiveProfile.safeParse(merged).success).toBe(true);
  });

  it('has a revision that follows every source revision and not the order teams are given in', () => {
    const org = scoped('org', 1, {});
    const a = scoped('team:a', 1, {});
    const b = scoped('team:b', 1, {});
    const base = mergeProfiles(org, [a, b]).revision;
    expect(mergeProfiles(org, [b, a]).revision).toBe(base);
    expect(mergeProfiles(org, [a, { ...b, revision: 2 }]).revision).not.toBe(base);
    expect(mergeProfiles({ ...org, revision: 2 }, [a, b]).revision).not.toBe(base);
    expect(mergeProfiles(org, [a]).revision).not.toBe(base);
  });
});
