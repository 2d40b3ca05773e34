export * from './errors/index.js';
export * from './env/index.js';
export * from './fs/index.js';
export * from './clients/client-ids.js';
export * from './skill/index.js';
export * from './text/index.js';
export * from './manifest/index.js';
export * from './lockfile/index.js';
