export { syncDirectory, writeFileAtomic, type AtomicWriteOptions } from './atomic-write.js';
