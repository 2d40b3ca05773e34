import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEnv, type Env, type Platform } from '@skillsync/core';
import { afterAll } from 'vitest';
import type { KeyringEntry, KeyringModule } from './keychain-store.js';

const tempDirs: string[] = [];

/** A fresh temp folder, removed after the test file's tests finish. */
export async function makeTempDir(prefix = 'ss-secrets-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A throw-away home with SKILLSYNC_HOME inside it, and a clock that ticks a second per call. */
export async function makeTestEnv(options: { platform?: Platform; vars?: Record<string, string> } = {}): Promise<Env> {
  const home = await makeTempDir();
  let tick = Date.UTC(2026, 0, 2, 3, 4, 5);
  return createEnv({
    home,
    cwd: home,
    platform: options.platform ?? 'linux',
    vars: { SKILLSYNC_HOME: path.join(home, 'skillsync'), ...options.vars },
    now: () => new Date((tick += 1000)),
  });
}

/** Every file under `dir` (relative path → bytes), for "the plaintext is nowhere" checks. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, full), await readFile(full));
  }
  return out;
}

/** An in-memory stand-in for `@napi-rs/keyring`, with a switch that makes every call fail like a locked keychain. */
export interface FakeKeyring extends KeyringModule {
  readonly items: Map<string, string>;
  readonly calls: string[];
  failing: boolean;
}

export function createFakeKeyring(): FakeKeyring {
  const items = new Map<string, string>();
  const calls: string[] = [];
  const fake: FakeKeyring = {
    items,
    calls,
    failing: false,
    Entry: class implements KeyringEntry {
      readonly #key: string;
      constructor(service: string, account: string) {
        this.#key = `${service}/${account}`;
      }
      #check(op: string): void {
        calls.push(`${op} ${this.#key}`);
        if (fake.failing) throw new Error('Platform secure storage failure: the keychain is locked');
      }
      setPassword(password: string): void {
        this.#check('set');
        items.set(this.#key, password);
      }
      getPassword(): string | null {
        this.#check('get');
        return items.get(this.#key) ?? null;
      }
      deletePassword(): boolean {
        this.#check('delete');
        return items.delete(this.#key);
      }
    },
  };
  return fake;
}
