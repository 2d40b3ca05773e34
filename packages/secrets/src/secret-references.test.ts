import { redactSecrets, REDACTED, type SkillsyncError } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { findSecretReferences, resolveSecretReferences } from './secret-references.js';

const secrets: Record<string, string> = { GITHUB_TOKEN: 'ghs-resolved-1234', 'api.key-2': 'k$&$1v', EMPTYISH: ' ' };
const lookup = (name: string): string | undefined => secrets[name];

describe('resolveSecretReferences', () => {
  it('replaces every ${secret:NAME}, leaving ${env:NAME} and other text for the caller', async () => {
    expect(await resolveSecretReferences('Bearer ${secret:GITHUB_TOKEN}', lookup)).toBe('Bearer ghs-resolved-1234');
    expect(await resolveSecretReferences('${secret:GITHUB_TOKEN}:${secret:GITHUB_TOKEN}/${env:HOME}/${other}', lookup)).toBe(
      'ghs-resolved-1234:ghs-resolved-1234/${env:HOME}/${other}',
    );
    expect(await resolveSecretReferences('no references', lookup)).toBe('no references');
    // Replacement patterns in a value stay literal.
    expect(await resolveSecretReferences('x=${secret:api.key-2}', lookup)).toBe('x=k$&$1v');
    // Not a reference: an invalid name, or another spelling.
    expect(await resolveSecretReferences('${secret:1BAD} ${SECRET:GITHUB_TOKEN} ${secret: GITHUB_TOKEN}', lookup)).toBe(
      '${secret:1BAD} ${SECRET:GITHUB_TOKEN} ${secret: GITHUB_TOKEN}',
    );
  });

  it('accepts an async lookup and asks once per name', async () => {
    const asked: string[] = [];
    const value = await resolveSecretReferences('${secret:A}${secret:B}${secret:A}', (name) => {
      asked.push(name);
      return Promise.resolve(`<${name}>`);
    });
    expect(value).toBe('<A><B><A>');
    expect(asked).toEqual(['A', 'B']);
  });

  it('reports every missing name at once with SECRET_NOT_FOUND, and resolves nothing', async () => {
    const error = (await resolveSecretReferences('${secret:GITHUB_TOKEN} ${secret:NOPE} ${secret:ALSO_NOPE}', lookup).catch(
      (thrown: unknown) => thrown,
    )) as SkillsyncError;
    expect(error.code).toBe('SECRET_NOT_FOUND');
    expect(error.details).toEqual({ names: ['NOPE', 'ALSO_NOPE'] });
    expect(error.message).toBe('No secrets are stored under the names NOPE, ALSO_NOPE.');
    expect(error.hint).toContain('skillsync secret set NOPE');
    expect(JSON.stringify(error.toJSON())).not.toContain('ghs-resolved');
  });

  it('registers resolved values, so a log line or error that quotes one is redacted', async () => {
    const planted = 'planted-by-reference-9876';
    await resolveSecretReferences('${secret:P}', () => planted);
    expect(redactSecrets(`spawn failed: env X=${planted}`)).not.toContain(planted);
    expect(redactSecrets(`plain ${planted}`)).toBe(`plain ${REDACTED}`);
  });

  it('findSecretReferences lists distinct names in order of first use', () => {
    expect(findSecretReferences('${secret:B} ${env:A} ${secret:A} ${secret:B}')).toEqual(['B', 'A']);
    expect(findSecretReferences('none')).toEqual([]);
  });
});
