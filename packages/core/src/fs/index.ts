export { atomicWriteTempName, atomicWriteTempTarget, createFileAtomic, syncDirectory, writeFileAtomic, type AtomicWriteOptions } from './atomic-write.js';
export { withFileLock, type FileLockOptions } from './file-lock.js';
export { mapConcurrent } from './map-concurrent.js';
export { syncTree } from './sync-tree.js';
export { pathExists, readTextIfExists, readTextIfExistsSync } from './read-text-if-exists.js';
export { writeTreeDurably, type TreeToWrite } from './write-tree.js';
