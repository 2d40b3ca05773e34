import { registerSecret, SkillsyncError } from '@skillsync/core';

/** `${secret:NAME}`, with the name rule of the manifest's references (core find-secret-literals). */
const secretReference = /\$\{secret:([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/** Finds a secret's value by name; undefined when there is none. A `SecretStore`'s `get` fits. */
export type SecretLookup = (name: string) => string | undefined | Promise<string | undefined>;

/** The distinct secret names `text` refers to, in order of first use. */
export function findSecretReferences(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(secretReference), (match) => match[1] ?? ''))];
}

/**
 * Replaces every `${secret:NAME}` in `text` with the secret's value, for a connector's
 * environment or headers at spawn or connect time, never for a file. `${env:NAME}`
 * and any other text are left for the caller. Each name is looked up once; when any
 * is missing, throws SECRET_NOT_FOUND naming all of them (`details.names`) and
 * returns nothing half-resolved. Resolved values are registered with the redactor,
 * so a later error or log line that quotes one shows `[REDACTED]`.
 */
export async function resolveSecretReferences(text: string, lookup: SecretLookup): Promise<string> {
  const names = findSecretReferences(text);
  if (names.length === 0) return text;
  const values = new Map<string, string>();
  const missing: string[] = [];
  for (const name of names) {
    const value = await lookup(name);
    if (value === undefined) {
      missing.push(name);
    } else {
      registerSecret(value);
      values.set(name, value);
    }
  }
  if (missing.length > 0) {
    const list = missing.join(', ');
    throw new SkillsyncError('SECRET_NOT_FOUND', `${missing.length === 1 ? 'No secret is' : 'No secrets are'} stored under the ${missing.length === 1 ? 'name' : 'names'} ${list}.`, {
      hint: `Store ${missing.length === 1 ? 'it' : 'each'} with \`skillsync secret set ${missing[0] ?? 'NAME'}\` (the value is read from stdin or a hidden prompt).`,
      details: { names: missing },
    });
  }
  // A function replacer: `$&` or `$1` inside a value must stay literal.
  return text.replace(secretReference, (_match, name: string) => values.get(name) ?? '');
}
