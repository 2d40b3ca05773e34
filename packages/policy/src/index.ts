export * from './audit/index.js';
export * from './cedar/index.js';
export * from './rbac/index.js';
export * from './redaction/index.js';
