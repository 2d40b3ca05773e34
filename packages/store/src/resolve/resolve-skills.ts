import { byEntryKey, byteOrder, errorCatalogue, type ErrorCode, isSkillsyncError, type Lockfile, packageKey, type SerializedError, splitPackageKey } from '@skillsync/core';
import semver from 'semver';
import type { SkillSource } from '../sources/skill-source.js';

/** A skill the manifest asks for. */
export interface ResolveRoot {
  readonly name: string;
  /** A semver range; `*` for "any release". */
  readonly range: string;
  readonly source: SkillSource;
  /**
   * True for a folder or a tarball: it has exactly one version and the manifest takes
   * whatever it is, prerelease included. Dependents' ranges still apply to it.
   */
  readonly anyVersion?: boolean;
}

/** Who asked for a dependency, for choosing where to fetch it from. */
export interface DependencyRequirer {
  readonly name: string;
  readonly version: string;
  readonly source: SkillSource;
}

export interface ResolveSkillsOptions {
  readonly roots: readonly ResolveRoot[];
  /** The current lockfile: a locked version that still fits is kept, so installs leave the lock alone. */
  readonly locked?: Lockfile | undefined;
  /** Names whose locked version is ignored (`update <names>`), or true for all. */
  readonly update?: readonly string[] | true | undefined;
  /** Where a skill that only appears as a dependency comes from; undefined when nowhere is configured. */
  readonly sourceForDependency: (name: string, requirer: DependencyRequirer) => SkillSource | undefined;
  /** The skills a package requires (`requires.skills` of its sidecar): name → semver range. */
  readonly readDependencies: (source: SkillSource, name: string, version: string) => Promise<Readonly<Record<string, string>>>;
}

export interface ResolvedPackage {
  readonly name: string;
  readonly version: string;
  readonly source: SkillSource;
  /** The chosen exact version of each skill it requires. */
  readonly dependencies: Readonly<Record<string, string>>;
  /** True when the manifest names it (not only a dependency). */
  readonly root: boolean;
  /** True when the version came from the lockfile rather than a fresh pick. */
  readonly fromLock: boolean;
}

/** A reason resolution failed, as a value: DEPENDENCY_CYCLE, DEPENDENCY_CONFLICT, VERSION_NOT_FOUND, … */
export type ResolveProblem = SerializedError;

export type ResolveResult =
  | { readonly ok: true; readonly packages: readonly ResolvedPackage[] }
  | { readonly ok: false; readonly problems: readonly ResolveProblem[] };

interface Constraint {
  readonly range: string;
  /** `name@version` of the requirer; undefined for the manifest. */
  readonly requiredBy: string | undefined;
  readonly anyVersion: boolean;
}

/** Picks are recomputed until they stop moving; real graphs settle in two or three rounds. */
const MAX_ROUNDS = 50;

/**
 * Chooses one version per skill name for the roots and everything they require,
 * transitively: the highest version that satisfies every range on it, except that
 * a locked version that still satisfies them is kept. Problems (missing versions,
 * conflicts naming both requirers, cycles with their path) are returned, never
 * thrown; the algorithm is bounded and never loops. Pure apart from the source calls.
 */
export async function resolveSkills(options: ResolveSkillsOptions): Promise<ResolveResult> {
  const roots = [...options.roots].sort((a, b) => byteOrder(a.name, b.name));
  const versionCache = new Map<string, Promise<string[]>>();
  const dependencyCache = new Map<string, Promise<Readonly<Record<string, string>>>>();
  const problems: ResolveProblem[] = [];
  const report = (problem: ResolveProblem): void => {
    if (!problems.some((known) => known.message === problem.message)) problems.push(problem);
  };
  const guard = async <T>(name: string, task: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await task();
    } catch (error) {
      if (!isSkillsyncError(error)) throw error;
      report({ ...error.toJSON(), details: { ...error.details, name } });
      return undefined;
    }
  };
  const listVersions = (source: SkillSource, name: string): Promise<string[]> => {
    const key = `${source.describe()}\n${name}`;
    let cached = versionCache.get(key);
    if (cached === undefined) {
      cached = source.listVersions(name);
      versionCache.set(key, cached);
    }
    return cached;
  };
  const readDependencies = (source: SkillSource, name: string, version: string): Promise<Readonly<Record<string, string>>> => {
    const key = `${source.describe()}\n${packageKey(name, version)}`;
    let cached = dependencyCache.get(key);
    if (cached === undefined) {
      cached = options.readDependencies(source, name, version);
      dependencyCache.set(key, cached);
    }
    return cached;
  };

  const updateAll = options.update === true;
  const updated = new Set(options.update === true ? [] : (options.update ?? []));
  const lockedVersions = new Map<string, { version: string; resolved: string }>();
  for (const [key, entry] of Object.entries(options.locked?.packages ?? {})) {
    const id = splitPackageKey(key);
    if (id !== undefined) lockedVersions.set(id.name, { version: id.version, resolved: entry.resolved });
  }

  const pick = async (name: string, source: SkillSource, constraints: readonly Constraint[]): Promise<{ version: string; fromLock: boolean } | undefined> => {
    const versions = await guard(name, () => listVersions(source, name));
    if (versions === undefined) return undefined;
    const fits = (version: string, constraint: Constraint): boolean => constraint.anyVersion || semver.satisfies(version, constraint.range);
    const candidates = versions.filter((version) => semver.valid(version) !== null && constraints.every((constraint) => fits(version, constraint)));
    if (candidates.length === 0) {
      report(noVersionProblem(name, source, versions, constraints, fits));
      return undefined;
    }
    const locked = lockedVersions.get(name);
    if (!updateAll && !updated.has(name) && locked !== undefined && locked.resolved === source.describe() && candidates.includes(locked.version)) {
      return { version: locked.version, fromLock: true };
    }
    const best = candidates.sort(semver.rcompare)[0];
    return best === undefined ? undefined : { version: best, fromLock: false };
  };

  interface Round {
    readonly constraints: Map<string, Constraint[]>;
    readonly sources: Map<string, SkillSource>;
    readonly order: string[];
    readonly dependencies: Map<string, Readonly<Record<string, string>>>;
  }

  /** Walks the graph from the roots with the current picks, collecting every range on every name. */
  const walk = async (picks: Map<string, { version: string; fromLock: boolean }>): Promise<Round> => {
    const constraints = new Map<string, Constraint[]>();
    const sources = new Map<string, SkillSource>();
    const dependencies = new Map<string, Readonly<Record<string, string>>>();
    const order: string[] = [];
    const add = (name: string, constraint: Constraint): void => {
      const list = constraints.get(name) ?? [];
      list.push(constraint);
      constraints.set(name, list);
    };
    for (const root of roots) {
      add(root.name, { range: root.range, requiredBy: undefined, anyVersion: root.anyVersion === true });
      sources.set(root.name, root.source);
    }
    const queue = roots.map((root) => root.name);
    const visited = new Set<string>();
    while (queue.length > 0) {
      const name = queue.shift();
      if (name === undefined || visited.has(name)) continue;
      visited.add(name);
      order.push(name);
      const source = sources.get(name);
      if (source === undefined) continue;
      let chosen = picks.get(name);
      if (chosen === undefined) {
        chosen = await pick(name, source, constraints.get(name) ?? []);
        if (chosen === undefined) continue;
        picks.set(name, chosen);
      }
      const version = chosen.version;
      const requires = await guard(name, () => readDependencies(source, name, version));
      if (requires === undefined) continue;
      dependencies.set(name, requires);
      for (const [dependency, range] of Object.entries(requires).sort(byEntryKey)) {
        add(dependency, { range, requiredBy: packageKey(name, version), anyVersion: false });
        if (!sources.has(dependency)) {
          const dependencySource = options.sourceForDependency(dependency, { name, version, source });
          if (dependencySource === undefined) {
            report(problem('REGISTRY_NOT_CONFIGURED', `${name}@${version} requires ${dependency}, and no registry is configured to fetch it from.`, { name: dependency, requiredBy: packageKey(name, version) }));
            continue;
          }
          sources.set(dependency, dependencySource);
        }
        queue.push(dependency);
      }
    }
    return { constraints, sources, order, dependencies };
  };

  let picks = new Map<string, { version: string; fromLock: boolean }>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const current = await walk(picks);
    if (problems.length > 0) return { ok: false, problems };
    const next = new Map<string, { version: string; fromLock: boolean }>();
    for (const name of current.order) {
      const source = current.sources.get(name);
      if (source === undefined) continue;
      const chosen = await pick(name, source, current.constraints.get(name) ?? []);
      if (chosen !== undefined) next.set(name, chosen);
    }
    if (problems.length > 0) return { ok: false, problems };
    const settled = next.size === picks.size && [...next].every(([name, chosen]) => picks.get(name)?.version === chosen.version);
    if (!settled) {
      picks = next;
      continue;
    }
    const packages = current.order.map((name): ResolvedPackage => {
      const chosen = next.get(name);
      const source = current.sources.get(name);
      if (chosen === undefined || source === undefined) throw new Error(`resolution lost ${name}`);
      const requires = current.dependencies.get(name) ?? {};
      const dependencies = Object.fromEntries(
        Object.keys(requires)
          .sort(byteOrder)
          .map((dependency) => [dependency, next.get(dependency)?.version ?? '']),
      );
      return { name, version: chosen.version, source, dependencies, root: roots.some((root) => root.name === name), fromLock: chosen.fromLock };
    });
    const cycles = findCycles(packages, roots.map((root) => root.name));
    if (cycles.length > 0) return { ok: false, problems: cycles };
    return { ok: true, packages: packages.sort((a, b) => byteOrder(a.name, b.name)) };
  }
  return {
    ok: false,
    problems: [problem('DEPENDENCY_CONFLICT', `The versions of ${[...picks.keys()].sort(byteOrder).join(', ')} did not settle after ${MAX_ROUNDS} rounds.`, { names: [...picks.keys()] })],
  };
}

function noVersionProblem(
  name: string,
  source: SkillSource,
  versions: readonly string[],
  constraints: readonly Constraint[],
  fits: (version: string, constraint: Constraint) => boolean,
): ResolveProblem {
  const who = (constraint: Constraint): string => constraint.requiredBy ?? 'skillsync.yaml';
  const requirements = constraints.map((constraint) => ({ requiredBy: who(constraint), range: constraint.anyVersion ? '*' : constraint.range }));
  const available = [...versions].filter((version) => semver.valid(version) !== null).sort(semver.compare);
  const alone = constraints.filter((constraint) => !available.some((version) => fits(version, constraint)));
  // A folder or tarball in the manifest pins its one version: a dependent that wants another conflicts with the manifest.
  const pinned = constraints.some((constraint) => constraint.anyVersion);
  if (available.length === 0 || constraints.length < 2 || (alone.length > 0 && !pinned)) {
    const first = alone[0] ?? constraints[0];
    const wanted = first === undefined ? '' : ` matching ${first.anyVersion ? '*' : first.range} (required by ${who(first)})`;
    return problem(
      'VERSION_NOT_FOUND',
      available.length === 0
        ? `${source.describe()} has no versions of ${name}.`
        : `${source.describe()} has no version of ${name}${wanted}; it has ${available.join(', ')}.`,
      { name, source: source.describe(), available, requirements },
    );
  }
  const listed = requirements.map((requirement) => `${requirement.requiredBy} needs ${requirement.range}`).join(' but ');
  return problem('DEPENDENCY_CONFLICT', `No single version of ${name} satisfies everyone: ${listed} (available: ${available.join(', ')}).`, {
    name,
    available,
    requirements,
  });
}

/** Every distinct cycle reachable from the roots, each reported once with its path. */
function findCycles(packages: readonly ResolvedPackage[], roots: readonly string[]): ResolveProblem[] {
  const byName = new Map(packages.map((item) => [item.name, item]));
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const seen = new Set<string>();
  const problems: ResolveProblem[] = [];
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'active') {
      const cycle = stack.slice(stack.indexOf(name));
      const rotation = cycle.indexOf([...cycle].sort(byteOrder)[0] ?? name);
      const canonical = [...cycle.slice(rotation), ...cycle.slice(0, rotation)];
      const key = canonical.join('>');
      if (!seen.has(key)) {
        seen.add(key);
        const path = [...canonical, canonical[0] ?? name].map((item) => packageKey(item, byName.get(item)?.version ?? '?'));
        problems.push(problem('DEPENDENCY_CYCLE', `Skills require each other in a cycle: ${path.join(' → ')}.`, { cycle: path }));
      }
      return;
    }
    state.set(name, 'active');
    stack.push(name);
    for (const dependency of Object.keys(byName.get(name)?.dependencies ?? {})) visit(dependency);
    stack.pop();
    state.set(name, 'done');
  };
  for (const root of roots) visit(root);
  return problems;
}

function problem(code: ErrorCode, message: string, details: Record<string, unknown>): ResolveProblem {
  return { code, message, hint: errorCatalogue[code].hint, details };
}
