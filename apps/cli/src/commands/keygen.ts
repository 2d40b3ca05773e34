import { access } from 'node:fs/promises';
import { pathFor, SkillsyncError, writeFileAtomic } from '@skillsync/core';
import { generateSigningKeyPair, keyIdOf } from '@skillsync/store';
import type { keygenOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath, renderPairs } from '../format.js';

export interface KeygenData {
  /** The key's name in `trust.keys` (the base name of its files). */
  readonly name: string;
  readonly keyId: string;
  readonly publicKey: string;
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
}

export const keygenHandler = defineHandler({
  run: async ({ env, paths, options }: CommandInput<typeof keygenOptions>) => {
    const p = pathFor(env);
    // Not the current folder by default: that is often a repository, and a key there gets committed.
    const dir = options.out === undefined ? p.join(paths.config, 'keys') : p.resolve(env.cwd, options.out);
    const base = options.name ?? 'skillsync-signing';
    const privateKeyFile = p.join(dir, `${base}.pem`);
    const publicKeyFile = p.join(dir, `${base}.pub`);
    if (!options.force) {
      for (const file of [privateKeyFile, publicKeyFile]) {
        if (await exists(file)) {
          throw new SkillsyncError('FILE_WRITE_FAILED', `${file} already exists; a signing key is never replaced silently.`, {
            hint: 'Choose another --name or --out, or pass --force if you mean to replace the key.',
            details: { path: file },
          });
        }
      }
    }
    const pair = generateSigningKeyPair();
    // 0600 from creation: the private key is never readable by others, not even briefly.
    await writeFileAtomic(privateKeyFile, pair.privateKeyPem, { mode: 0o600 });
    await writeFileAtomic(publicKeyFile, `${pair.publicKey}\n`);
    const data: KeygenData = { name: base, keyId: keyIdOf(pair.publicKey), publicKey: pair.publicKey, privateKeyFile, publicKeyFile };
    return { ok: true, data };
  },
  render: (data: KeygenData, ui, env) =>
    [
      `${ui.green('created')} signing key ${ui.bold(data.keyId)}`,
      ...renderPairs(
        [
          ['private key', `${displayPath(env, data.privateKeyFile)} ${ui.dim('(mode 0600: keep it secret, never commit it)')}`],
          ['public key', displayPath(env, data.publicKeyFile)],
        ],
        ui,
      ),
      '',
      'To trust packages signed with it, add to skillsync.yaml:',
      ui.cyan(`  trust:\n    keys:\n      - name: ${data.name}\n        publicKey: ${data.publicKey}`),
    ].join('\n'),
});

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
