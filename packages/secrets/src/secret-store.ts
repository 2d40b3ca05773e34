export type SecretBackend = 'file' | 'keychain';

/** What `list` tells about a secret: never its value. */
export interface SecretInfo {
  readonly name: string;
  /** ISO 8601, when the value was last set. */
  readonly updatedAt: string;
}

export interface SetSecretResult {
  /** The name held a value before, and it was replaced. */
  readonly replaced: boolean;
}

/**
 * Named secrets of one user. Values go in through `set` and out through `get` only;
 * nothing else (list, errors, details) ever carries one.
 */
export interface SecretStore {
  readonly backend: SecretBackend;
  /** The folder of the file store, or of the keychain's name index. */
  readonly dir: string;
  set(name: string, value: string): Promise<SetSecretResult>;
  get(name: string): Promise<string | undefined>;
  has(name: string): Promise<boolean>;
  /** Sorted by name, in byte order. */
  list(): Promise<SecretInfo[]>;
  /** False when there was no such secret. */
  remove(name: string): Promise<boolean>;
}

/** The file names inside the secrets folder. */
export const SECRET_FILES = {
  key: 'secrets.key',
  store: 'secrets.json',
  keychainIndex: 'keychain-index.json',
} as const;
