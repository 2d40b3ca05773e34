import { describe, expect, it } from 'vitest';
import { effectiveProfile, exactVersion, isApiTokenShape, pageQuery, profileScope, slug, visibility } from './api-schemas.js';

describe('exactVersion', () => {
  it('takes a version in its one canonical spelling only: no build metadata, leading zeros or prefix', () => {
    for (const version of ['1.0.0', '0.1.2', '1.0.0-beta.1', '10.20.30-rc.1.x-y']) expect(exactVersion.safeParse(version).success, version).toBe(true);
    for (const version of ['1.0.0+evil', '1.0.0-beta+build.5', '01.0.0', '1.00.0', 'v1.0.0', '=1.0.0', ' 1.0.0', '1.0', 'latest', '']) {
      expect(exactVersion.safeParse(version).success, version).toBe(false);
    }
  });
});

describe('pageQuery', () => {
  it('refuses updated_since instead of dropping it, and pages as listQuery does', () => {
    expect(pageQuery.parse({ limit: '5', cursor: 'abc' })).toEqual({ limit: 5, cursor: 'abc' });
    const refused = pageQuery.safeParse({ updated_since: '2026-01-01T00:00:00Z' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({ path: ['updated_since'], message: expect.stringContaining('no update time') as string });
  });
});

describe('scopes', () => {
  it('are org or team:<slug>, alike for visibility and profile scopes and in policy ids', () => {
    for (const scope of ['org', 'team:web', 'team:a-1']) {
      expect(visibility.safeParse(scope).success && profileScope.safeParse(scope).success, scope).toBe(true);
    }
    for (const scope of ['team:', 'team:-web', 'team:Web', 'teams:web', 'org:x']) expect(visibility.safeParse(scope).success, scope).toBe(false);
    expect(slug.safeParse('a'.repeat(40)).success).toBe(true);
    expect(slug.safeParse('a'.repeat(41)).success).toBe(false);
    const policyId = effectiveProfile.shape.policies.element.shape.id;
    expect(['org/no-shell', 'team:web/a.b_c'].every((id) => policyId.safeParse(id).success)).toBe(true);
    expect(['team:-x/p', 'nowhere/p', 'org/'].some((id) => policyId.safeParse(id).success)).toBe(false);
  });
});

describe('isApiTokenShape', () => {
  it('is ssk_ and 43 base64url characters, nothing else', () => {
    expect(isApiTokenShape(`ssk_${'A1-_'.repeat(10)}abc`)).toBe(true);
    for (const text of [`ssk_${'a'.repeat(42)}`, `ssk_${'a'.repeat(44)}`, `SSK_${'a'.repeat(43)}`, `ssk_${'a'.repeat(42)}=`, '']) expect(isApiTokenShape(text), text).toBe(false);
  });
});
