// Helpers for tests of the state layer and of what builds on it (the server): a fresh
// PostgreSQL schema per test, and a way to drop its connections as a restart would.
// Imported as @skillsync/state/test-support, never from production code.
export { createTestSchema, TEST_POSTGRES_URL, type TestSchema } from './postgres-schema.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
