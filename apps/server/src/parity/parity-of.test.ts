import type { StatusReport } from '@skillsync/registry';
import { describe, expect, it } from 'vitest';
import { parityOf, type DeviceReport } from './parity-of.js';

const NO_DRIFT = { modified: 0, missing: 0, outdated: 0, conflict: 0 };

function device(name: string, skills: Record<string, string>, reportedAt: string, drift: Partial<StatusReport['drift']> = {}): DeviceReport {
  return {
    reportedAt,
    report: {
      device: name,
      clients: ['claude-code'],
      skills: Object.entries(skills).map(([skill, version]) => ({ name: skill, version, integrity: `sha512-${skill}` })),
      drift: { ...NO_DRIFT, ...drift },
    },
  };
}

const profile = { required: [{ name: 'lint', version: '>=1.2.0' }, { name: 'docs', version: 'latest' }], blockedSkills: ['legacy', 'risky'] };

describe('parityOf', () => {
  it('is unknown without a report', () => {
    expect(parityOf('mo', profile, [])).toEqual({ user: 'mo', state: 'unknown', devices: 0, missing: [], behind: [], blocked: [], drift: 0 });
  });

  it('is current when every device has every required skill at an admitted version and no drift', () => {
    const row = parityOf('mo', profile, [device('laptop', { lint: '1.3.0', docs: '0.1.0', extra: '9.0.0' }, '2026-01-02T00:00:00.000Z'), device('desktop', { lint: '1.2.0', docs: '2.0.0' }, '2026-01-03T00:00:00.000Z')]);
    expect(row).toEqual({ user: 'mo', state: 'current', reportedAt: '2026-01-03T00:00:00.000Z', devices: 2, missing: [], behind: [], blocked: [], drift: 0 });
  });

  it('is behind when one device lacks a required skill or has it below the requirement', () => {
    const row = parityOf('mo', profile, [
      device('laptop', { lint: '1.1.0', docs: '1.0.0' }, '2026-01-02T00:00:00.000Z'),
      device('desktop', { lint: '1.0.0' }, '2026-01-01T00:00:00.000Z', { modified: 2 }),
    ]);
    expect(row).toMatchObject({ state: 'behind', missing: ['docs'], behind: [{ name: 'lint', version: '1.0.0', required: '>=1.2.0' }], drift: 2, devices: 2, reportedAt: '2026-01-02T00:00:00.000Z' });
  });

  it('is drifted when everything required is there but a device counts drift', () => {
    const row = parityOf('mo', profile, [device('laptop', { lint: '1.2.0', docs: '1.0.0' }, '2026-01-02T00:00:00.000Z', { modified: 1, conflict: 2 })]);
    expect(row).toMatchObject({ state: 'drifted', drift: 3, missing: [], behind: [] });
  });

  it('ranks only semver versions, so a version it cannot read does not fail the whole parity', () => {
    const row = parityOf('mo', profile, [device('laptop', { lint: 'not-a-version', docs: '1.0.0' }, '2026-01-02T00:00:00.000Z'), device('desktop', { lint: '1.0.0', docs: '1.0.0' }, '2026-01-02T00:00:00.000Z')]);
    expect(row).toMatchObject({ state: 'behind', missing: [], behind: [{ name: 'lint', version: '1.0.0', required: '>=1.2.0' }] });
  });

  it('is current against an empty profile whatever is installed', () => {
    expect(parityOf('mo', { required: [], blockedSkills: [] }, [device('laptop', { legacy: '1.0.0' }, '2026-01-02T00:00:00.000Z')]).state).toBe('current');
  });

  it('is blocked when a device has a skill the profile blocks, naming each version once, before behind and drift', () => {
    const row = parityOf('mo', profile, [
      device('laptop', { lint: '1.0.0', legacy: '2.0.0', risky: '0.1.0' }, '2026-01-02T00:00:00.000Z', { modified: 1 }),
      device('desktop', { lint: '1.3.0', docs: '1.0.0', legacy: '1.10.0' }, '2026-01-03T00:00:00.000Z'),
      device('tablet', { lint: '1.3.0', docs: '1.0.0', legacy: '2.0.0' }, '2026-01-01T00:00:00.000Z'),
    ]);
    expect(row).toEqual({
      user: 'mo',
      state: 'blocked',
      reportedAt: '2026-01-03T00:00:00.000Z',
      devices: 3,
      missing: ['docs'],
      behind: [{ name: 'lint', version: '1.0.0', required: '>=1.2.0' }],
      blocked: [
        { name: 'legacy', version: '1.10.0' },
        { name: 'legacy', version: '2.0.0' },
        { name: 'risky', version: '0.1.0' },
      ],
      drift: 1,
    });
  });

  it('flags only what the profile blocks and a device has: installed and not blocked, or blocked and not installed, stays current', () => {
    const row = parityOf('mo', profile, [device('laptop', { lint: '1.2.0', docs: '1.0.0', 'legacy-tools': '1.0.0', extra: '1.0.0' }, '2026-01-02T00:00:00.000Z')]);
    expect(row).toMatchObject({ state: 'current', blocked: [] });
  });
});
