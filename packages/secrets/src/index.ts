// Secrets: named values in the OS keychain or an encrypted file store, and the
// resolution of `${secret:NAME}` at spawn/connect time. See docs/secrets.md.
export {
  defaultSecretsDir,
  openSecretStore,
  SECRETS_BACKEND_VAR,
  type OpenSecretStoreOptions,
  type SecretBackendChoice,
} from './open-secret-store.js';
export type { SecretBackend, SecretInfo, SecretStore, SetSecretResult } from './secret-store.js';
export { KEYCHAIN_SERVICE, type KeyringEntry, type KeyringModule } from './keychain-store.js';
export { assertSecretName, isValidSecretName, MAX_SECRET_VALUE_BYTES, SECRET_NAME_PATTERN } from './secret-name.js';
export { findSecretReferences, resolveSecretReferences, type SecretLookup } from './secret-references.js';
