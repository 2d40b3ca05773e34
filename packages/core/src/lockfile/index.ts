export {
  createEmptyLockfile,
  formatResolution,
  packageKey,
  parseResolution,
  serializeLockfile,
  splitPackageKey,
  LOCKFILE_FILE,
  LOCKFILE_VERSION,
  type LockedPackage,
  type LockedResolution,
  type LockedSignature,
  type LockedSkill,
  type Lockfile,
} from './lockfile.js';
export { parseLockfile, type ParseLockfileOptions } from './parse-lockfile.js';
