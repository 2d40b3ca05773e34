import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { byteOrder, type Env, isRecord, pathFor, registerSecret, SkillsyncError, withFileLock, writeFileAtomic } from '@skillsync/core';
import { ensureSecretDir, readJsonFile } from './secret-files.js';
import { admitSecret, assertSecretName, isValidSecretName } from './secret-name.js';
import { SECRET_FILES, type SecretInfo, type SecretStore, type SetSecretResult } from './secret-store.js';

const FORMAT_VERSION = 1;
const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** One encrypted value as stored: base64 fields, and when it was set. */
interface EncryptedEntry {
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
  readonly updatedAt: string;
}

interface StoreContents {
  /** Identifies the key the entries were written with (an HMAC under it, not the key). */
  readonly keyId: string | undefined;
  /** A Map, not an object: `__proto__` and `constructor` are valid secret names. */
  readonly secrets: Map<string, EncryptedEntry>;
}

export interface FileSecretStoreOptions {
  readonly env: Env;
  /** The secrets folder: holds `secrets.key` and `secrets.json`. */
  readonly dir: string;
}

/**
 * The encrypted file store: AES-256-GCM under a random 32-byte key kept in an
 * owner-only key file next to it, each entry with its own IV and with the secret's
 * name as additional authenticated data, so an entry moved under another name (or
 * changed in any way) fails to decrypt instead of yielding the wrong secret.
 */
export function openFileSecretStore(options: FileSecretStoreOptions): SecretStore {
  const { env, dir } = options;
  const p = pathFor(env);
  const keyFile = p.join(dir, SECRET_FILES.key);
  const storeFile = p.join(dir, SECRET_FILES.store);

  const readStore = async (): Promise<StoreContents | undefined> => parseStoreFile(await readJsonFile(storeFile), storeFile);

  const readKey = async (): Promise<Buffer | undefined> => readKeyFile(keyFile, env);

  const keyFor = async (contents: StoreContents): Promise<Buffer> => {
    const key = await readKey();
    if (key === undefined) {
      throw new SkillsyncError('SECRET_STORE_CORRUPT', `The key file ${keyFile} is missing, so the secrets in ${storeFile} cannot be decrypted.`, {
        hint: `Restore ${keyFile} from where you keep it, or delete ${storeFile} and set every secret again.`,
        details: { path: keyFile },
      });
    }
    if (contents.keyId !== undefined && contents.keyId !== keyIdOf(key)) {
      throw new SkillsyncError('SECRET_STORE_CORRUPT', `The key file ${keyFile} is not the key ${storeFile} was written with.`, {
        hint: `Restore the original ${keyFile}, or delete ${storeFile} and set every secret again.`,
        details: { path: keyFile },
      });
    }
    return key;
  };

  const store: SecretStore = {
    backend: 'file',
    dir,
    set: async (name, value): Promise<SetSecretResult> => {
      admitSecret(name, value);
      await ensureSecretDir(env, dir);
      return withFileLock(storeFile, async () => {
        const current = (await readStore()) ?? { keyId: undefined, secrets: new Map<string, EncryptedEntry>() };
        let key: Buffer;
        if (current.secrets.size === 0) {
          // Nothing is encrypted yet: reuse the key file when there is one, else create it.
          key = (await readKey()) ?? (await createKeyFile(keyFile));
        } else {
          key = await keyFor(current);
        }
        const secrets = new Map(current.secrets);
        const replaced = secrets.has(name);
        secrets.set(name, encrypt(key, name, value, env.now()));
        await writeFileAtomic(storeFile, serializeStore({ keyId: keyIdOf(key), secrets }), { mode: 0o600 });
        return { replaced };
      });
    },
    get: async (name) => {
      assertSecretName(name);
      const contents = await readStore();
      const entry = contents?.secrets.get(name);
      if (contents === undefined || entry === undefined) return undefined;
      const value = decrypt(await keyFor(contents), name, entry, storeFile);
      registerSecret(value);
      return value;
    },
    has: async (name) => {
      assertSecretName(name);
      return (await readStore())?.secrets.has(name) ?? false;
    },
    list: async (): Promise<SecretInfo[]> => {
      const contents = await readStore();
      if (contents === undefined) return [];
      return [...contents.secrets]
        .map(([name, entry]) => ({ name, updatedAt: entry.updatedAt }))
        .sort((a, b) => byteOrder(a.name, b.name));
    },
    remove: async (name) => {
      assertSecretName(name);
      if (!(await store.has(name))) return false;
      return withFileLock(storeFile, async () => {
        const current = await readStore();
        if (current?.secrets.has(name) !== true) return false;
        const secrets = new Map(current.secrets);
        secrets.delete(name);
        await writeFileAtomic(storeFile, serializeStore({ keyId: current.keyId, secrets }), { mode: 0o600 });
        return true;
      });
    },
  };
  return store;
}

/** The additional authenticated data of an entry: binds the ciphertext to its name and format. */
function aadFor(name: string): Buffer {
  return Buffer.from(`skillsync-secret:v${FORMAT_VERSION}:${name}`, 'utf8');
}

function encrypt(key: Buffer, name: string, value: string, now: Date): EncryptedEntry {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadFor(name));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64'), updatedAt: now.toISOString() };
}

function decrypt(key: Buffer, name: string, entry: EncryptedEntry, storeFile: string): string {
  const corrupt = (why: string): SkillsyncError =>
    new SkillsyncError('SECRET_STORE_CORRUPT', `The secret ${name} in ${storeFile} ${why}.`, { details: { name, path: storeFile } });
  const iv = decodeBase64(entry.iv);
  const tag = decodeBase64(entry.tag);
  const data = decodeBase64(entry.data);
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || data === undefined) throw corrupt('is damaged');
  try {
    const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aadFor(name));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch {
    throw corrupt('fails authentication: it was changed, or moved from another name, after it was written');
  }
}

function decodeBase64(text: string): Buffer | undefined {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0 ? Buffer.from(text, 'base64') : undefined;
}

/** An HMAC under the key: tells a replaced key file from a changed entry, and reveals nothing of the key. */
function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update('skillsync secrets key id').digest('base64url').slice(0, 22);
}

async function createKeyFile(keyFile: string): Promise<Buffer> {
  const key = randomBytes(KEY_BYTES);
  // 0600 from creation, atomically: no moment where the key is readable by others or half written.
  await writeFileAtomic(keyFile, key, { mode: 0o600 });
  return key;
}

/** The key, or undefined when there is no key file. Refuses a key others could read. Exported for tests. */
export async function readKeyFile(keyFile: string, env: Env): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(keyFile, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SkillsyncError('FILE_READ_FAILED', `Could not read the key file ${keyFile} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      details: { path: keyFile },
      cause: error,
    });
  }
  try {
    // Checked on the open handle, so the file read is the file checked.
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new SkillsyncError('SECRET_STORE_CORRUPT', `The key file ${keyFile} is not a regular file.`, { details: { path: keyFile } });
    }
    // Windows has no POSIX mode bits (its ACLs are not visible here): the check is POSIX only.
    if (env.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      throw new SkillsyncError('SECRET_KEY_PERMISSIONS', `The key file ${keyFile} can be read or changed by other users (mode ${mode}); skillsync does not use it.`, {
        hint: `Run \`chmod 600 ${keyFile}\`. If others may have read it, set your secrets again with new values.`,
        details: { path: keyFile, mode },
      });
    }
    const key = await handle.readFile();
    if (key.length !== KEY_BYTES) {
      throw new SkillsyncError('SECRET_STORE_CORRUPT', `The key file ${keyFile} is ${key.length} bytes; a skillsync key is ${KEY_BYTES}.`, {
        details: { path: keyFile },
      });
    }
    return key;
  } finally {
    await handle.close();
  }
}

function parseStoreFile(raw: unknown, file: string): StoreContents | undefined {
  if (raw === undefined) return undefined;
  const corrupt = (why: string): SkillsyncError =>
    new SkillsyncError('SECRET_STORE_CORRUPT', `${file} is not a skillsync secrets file: ${why}.`, { details: { path: file } });
  if (!isRecord(raw)) throw corrupt('it is not a JSON object');
  if (raw.version !== FORMAT_VERSION) throw corrupt(`its version is not ${FORMAT_VERSION}`);
  if (raw.cipher !== CIPHER) throw corrupt(`its cipher is not ${CIPHER}`);
  if (raw.keyId !== undefined && typeof raw.keyId !== 'string') throw corrupt('its keyId is not a string');
  const keyId = typeof raw.keyId === 'string' ? raw.keyId : undefined;
  if (!isRecord(raw.secrets)) throw corrupt('it has no `secrets` object');
  const secrets = new Map<string, EncryptedEntry>();
  for (const [name, entry] of Object.entries(raw.secrets)) {
    if (!isValidSecretName(name)) throw corrupt('it holds an entry whose name is not a valid secret name');
    // Each entry's fields are checked when it is decrypted, so one damaged entry can still be removed.
    const field = (key: string): string => (isRecord(entry) && typeof entry[key] === 'string' ? entry[key] : '');
    secrets.set(name, { iv: field('iv'), tag: field('tag'), data: field('data'), updatedAt: field('updatedAt') });
  }
  if (secrets.size > 0 && keyId === undefined) throw corrupt('it has no keyId');
  return { keyId, secrets };
}

function serializeStore(contents: { readonly keyId: string | undefined; readonly secrets: ReadonlyMap<string, EncryptedEntry> }): string {
  const names = [...contents.secrets.keys()].sort(byteOrder);
  // Object.fromEntries defines own properties, so a secret named `__proto__` is kept as data.
  const secrets = Object.fromEntries(names.map((name) => [name, contents.secrets.get(name)]));
  return `${JSON.stringify({ version: FORMAT_VERSION, cipher: CIPHER, keyId: contents.keyId, secrets }, null, 2)}\n`;
}
