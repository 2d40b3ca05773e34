import { registerSecret, SkillsyncError } from '@skillsync/core';

/** The name rule of `${secret:NAME}` references, with a length cap. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** The largest value the store accepts, in bytes of UTF-8. */
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;

export function isValidSecretName(name: string): boolean {
  return SECRET_NAME_PATTERN.test(name);
}

/** Throws SECRET_NAME_INVALID unless `name` may name a secret. */
export function assertSecretName(name: string): void {
  if (isValidSecretName(name)) return;
  // A name that is not one may be a value pasted in the wrong place: show its shape, not its text.
  const printable = name.length > 0 && name.length <= 64 && /^[\x21-\x7e]*$/.test(name);
  const shown = printable ? `'${name}'` : `of ${name.length} characters`;
  throw new SkillsyncError('SECRET_NAME_INVALID', `The secret name ${shown} is not valid.`, {
    details: printable ? { name } : { length: name.length },
  });
}

/**
 * What every store does before it stores a secret: refuses a bad name or value, and
 * tells the redactor the value, so no log or error shown from here on can contain it.
 */
export function admitSecret(name: string, value: string): void {
  assertSecretName(name);
  assertSecretValue(value);
  registerSecret(value);
}

/** Throws SECRET_VALUE_INVALID when `value` is empty or too large; the message never contains the value. */
export function assertSecretValue(value: string): void {
  if (value.length === 0) {
    throw new SkillsyncError('SECRET_VALUE_INVALID', 'The secret value is empty.');
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_SECRET_VALUE_BYTES) {
    throw new SkillsyncError('SECRET_VALUE_INVALID', `The secret value is ${bytes} bytes; the limit is ${MAX_SECRET_VALUE_BYTES} (64 KiB).`, {
      details: { bytes, limit: MAX_SECRET_VALUE_BYTES },
    });
  }
}
