import { SkillsyncError, suggest, type Env } from '@skillsync/core';
import { assertSecretName, MAX_SECRET_VALUE_BYTES, openSecretStore, type SecretBackend, type SecretInfo, type SecretStore } from '@skillsync/secrets';
import type { secretGetOptions, secretListOptions, secretRmOptions, secretSetOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { plural, renderTable, shortPath } from '../format.js';

export interface SecretSetData {
  readonly name: string;
  readonly backend: SecretBackend;
  readonly replaced: boolean;
}

export interface SecretGetData {
  readonly name: string;
  readonly value: string;
}

export interface SecretListData {
  readonly backend: SecretBackend;
  /** The file store's folder, or where the keychain's name index is kept. */
  readonly location: string;
  readonly secrets: readonly SecretInfo[];
}

export interface SecretRmData {
  readonly name: string;
  readonly backend: SecretBackend;
  readonly removed: true;
}

const backendLabel = (backend: SecretBackend): string => (backend === 'file' ? 'file store' : 'keychain');

/** `skillsync secret set NAME`: the value from --from-env, stdin (not a TTY) or a hidden prompt; never printed. */
export const secretSetHandler = defineHandler({
  run: async ({ env, positionals, options }: CommandInput<typeof secretSetOptions>): Promise<CommandResult<SecretSetData>> => {
    const name = positionals[0] ?? '';
    // Before asking for the value: nobody should type a secret for a name that is then refused.
    assertSecretName(name);
    const store = await openSecretStore({ env });
    const value = await readValue(env, name, options['from-env']);
    const { replaced } = await store.set(name, value);
    return { ok: true, data: { name, backend: store.backend, replaced } };
  },
  render: (data: SecretSetData, ui) =>
    `${ui.green('Stored')} secret ${ui.bold(data.name)} (${backendLabel(data.backend)}${data.replaced ? '; replaced the previous value' : ''})`,
});

/** `skillsync secret get NAME`: the value alone on stdout, for scripts. */
export const secretGetHandler = defineHandler({
  run: async ({ env, positionals }: CommandInput<typeof secretGetOptions>): Promise<CommandResult<SecretGetData>> => {
    const name = positionals[0] ?? '';
    const store = await openSecretStore({ env });
    const value = await store.get(name);
    if (value === undefined) throw await notFound(store, name, 'get');
    return { ok: true, data: { name, value } };
  },
  render: (data: SecretGetData) => data.value,
});

/** `skillsync secret list`: names and times, never values. */
export const secretListHandler = defineHandler({
  run: async ({ env }: CommandInput<typeof secretListOptions>): Promise<CommandResult<SecretListData>> => {
    const store = await openSecretStore({ env });
    return { ok: true, data: { backend: store.backend, location: store.dir, secrets: await store.list() } };
  },
  render: (data: SecretListData, ui, env) => {
    const where = `${backendLabel(data.backend)}, ${shortPath(env, data.location)}`;
    if (data.secrets.length === 0) return `No secrets stored (${where}). Add one with \`skillsync secret set NAME\`.`;
    const rows = data.secrets.map((secret) => [secret.name, formatTime(secret.updatedAt)]);
    return [...renderTable(['name', 'updated'], rows, ui), '', `${plural(data.secrets.length, 'secret')} (${where})`].join('\n');
  },
});

/** `skillsync secret rm NAME`: exit 1 when there was no such secret. */
export const secretRmHandler = defineHandler({
  run: async ({ env, positionals }: CommandInput<typeof secretRmOptions>): Promise<CommandResult<SecretRmData>> => {
    const name = positionals[0] ?? '';
    const store = await openSecretStore({ env });
    if (!(await store.remove(name))) throw await notFound(store, name, 'rm');
    return { ok: true, data: { name, backend: store.backend, removed: true } };
  },
  render: (data: SecretRmData, ui) => `${ui.green('Removed')} secret ${ui.bold(data.name)} (${backendLabel(data.backend)})`,
});

async function notFound(store: SecretStore, name: string, command: 'get' | 'rm'): Promise<SkillsyncError> {
  const names = (await store.list()).map((secret) => secret.name);
  const meant = suggest(name, names);
  const where = backendLabel(store.backend);
  return new SkillsyncError('SECRET_NOT_FOUND', `No secret named ${name} in the ${where}.${meant === undefined ? '' : ` Did you mean ${meant}?`}`, {
    hint:
      meant === undefined
        ? `Run \`skillsync secret list\` to see the stored names, or \`skillsync secret set ${name}\` to store it.`
        : `Did you mean \`skillsync secret ${command} ${meant}\`? Run \`skillsync secret list\` to see the stored names.`,
    details: { name, backend: store.backend, ...(meant === undefined ? {} : { suggestion: meant }) },
  });
}

/** `2026-01-02 03:04 UTC` from an ISO time; anything else as it is. */
function formatTime(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match === null ? iso : `${match[1] ?? ''} ${match[2] ?? ''} UTC`;
}

async function readValue(env: Env, name: string, fromEnv: string | undefined): Promise<string> {
  if (fromEnv !== undefined) {
    const value = env.vars[fromEnv];
    if (value === undefined || value === '') {
      throw new SkillsyncError('SECRET_VALUE_INVALID', `The environment variable ${fromEnv} is ${value === undefined ? 'not set' : 'empty'}; nothing was stored.`, {
        details: { variable: fromEnv },
      });
    }
    return value;
  }
  const value = process.stdin.isTTY ? await promptHidden(`Value for ${name} (input hidden): `) : await readStdin();
  if (value === '') {
    throw new SkillsyncError('SECRET_VALUE_INVALID', `${process.stdin.isTTY ? 'No value was typed' : 'Nothing came on stdin'}; nothing was stored.`);
  }
  return value;
}

/** All of stdin, less one trailing newline (what `echo` and most commands add). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Room for the newline that is dropped; the store checks the exact limit.
  const limit = MAX_SECRET_VALUE_BYTES + 2;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new SkillsyncError('SECRET_VALUE_INVALID', `stdin holds more than ${MAX_SECRET_VALUE_BYTES} bytes (64 KiB), the limit of a secret; nothing was stored.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads one line from the terminal without echoing it. Ctrl-C or Ctrl-D on an empty line cancels. */
export function promptHidden(prompt: string): Promise<string> {
  const { stdin, stderr } = process;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (cancelled: boolean): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (cancelled) {
        reject(new SkillsyncError('SECRET_VALUE_INVALID', 'Cancelled at the prompt; nothing was stored.', { hint: 'Run the command again when you have the value to enter.' }));
      } else {
        resolve(value);
      }
    };
    // Arrow keys and the like arrive as escape sequences (ESC [ … final byte): they are not part of the value.
    let escape: 'none' | 'start' | 'csi' = 'none';
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (escape === 'start') {
          escape = char === '[' ? 'csi' : 'none';
        } else if (escape === 'csi') {
          if (char >= '@' && char <= '~') escape = 'none';
        } else if (char === '\u001b') {
          escape = 'start';
        } else if (char === '\r' || char === '\n') {
          finish(false);
          return;
        } else if (char === '\u0003' || (char === '\u0004' && value === '')) {
          finish(true);
          return;
        } else if (char === '\u0004') {
          finish(false);
          return;
        } else if (char === '\u007f' || char === '\b') {
          value = Array.from(value).slice(0, -1).join('');
        } else if (char === '\u0015') {
          value = '';
        } else if (char >= ' ') {
          value += char;
        }
      }
    };
    stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}
