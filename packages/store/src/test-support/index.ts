// Helpers for tests of packages and of what takes them in (the server's publish): raw and
// hostile tarballs, temp folders. Imported as @skillsync/store/test-support, never from production code.
export { buildPackage, buildRawTar, gzipTar, listTree, makeTempDir, validSkillMd, writeTree, type RawEntry } from './tar-fixtures.js';
