import semver, { Range, type Comparator } from 'semver';

/**
 * A required skill's version (the shared `versionRequirement` schema): `latest` means any
 * version; anything else is a semver range as a manifest writes it.
 */
export const ANY_VERSION = 'latest';

/** Whether `version` (exact) meets `requirement`. */
export function meetsRequirement(version: string, requirement: string): boolean {
  if (requirement === ANY_VERSION) return true;
  return semver.valid(version) !== null && semver.satisfies(version, requirement);
}

/**
 * Comparator sets a merge may build before it gives up: `||` alternatives multiply, and
 * a profile is configuration, not something worth an exponential merge.
 */
const MAX_COMPARATOR_SETS = 256;

/**
 * The requirement every one of `requirements` implies, or undefined when no version can
 * meet them all. `latest` adds nothing; one distinct requirement is kept as written;
 * several become their intersection as semver normalises it (`^1.2.0` and `>=1.4.0` →
 * `>=1.4.0 <2.0.0-0`), each comparator set keeping only its tightest bounds.
 */
export function intersectRequirements(requirements: readonly string[]): string | undefined {
  const distinct = [...new Set(requirements.filter((requirement) => requirement !== ANY_VERSION))];
  if (distinct.length === 0) return ANY_VERSION;
  const [first, ...rest] = distinct;
  if (first === undefined || rest.length === 0) return first;
  let sets: readonly (readonly Comparator[])[] = new Range(first).set;
  for (const requirement of rest) {
    const next: (readonly Comparator[])[] = [];
    for (const left of sets) {
      for (const right of new Range(requirement).set) {
        const combined = tightest([...left, ...right]);
        if (combined !== undefined) next.push(combined);
        if (next.length > MAX_COMPARATOR_SETS) return undefined;
      }
    }
    if (next.length === 0) return undefined;
    sets = next;
  }
  return sets.map((set) => (set.length === 0 ? '*' : set.map((comparator) => comparator.value).join(' '))).join(' || ');
}

/**
 * Of requirements that cannot be merged, the one whose lowest admitted version is the
 * highest (`latest` admits 0.0.0); the first such on a tie. `requirements` is not empty.
 */
export function highestMinimum(requirements: readonly string[]): string {
  const minimumOf = (requirement: string): string => (requirement === ANY_VERSION ? '0.0.0' : (semver.minVersion(requirement)?.version ?? '0.0.0'));
  return requirements.reduce((best, requirement) => (semver.gt(minimumOf(requirement), minimumOf(best)) ? requirement : best));
}

/**
 * One comparator set with only its tightest lower bound, tightest upper bound and exact
 * version, or undefined when no version satisfies it.
 */
function tightest(comparators: readonly Comparator[]): readonly Comparator[] | undefined {
  let lower: Comparator | undefined;
  let upper: Comparator | undefined;
  let exact: Comparator | undefined;
  for (const comparator of comparators) {
    // `*` parses to a comparator without a version (an empty value): it bounds nothing.
    if (comparator.value === '') continue;
    const version = comparator.semver;
    switch (comparator.operator) {
      case '>':
      case '>=':
        if (lower === undefined || semver.gt(version, lower.semver) || (semver.eq(version, lower.semver) && comparator.operator === '>')) lower = comparator;
        break;
      case '<':
      case '<=':
        if (upper === undefined || semver.lt(version, upper.semver) || (semver.eq(version, upper.semver) && comparator.operator === '<')) upper = comparator;
        break;
      default:
        if (exact !== undefined && !semver.eq(version, exact.semver)) return undefined;
        exact = comparator;
    }
  }
  const kept = exact !== undefined ? [exact] : [lower, upper].filter((comparator): comparator is Comparator => comparator !== undefined);
  const range = kept.length === 0 ? '*' : kept.map((comparator) => comparator.value).join(' ');
  const satisfiable = semver.minVersion(range) !== null && [lower, upper].every((bound) => bound === undefined || exact === undefined || bound.test(exact.semver));
  return satisfiable ? kept : undefined;
}
