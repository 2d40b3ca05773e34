// The org registry's API contract (zod schemas, docs/server-api.md), shared by the server
// and the CLI, and the CLI's client of it: addresses, the typed client, the tokens kept
// per address, and the registry as a SkillSource for install.
export * from './api-schemas.js';
export { isLoopbackAddress, parseRegistryAddress, type RegistryAddress } from './registry-address.js';
export type { FetchFunction, RetryOptions } from './registry-http.js';
export {
  createRegistryClient,
  type AuditQuery,
  type DownloadedPackage,
  type ChangedSinceQuery,
  type PageQuery,
  type PublishInput,
  type PublishResult,
  type RegistryClient,
  type RegistryClientOptions,
  type SendOptions,
} from './registry-client.js';
export { parseEventStream, type RegistryEvent, type ServerSentEvent, type SubscribeOptions } from './event-stream.js';
export {
  loginRequired,
  openRegistryCredentials,
  REGISTRY_TOKEN_VAR,
  REGISTRY_VAR,
  registrySecretName,
  type RegistryCredentials,
  type RegistryCredentialsOptions,
} from './registry-credentials.js';
export { profileApplies, readRegistryIndex, REGISTRY_INDEX_FILE, registryIndexFile, type RegistryLogin } from './registry-index.js';
export { createHttpRegistrySource, httpRegistrySources, type HttpRegistrySourceOptions } from './http-registry-source.js';
