import { byEntryKey, errorCatalogue, type ErrorCode, formatResolution, isSkillsyncError, type LockedPackage, type Lockfile, LOCKFILE_VERSION, mapConcurrent, packageKey, parseResolution, type SerializedError, serializeLockfile, SkillsyncError, splitPackageKey } from '@skillsync/core';
import semver from 'semver';
import { verifyIntegrity, type Integrity } from '../integrity/integrity.js';
import { resolveSkills } from '../resolve/resolve-skills.js';
import { verifyPackageSignature, type PackageSignature, type TrustedKey } from '../sign/sign-integrity.js';
import { createSourceForResolution } from '../sources/create-skill-source.js';
import type { SkillSource } from '../sources/skill-source.js';
import type { Store, StoreEntry } from '../store/open-store.js';
import { createPackageLoader, type PackageLoader } from './load-package.js';
import { planRoots, type ManifestInput, type PlannedRoot } from './plan-roots.js';

/** Which signatures install accepts. Defaults to the manifest's `trust`. */
export interface InstallTrust {
  readonly keys: readonly TrustedKey[];
  /** Refuse registry and tarball packages without a valid signature by one of `keys`. Local folders are exempt. */
  readonly requireSignatures?: boolean | undefined;
}

export interface InstallSkillsOptions extends ManifestInput {
  /** The current lockfile, if there is one. */
  readonly lockfile?: Lockfile | undefined;
  /** Install exactly the lockfile; LOCKFILE_OUT_OF_DATE when it does not satisfy the manifest. */
  readonly frozen?: boolean | undefined;
  /** Re-resolve these skills (or all, with true) ignoring their locked versions. */
  readonly update?: readonly string[] | true | undefined;
  readonly store: Store;
  readonly trust?: InstallTrust | undefined;
}

/** `added`: new in the store; `present`: the store already had these bytes. */
export type InstallOutcome = 'added' | 'present';

export interface InstalledSkill {
  readonly name: string;
  readonly version: string;
  readonly integrity: Integrity;
  /** The store folder holding the skill's files. */
  readonly dir: string;
  /** True for a skill the manifest names, false for a dependency. */
  readonly root: boolean;
  readonly outcome: InstallOutcome;
  /** The source, as the lockfile's `resolved`. */
  readonly resolved: string;
  /** The name of the trusted key whose signature verified, when one did. */
  readonly signedBy?: string;
  /** The version the lockfile had before, when it changed. */
  readonly previousVersion?: string;
}

/** A reason install stopped, per skill where it has one (`details.name`). Nothing was added to the store. */
export type InstallProblem = SerializedError;

export type InstallResult =
  | {
      readonly ok: true;
      readonly skills: readonly InstalledSkill[];
      /** The lockfile for this install; write it (writeFileAtomic) only when `lockfileChanged`. */
      readonly lockfile: Lockfile;
      /** Always false with `frozen`. */
      readonly lockfileChanged: boolean;
    }
  | { readonly ok: false; readonly problems: readonly InstallProblem[] };

interface PlannedPackage {
  readonly name: string;
  readonly version: string;
  readonly source: SkillSource;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly root: boolean;
}

/**
 * Installs the manifest's skills and their dependencies into the store:
 * resolve (or, with `frozen`, take the lock as it is), fetch, re-verify every
 * integrity the lock records (INTEGRITY_MISMATCH refuses the install), verify
 * signatures against `trust`, then add everything to the store under its lock.
 * Any problem stops the install before the store is touched. Returns the new
 * lockfile; it never writes one.
 */
export async function installSkills(options: InstallSkillsOptions): Promise<InstallResult> {
  const plan = planRoots(options);
  if (plan.problems.length > 0) return { ok: false, problems: plan.problems };
  const trust = options.trust ?? trustOf(options.manifest);
  const loader = createPackageLoader();
  const lockfile = options.lockfile;
  if (Array.isArray(options.update)) {
    const known = new Set([...plan.roots.map((root) => root.name), ...Object.keys(lockfile?.packages ?? {}).map((key) => splitPackageKey(key)?.name)]);
    const unknown = (options.update as readonly string[]).filter((name) => !known.has(name));
    if (unknown.length > 0) return fail('SKILL_NOT_IN_MANIFEST', `Cannot update ${unknown.join(', ')}: not in the manifest or the lockfile.`, { names: unknown });
  }

  let packages: PlannedPackage[];
  if (options.frozen === true) {
    if (lockfile === undefined) return fail('LOCKFILE_MISSING', 'There is no skillsync.lock to install from with --frozen.', {});
    const stale = checkLockSatisfies(plan.roots, lockfile);
    if (stale.length > 0) return { ok: false, problems: stale };
    const fromLock = packagesFromLock(lockfile, plan.roots, options);
    if (!fromLock.ok) return fromLock;
    packages = fromLock.packages;
  } else {
    const resolved = await resolveSkills({
      roots: plan.roots.map((root) => ({ name: root.name, range: root.range, source: root.source, anyVersion: root.anyVersion })),
      locked: lockfile,
      update: options.update,
      sourceForDependency: (_name, requirer) =>
        plan.defaultRegistry ?? (requirer.source.describe().startsWith('registry+') ? requirer.source : undefined),
      readDependencies: async (source, name, version) => {
        const stored = await storedLockEntry({ name, version, source }, lockfile, options.store);
        return stored === undefined ? (await loader(source, name, version)).dependencies : (stored.locked.dependencies ?? {});
      },
    });
    if (!resolved.ok) return { ok: false, problems: resolved.problems };
    packages = [...resolved.packages];
  }

  const verified: (VerifiedPackage & { item: PlannedPackage })[] = [];
  const problems: InstallProblem[] = [];
  const outcomes = await mapConcurrent(packages, IO_CONCURRENCY, async (item) => {
    try {
      return { item, ...(await fetchAndVerify(item, { loader, lockfile, trust, frozen: options.frozen === true, store: options.store })) };
    } catch (error) {
      if (!isSkillsyncError(error)) throw error;
      problems.push({ ...error.toJSON(), details: { ...error.details, name: item.name, version: item.version } });
      return undefined;
    }
  });
  verified.push(...outcomes.filter((outcome) => outcome !== undefined));
  problems.sort((a, b) => comparePackages(a.details, b.details));
  if (problems.length > 0) return { ok: false, problems };

  // A package found in the store before the lock was taken may have been pruned since:
  // then it is fetched after all, and must still match the lock's integrity.
  const addToStore = async ({ item, tarball, integrity, stored }: VerifiedPackage & { item: PlannedPackage }): Promise<StoreEntry> => {
    const present = stored !== undefined && (await options.store.has(integrity)) ? stored : undefined;
    if (present !== undefined) return present;
    const bytes = tarball ?? (await loader(item.source, item.name, item.version)).tarball;
    return options.store.addPackage(bytes, { expectedIntegrity: integrity });
  };
  const previous = new Map(Object.entries(lockfile?.skills ?? {}).map(([name, skill]) => [name, skill.version]));
  const skills = await options.store.lock(async () => {
    return mapConcurrent(verified, IO_CONCURRENCY, async (verifiedPackage): Promise<InstalledSkill> => {
      const { item, integrity, signedBy } = verifiedPackage;
      const had = verifiedPackage.stored !== undefined || (await options.store.has(integrity));
      const entry = await addToStore(verifiedPackage);
      const before = previous.get(item.name);
      return {
        name: item.name,
        version: item.version,
        integrity,
        dir: entry.dir,
        root: item.root,
        outcome: had ? 'present' : 'added',
        resolved: item.source.describe(),
        ...(signedBy === undefined ? {} : { signedBy }),
        ...(before !== undefined && before !== item.version ? { previousVersion: before } : {}),
      };
    });
  });

  if (options.frozen === true && lockfile !== undefined) return { ok: true, skills, lockfile, lockfileChanged: false };
  const next: Lockfile = {
    lockfileVersion: LOCKFILE_VERSION,
    skills: Object.fromEntries(
      plan.roots.map((root) => [root.name, { specifier: root.canonical, version: verified.find(({ item }) => item.name === root.name)?.item.version ?? '' }]),
    ),
    packages: Object.fromEntries(
      verified.map(({ item, integrity, signature }): [string, LockedPackage] => [
        packageKey(item.name, item.version),
        {
          resolved: item.source.describe(),
          integrity,
          ...(signature === undefined ? {} : { signature: { algorithm: signature.algorithm, keyId: signature.keyId, signature: signature.signature } }),
          ...(Object.keys(item.dependencies).length === 0 ? {} : { dependencies: item.dependencies }),
        },
      ]),
    ),
  };
  const changed = lockfile === undefined || serializeLockfile(lockfile) !== serializeLockfile(next);
  return { ok: true, skills, lockfile: next, lockfileChanged: changed };
}

/** Enough parallel file work to keep the thread pool busy without exhausting file handles. */
const IO_CONCURRENCY = 16;

function comparePackages(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const key = (details: Record<string, unknown>): string => `${String(details.name)}@${String(details.version)}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

interface VerifiedPackage {
  /** Undefined when the lock's exact package is already in the store: nothing was fetched. */
  readonly tarball: Uint8Array | undefined;
  /** The intact store entry, when the package was found there. */
  readonly stored?: StoreEntry;
  readonly integrity: Integrity;
  readonly signature: PackageSignature | undefined;
  readonly signedBy: string | undefined;
}

/**
 * The lock's entry for `item` when it was resolved from the same source and its
 * integrity is in the store. The store is content-addressed and checked on the way
 * in, and `Store.check` re-hashes any entry whose files changed since, so such a
 * package needs no fetch: a repeated `install --frozen` costs a few stats per package
 * and still refuses a tampered store entry. Local folders are excluded:
 * their content is the user's working copy and must be re-read.
 */
async function storedLockEntry(
  item: Pick<PlannedPackage, 'name' | 'version' | 'source'>,
  lockfile: Lockfile | undefined,
  store: Store,
): Promise<{ locked: LockedPackage; entry: StoreEntry } | undefined> {
  const resolved = item.source.describe();
  if (resolved.startsWith('path:')) return undefined;
  const locked = lockfile?.packages[packageKey(item.name, item.version)];
  if (locked?.resolved !== resolved) return undefined;
  const stored = await store.check(locked.integrity);
  if (stored.state === 'corrupt') {
    throw new SkillsyncError('INTEGRITY_MISMATCH', `The stored copy of ${item.name}@${item.version} changed on disk: ${stored.corruption.message}`, {
      hint: 'Run `skillsync store verify --repair`, then install again to fetch a fresh copy.',
      details: { name: item.name, version: item.version, integrity: locked.integrity, reason: stored.corruption.reason },
    });
  }
  return stored.state === 'intact' ? { locked, entry: stored.entry } : undefined;
}

async function fetchAndVerify(
  item: PlannedPackage,
  context: { loader: PackageLoader; lockfile: Lockfile | undefined; trust: InstallTrust; frozen: boolean; store: Store },
): Promise<VerifiedPackage> {
  const stored = await storedLockEntry(item, context.lockfile, context.store);
  if (stored !== undefined) {
    const { locked, entry } = stored;
    return { tarball: undefined, stored: entry, integrity: locked.integrity, ...checkSignature(item, locked.integrity, locked.signature, context.trust) };
  }
  const loaded = await context.loader(item.source, item.name, item.version);
  const resolved = item.source.describe();
  const local = resolved.startsWith('path:');
  const locked = context.lockfile?.packages[packageKey(item.name, item.version)];
  const lockedHere = locked !== undefined && locked.resolved === resolved ? locked : undefined;
  if (lockedHere !== undefined && lockedHere.integrity !== loaded.integrity) {
    if (!local) verifyIntegrity(loaded.integrity, lockedHere.integrity);
    // A local folder is the user's own work in progress: a change is an edit, not tampering.
    if (context.frozen) {
      throw new SkillsyncError('LOCKFILE_OUT_OF_DATE', `The folder of ${item.name} (${resolved}) changed since skillsync.lock was written.`, {
        details: { name: item.name, reason: 'changed' },
      });
    }
  }
  if (local) return { tarball: loaded.tarball, integrity: loaded.integrity, signature: undefined, signedBy: undefined };
  // A signature in the lock still proves the bytes: it signs the integrity, not the file.
  const signature = loaded.signature ?? (lockedHere?.integrity === loaded.integrity ? lockedHere.signature : undefined);
  return { tarball: loaded.tarball, integrity: loaded.integrity, ...checkSignature(item, loaded.integrity, signature, context.trust) };
}

function checkSignature(
  item: PlannedPackage,
  integrity: Integrity,
  signature: PackageSignature | undefined,
  trust: InstallTrust,
): { signature: PackageSignature | undefined; signedBy: string | undefined } {
  const required = trust.requireSignatures === true;
  if (signature === undefined) {
    if (required) {
      throw new SkillsyncError('SIGNATURE_MISSING', `${item.name}@${item.version} from ${item.source.describe()} is not signed, and trust.requireSignatures is set.`, {
        details: { name: item.name, version: item.version },
      });
    }
    return { signature: undefined, signedBy: undefined };
  }
  if (trust.keys.length === 0 && !required) return { signature, signedBy: undefined };
  try {
    const key = verifyPackageSignature(integrity, signature, trust.keys);
    return { signature, signedBy: key.name ?? key.keyId };
  } catch (error) {
    // An unknown signer is only a refusal when signatures are required; a bad signature always is.
    if (!required && isSkillsyncError(error) && error.code === 'SIGNATURE_UNTRUSTED_KEY') return { signature, signedBy: undefined };
    throw error;
  }
}

/** Every way the lock fails the manifest, one LOCKFILE_OUT_OF_DATE per skill. */
function checkLockSatisfies(roots: readonly PlannedRoot[], lockfile: Lockfile): InstallProblem[] {
  const problems: InstallProblem[] = [];
  const stale = (name: string, reason: 'missing' | 'unsatisfied' | 'extra', message: string): void => {
    problems.push({ code: 'LOCKFILE_OUT_OF_DATE', message, hint: errorCatalogue.LOCKFILE_OUT_OF_DATE.hint, details: { name, reason } });
  };
  for (const root of roots) {
    const locked = lockfile.skills[root.name];
    const entry = locked === undefined ? undefined : lockfile.packages[packageKey(root.name, locked.version)];
    if (locked === undefined || entry === undefined) {
      stale(root.name, 'missing', `skillsync.lock has no entry for ${root.name} (${root.canonical}).`);
      continue;
    }
    const wanted = formatResolution(root.resolution);
    if (entry.resolved !== wanted) {
      stale(root.name, 'unsatisfied', `skillsync.lock has ${root.name} from ${entry.resolved}, but the manifest asks for ${wanted}.`);
    } else if (!root.anyVersion && !semver.satisfies(locked.version, root.range)) {
      stale(root.name, 'unsatisfied', `skillsync.lock has ${root.name}@${locked.version}, which does not satisfy ${root.canonical}.`);
    }
  }
  const names = new Set(roots.map((root) => root.name));
  for (const name of Object.keys(lockfile.skills).sort()) {
    if (!names.has(name)) stale(name, 'extra', `skillsync.lock has ${name}, which the manifest no longer asks for.`);
  }
  // Packages nothing reaches are leftovers of a removed skill.
  const reachable = new Set<string>();
  const queue = roots.flatMap((root) => {
    const locked = lockfile.skills[root.name];
    return locked === undefined ? [] : [packageKey(root.name, locked.version)];
  });
  while (queue.length > 0) {
    const key = queue.pop();
    if (key === undefined || reachable.has(key)) continue;
    reachable.add(key);
    for (const [name, version] of Object.entries(lockfile.packages[key]?.dependencies ?? {})) queue.push(packageKey(name, version));
  }
  for (const key of Object.keys(lockfile.packages).sort()) {
    const id = splitPackageKey(key);
    if (!reachable.has(key) && id !== undefined && !problems.some((item) => item.details.name === id.name)) {
      stale(id.name, 'extra', `skillsync.lock has ${key}, which no skill of the manifest requires.`);
    }
  }
  return problems;
}

function packagesFromLock(
  lockfile: Lockfile,
  roots: readonly PlannedRoot[],
  context: ManifestInput,
): { ok: true; packages: PlannedPackage[] } | { ok: false; problems: InstallProblem[] } {
  const packages: PlannedPackage[] = [];
  const problems: InstallProblem[] = [];
  for (const [key, entry] of Object.entries(lockfile.packages).sort(byEntryKey)) {
    const id = splitPackageKey(key);
    const resolution = parseResolution(entry.resolved);
    if (id === undefined || resolution === undefined) continue;
    try {
      const source = createSourceForResolution(resolution, { env: context.env, lockDir: context.manifestDir, remoteSource: context.remoteSource });
      packages.push({ ...id, source, dependencies: entry.dependencies ?? {}, root: roots.some((root) => root.name === id.name) });
    } catch (error) {
      if (!isSkillsyncError(error)) throw error;
      problems.push({ ...error.toJSON(), details: { ...error.details, name: id.name } });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, packages };
}

function trustOf(manifest: InstallSkillsOptions['manifest']): InstallTrust {
  const trust = manifest.trust;
  if (trust === undefined) return { keys: [] };
  return { keys: trust.keys.map((key) => ({ name: key.name, publicKey: key.publicKey })), requireSignatures: trust.requireSignatures };
}

function fail(code: ErrorCode, message: string, details: Record<string, unknown>): InstallResult {
  return { ok: false, problems: [{ code, message, hint: errorCatalogue[code].hint, details }] };
}
