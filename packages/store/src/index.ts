// Packages: pack, read, unpack, integrity, signatures, the content-addressed store.
export { packSkill, type PackedFile, type PackedSkill, type PackOptions } from './pack/pack-skill.js';
export {
  readPackage,
  type PackageContents,
  type PackageFile,
  type ReadPackageOptions,
} from './unpack/read-package.js';
export { readPackageSkill, type PackageSkill } from './unpack/package-skill.js';
export { unpackPackage, type UnpackedPackage, type UnpackOptions } from './unpack/unpack-package.js';
export { defaultPackageLimits, type PackageLimits } from './format/limits.js';
export { readSkillIdentity, type SkillIdentity } from './format/skill-identity.js';
export {
  computeIntegrity,
  integrityFromHex,
  integrityToHex,
  isIntegrity,
  parseIntegrity,
  verifyIntegrity,
  type Integrity,
  type ParsedIntegrity,
} from './integrity/integrity.js';
export {
  generateSigningKeyPair,
  keyIdOf,
  parsePublicKey,
  publicKeyOf,
  type SigningKeyPair,
} from './sign/signing-key.js';
export {
  parseSignature,
  serializeSignature,
  signaturePathFor,
  signIntegrity,
  verifyPackageSignature,
  type PackageSignature,
  type TrustedKey,
} from './sign/sign-integrity.js';
export {
  openStore,
  type AddPackageOptions,
  type Store,
  type StoreEntry,
  type StoreCheck,
  type StorePruneResult,
  type StoreVerifyReport,
} from './store/open-store.js';
export type { StoreCorruption, StoreCorruptionReason } from './store/check-store-entry.js';
export { listNames, storeEntryDir } from './store/store-layout.js';
export {
  hashSkillFolder,
  loadSkillFolderHasher,
  readSkillFolderState,
  readSkillFolderStateSync,
  readSkillTree,
  settleFingerprint,
  type ReadSkillFolderOptions,
  type ReadSkillFolderSyncOptions,
  type SettledFingerprint,
  type SkillFolderFingerprint,
  type SkillFolderHasher,
  type SkillFolderState,
  type SkillTree,
} from './store/hash-skill-folder.js';
export { RACY_WINDOW_MS, stampsSettled, type PathStamp } from './store/folder-stamps.js';

// Sources, resolution and install: manifest + lockfile → store.
export {
  createDirectoryRegistrySource,
  createLocalFolderSource,
  createSourceForResolution,
  createTarballSource,
  directoryRegistryPath,
  publishToDirectoryRegistry,
  resolutionForSpecifier,
  type FetchedPackage,
  type PublishedPackage,
  type RegistryReference,
  type RemoteSourceFactory,
  type ResolutionOptions,
  type SkillSource,
  type SourceOptions,
} from './sources/index.js';
export {
  resolveSkills,
  type DependencyRequirer,
  type ResolvedPackage,
  type ResolveProblem,
  type ResolveResult,
  type ResolveRoot,
  type ResolveSkillsOptions,
} from './resolve/index.js';
export {
  installedSkills,
  installSkills,
  outdatedSkills,
  type InstalledSkillEntry,
  type InstalledSkillsResult,
  type InstalledSkill,
  type InstallOutcome,
  type InstallProblem,
  type InstallResult,
  type InstallSkillsOptions,
  type InstallTrust,
  type ManifestInput,
  type OutdatedResult,
  type OutdatedSkill,
  type OutdatedSkillsOptions,
} from './install/index.js';
