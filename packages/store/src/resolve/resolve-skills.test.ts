import { describe, expect, it } from 'vitest';
import type { Lockfile } from '@skillsync/core';
import type { SkillSource } from '../sources/skill-source.js';
import { resolveSkills, type ResolveRoot, type ResolveSkillsOptions } from './resolve-skills.js';

/** name → version → its `requires.skills`. */
type Catalogue = Record<string, Record<string, Record<string, string>>>;

function fakeSource(catalogue: Catalogue, resolved = 'registry+file:///fake'): SkillSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    listVersions(name) {
      calls.push(`list ${name}`);
      return Promise.resolve(Object.keys(catalogue[name] ?? {}));
    },
    fetch() {
      return Promise.reject(new Error('the resolver never fetches'));
    },
    describe: () => resolved,
  };
}

function setup(catalogue: Catalogue, roots: Record<string, string>, extra: Partial<ResolveSkillsOptions> = {}): ResolveSkillsOptions {
  const source = fakeSource(catalogue);
  return {
    roots: Object.entries(roots).map(([name, range]): ResolveRoot => ({ name, range, source })),
    sourceForDependency: () => source,
    readDependencies: (_source, name, version) => Promise.resolve(catalogue[name]?.[version] ?? {}),
    ...extra,
  };
}

function summary(result: Awaited<ReturnType<typeof resolveSkills>>): Record<string, string> | string[] {
  if (!result.ok) return result.problems.map((problem) => problem.code);
  return Object.fromEntries(result.packages.map((item) => [item.name, item.version]));
}

function lockOf(versions: Record<string, string>, resolved = 'registry+file:///fake'): Lockfile {
  const integrity = `sha512-${Buffer.alloc(64).toString('base64')}`;
  return {
    lockfileVersion: 1,
    skills: {},
    packages: Object.fromEntries(Object.entries(versions).map(([name, version]) => [`${name}@${version}`, { resolved, integrity }])),
  };
}

const catalogue: Catalogue = {
  app: { '1.0.0': { pdf: '^1.0.0', fmt: '~2.1.0' }, '1.1.0': { pdf: '^1.2.0', fmt: '~2.1.0' }, '2.0.0-rc.1': {} },
  pdf: { '1.0.0': {}, '1.2.0': { fmt: '^2.0.0' }, '1.3.0': { fmt: '^2.0.0' }, '2.0.0': {} },
  fmt: { '2.0.0': {}, '2.1.0': {}, '2.1.5': {}, '2.2.0': {} },
};

describe('resolveSkills', () => {
  it('resolves transitively to the highest satisfying versions, one per name', async () => {
    const result = await resolveSkills(setup(catalogue, { app: '^1.0.0' }));
    expect(summary(result)).toEqual({ app: '1.1.0', fmt: '2.1.5', pdf: '1.3.0' });
    expect(result.ok && result.packages.find((item) => item.name === 'app')).toMatchObject({ root: true, dependencies: { fmt: '2.1.5', pdf: '1.3.0' } });
    expect(result.ok && result.packages.find((item) => item.name === 'fmt')?.root).toBe(false);
  });

  it('ignores prereleases unless the range asks for them', async () => {
    expect(summary(await resolveSkills(setup(catalogue, { app: '*' })))).toMatchObject({ app: '1.1.0' });
    expect(summary(await resolveSkills(setup(catalogue, { app: '2.0.0-rc.1' })))).toEqual({ app: '2.0.0-rc.1' });
  });

  it('prefers the locked version while it still satisfies, unless updating', async () => {
    const locked = lockOf({ app: '1.0.0', pdf: '1.2.0', fmt: '2.1.0' });
    expect(summary(await resolveSkills(setup(catalogue, { app: '^1.0.0' }, { locked })))).toEqual({ app: '1.0.0', fmt: '2.1.0', pdf: '1.2.0' });
    expect(summary(await resolveSkills(setup(catalogue, { app: '^1.0.0' }, { locked, update: ['pdf'] })))).toEqual({ app: '1.0.0', fmt: '2.1.0', pdf: '1.3.0' });
    expect(summary(await resolveSkills(setup(catalogue, { app: '^1.0.0' }, { locked, update: true })))).toEqual({ app: '1.1.0', fmt: '2.1.5', pdf: '1.3.0' });
    // A lock that no longer satisfies the range is not used for that name.
    expect(summary(await resolveSkills(setup(catalogue, { pdf: '^2.0.0' }, { locked })))).toEqual({ pdf: '2.0.0' });
    // Nor is one from another source.
    const elsewhere = lockOf({ fmt: '2.0.0' }, 'registry+file:///other');
    expect(summary(await resolveSkills(setup(catalogue, { fmt: '^2.0.0' }, { locked: elsewhere })))).toEqual({ fmt: '2.2.0' });
  });

  it('moves a pick when a later requirer narrows it', async () => {
    const narrowing: Catalogue = {
      a: { '1.0.0': { c: '^1.0.0' } },
      b: { '1.0.0': { c: '<1.5.0' } },
      c: { '1.0.0': {}, '1.4.0': {}, '1.9.0': { d: '^1.0.0' } },
      d: { '1.0.0': {} },
    };
    expect(summary(await resolveSkills(setup(narrowing, { a: '*', b: '*' })))).toEqual({ a: '1.0.0', b: '1.0.0', c: '1.4.0' });
  });

  it('reports a conflict naming both requirers and ranges', async () => {
    const conflicting: Catalogue = { a: { '1.0.0': { c: '^1.0.0' } }, b: { '1.0.0': { c: '^2.0.0' } }, c: { '1.0.0': {}, '2.0.0': {} } };
    const result = await resolveSkills(setup(conflicting, { a: '*', b: '*' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'DEPENDENCY_CONFLICT', details: { name: 'c' } });
    expect(result.problems[0]?.message).toContain('a@1.0.0 needs ^1.0.0');
    expect(result.problems[0]?.message).toContain('b@1.0.0 needs ^2.0.0');
    // The manifest and a dependency can disagree too.
    const withRoot = await resolveSkills(setup(conflicting, { a: '*', c: '^2.0.0' }));
    expect(!withRoot.ok && withRoot.problems[0]?.message).toContain('skillsync.yaml needs ^2.0.0');
  });

  it('reports cycles with their path and never loops', async () => {
    const cyclic: Catalogue = { a: { '1.0.0': { b: '^1.0.0' } }, b: { '1.0.0': { c: '^1.0.0' } }, c: { '1.0.0': { a: '^1.0.0' } }, self: { '1.0.0': { self: '*' } } };
    const result = await resolveSkills(setup(cyclic, { a: '*', b: '*' }));
    expect(!result.ok && result.problems).toEqual([
      expect.objectContaining({ code: 'DEPENDENCY_CYCLE', details: { cycle: ['a@1.0.0', 'b@1.0.0', 'c@1.0.0', 'a@1.0.0'] } }),
    ]);
    expect(summary(await resolveSkills(setup(cyclic, { self: '*' })))).toEqual(['DEPENDENCY_CYCLE']);
  });

  it('reports missing skills, missing versions and unreachable sources as values', async () => {
    expect(summary(await resolveSkills(setup(catalogue, { nope: '*' })))).toEqual(['VERSION_NOT_FOUND']);
    const missing = await resolveSkills(setup(catalogue, { pdf: '^9.0.0' }));
    expect(!missing.ok && missing.problems[0]?.message).toContain('it has 1.0.0, 1.2.0, 1.3.0, 2.0.0');
    const missingDependency = await resolveSkills(setup({ a: { '1.0.0': { ghost: '^1.0.0' } } }, { a: '*' }));
    expect(!missingDependency.ok && missingDependency.problems[0]).toMatchObject({ code: 'VERSION_NOT_FOUND', details: { name: 'ghost' } });
    const nowhere = await resolveSkills(setup({ a: { '1.0.0': { b: '*' } } }, { a: '*' }, { sourceForDependency: () => undefined }));
    expect(summary(nowhere)).toEqual(['REGISTRY_NOT_CONFIGURED']);
    const { SkillsyncError } = await import('@skillsync/core');
    const broken: SkillSource = {
      listVersions: () => Promise.reject(new SkillsyncError('SOURCE_UNREACHABLE', 'gone')),
      fetch: () => Promise.reject(new Error('no')),
      describe: () => 'registry+file:///gone',
    };
    expect(summary(await resolveSkills({ ...setup(catalogue, {}), roots: [{ name: 'a', range: '*', source: broken }] }))).toEqual(['SOURCE_UNREACHABLE']);
  });

  it('lets a local root with any version satisfy a dependency range on it, or conflict', async () => {
    const local: SkillSource = { listVersions: () => Promise.resolve(['0.9.0-dev']), fetch: () => Promise.reject(new Error('no')), describe: () => 'path:./fmt' };
    const options = setup(catalogue, { pdf: '1.3.0' });
    const roots = [...options.roots, { name: 'fmt', range: '*', source: local, anyVersion: true }];
    expect(summary(await resolveSkills({ ...options, roots }))).toEqual(['DEPENDENCY_CONFLICT']);
    expect(summary(await resolveSkills({ ...options, roots: roots.filter((root) => root.name === 'fmt') }))).toEqual({ fmt: '0.9.0-dev' });
  });

  it('lists each source once per name', async () => {
    const options = setup(catalogue, { app: '^1.0.0' });
    await resolveSkills(options);
    const calls = (options.roots[0]?.source as ReturnType<typeof fakeSource>).calls;
    expect(calls.filter((call) => call === 'list fmt')).toHaveLength(1);
  });
});
