import type { Whoami } from '@skillsync/registry';
import { describe, expect, it } from 'vitest';
import { mayManagePackage } from './org-roles.js';

const who = (role: Whoami['role'], scopes: Whoami['token']['scopes'], teams: Whoami['teams'] = []): Pick<Whoami, 'role' | 'teams' | 'token'> => ({
  role,
  teams,
  token: { id: 't', name: 't', scopes, expiresAt: '2027-01-01T00:00:00Z' },
});

describe('mayManagePackage', () => {
  it('offers yank and deprecate to owners, admins and publishers of the org, with a publish or admin token', () => {
    for (const role of ['owner', 'admin', 'publisher'] as const) {
      expect(mayManagePackage(who(role, ['admin']), 'org')).toBe(true);
      expect(mayManagePackage(who(role, ['read', 'publish']), 'team:platform')).toBe(true);
    }
  });

  it('not to members and auditors, nor with a token of the read or report scope', () => {
    expect(mayManagePackage(who('member', ['admin']), 'org')).toBe(false);
    expect(mayManagePackage(who('auditor', ['admin']), 'org')).toBe(false);
    expect(mayManagePackage(who('owner', ['read', 'report']), 'org')).toBe(false);
  });

  it('to a member who publishes for the skill’s own team only', () => {
    const teamPublisher = who('member', ['publish'], [{ team: 'platform', role: 'publisher' }]);
    expect(mayManagePackage(teamPublisher, 'team:platform')).toBe(true);
    expect(mayManagePackage(teamPublisher, 'team:web')).toBe(false);
    expect(mayManagePackage(teamPublisher, 'org')).toBe(false);
    expect(mayManagePackage(who('member', ['publish'], [{ team: 'platform', role: 'member' }]), 'team:platform')).toBe(false);
  });
});
