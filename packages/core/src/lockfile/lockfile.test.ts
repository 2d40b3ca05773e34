import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSkillsyncError } from '../errors/skillsync-error.js';
import { serializeLockfile, type LockedPackage, type Lockfile } from './lockfile.js';
import { parseLockfile } from './parse-lockfile.js';

const integrityA = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;
const integrityB = `sha512-${Buffer.alloc(64, 2).toString('base64')}`;

const example: Lockfile = {
  lockfileVersion: 1,
  skills: {
    pdf: { specifier: '^1.2.0', version: '1.3.0' },
    review: { specifier: './skills/review', version: '0.1.0' },
  },
  packages: {
    'pdf@1.3.0': {
      resolved: 'registry+file:///srv/registry',
      integrity: integrityA,
      signature: { algorithm: 'ed25519', keyId: '0123456789abcdef', signature: 'c2lnbmF0dXJl' },
      dependencies: { 'text-utils': '2.0.0' },
    },
    'text-utils@2.0.0': { resolved: 'registry+file:///srv/registry', integrity: integrityB },
    'review@0.1.0': { resolved: 'path:./skills/review', integrity: integrityB },
  },
};

const exampleText = `{
  "lockfileVersion": 1,
  "skills": {
    "pdf": {
      "specifier": "^1.2.0",
      "version": "1.3.0"
    },
    "review": {
      "specifier": "./skills/review",
      "version": "0.1.0"
    }
  },
  "packages": {
    "pdf@1.3.0": {
      "resolved": "registry+file:///srv/registry",
      "integrity": "${integrityA}",
      "signature": {
        "algorithm": "ed25519",
        "keyId": "0123456789abcdef",
        "signature": "c2lnbmF0dXJl"
      },
      "dependencies": {
        "text-utils": "2.0.0"
      }
    },
    "review@0.1.0": {
      "resolved": "path:./skills/review",
      "integrity": "${integrityB}"
    },
    "text-utils@2.0.0": {
      "resolved": "registry+file:///srv/registry",
      "integrity": "${integrityB}"
    }
  }
}
`;

function code(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return isSkillsyncError(error) ? error.code : 'NOT_CODED';
  }
}

describe('serializeLockfile', () => {
  it('writes sorted, stable JSON with a trailing newline, whatever the input order', () => {
    expect(serializeLockfile(example)).toBe(exampleText);
    const shuffled: Lockfile = {
      lockfileVersion: 1,
      packages: Object.fromEntries(Object.entries(example.packages).reverse()),
      skills: Object.fromEntries(Object.entries(example.skills).reverse()),
    };
    expect(serializeLockfile(shuffled)).toBe(exampleText);
    expect(serializeLockfile({ lockfileVersion: 1, skills: {}, packages: {} })).toBe('{\n  "lockfileVersion": 1,\n  "skills": {},\n  "packages": {}\n}\n');
  });
});

describe('parseLockfile', () => {
  it('reads what serializeLockfile writes', () => {
    expect(parseLockfile(exampleText)).toEqual(example);
  });

  it('refuses a newer format with its own code', () => {
    expect(code(() => parseLockfile('{ "lockfileVersion": 2 }\n'))).toBe('LOCKFILE_UNSUPPORTED_VERSION');
  });

  it.each([
    ['bad JSON', '{ "lockfileVersion": [\n'],
    ['YAML', 'lockfileVersion: 1\n'],
    ['not an object', '[1]\n'],
    ['empty', ''],
    ['no version', '{ "skills": {} }\n'],
    ['unknown key', '{ "lockfileVersion": 1, "extra": 1 }\n'],
    ['a prototype key', exampleText.replace('"review": {', '"__proto__": {')],
    ['bad integrity', exampleText.replace(integrityA, 'sha512-abc')],
    ['bad resolved', exampleText.replace('path:./skills/review', 'git:x')],
    ['bad key', exampleText.replace('"pdf@1.3.0":', '"pdf@latest":')],
    ['root without package', exampleText.replace('"version": "1.3.0"', '"version": "1.4.0"')],
    ['dangling dependency', exampleText.replace('"text-utils": "2.0.0"', '"text-utils": "2.0.1"')],
    ['range as dependency', exampleText.replace('"text-utils": "2.0.0"', '"text-utils": "^2.0.0"')],
    ['two versions of one name', exampleText.replace('"review@0.1.0":', '"pdf@0.1.0":')],
    ['bad signature', exampleText.replace('"algorithm": "ed25519"', '"algorithm": "rsa"')],
  ])('refuses %s with LOCKFILE_INVALID', (_label, text) => {
    expect(code(() => parseLockfile(text))).toBe('LOCKFILE_INVALID');
  });

  it('names the line of a JSON error', () => {
    try {
      parseLockfile('{\n  "lockfileVersion": 1,\n  "packages": {\n    "a": [,\n', { file: '/p/skillsync.lock' });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'LOCKFILE_INVALID', details: { path: '/p/skillsync.lock' } });
      expect((error as { details: { line?: number } }).details.line).toBe(4);
    }
  });
});

const nameArb = fc.stringMatching(/^[a-z0-9]{1,6}(?:-[a-z0-9]{1,4}){0,2}$/);
const versionArb = fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.option(fc.constantFrom('rc.1', 'beta', 'alpha.2'), { nil: undefined })).map(
  ([a, b, c, pre]) => `${a}.${b}.${c}${pre === undefined ? '' : `-${pre}`}`,
);
const integrityArb = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bytes) => `sha512-${Buffer.from(bytes).toString('base64')}`);
const resolvedArb = fc.oneof(
  fc.string({ minLength: 1 }).map((s) => `path:${s}`),
  fc.string({ minLength: 1 }).map((s) => `tarball:${s}`),
  fc.constantFrom('registry+file:///srv/r', 'registry+file:./r', 'registry+https://skills.example.com'),
);

/** Arbitrary consistent lockfiles: one version per name, every reference present. */
const lockfileArb: fc.Arbitrary<Lockfile> = fc
  .uniqueArray(nameArb, { maxLength: 6 })
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.array(versionArb, { minLength: names.length, maxLength: names.length }),
      fc.array(fc.tuple(integrityArb, resolvedArb, fc.option(fc.record({ keyId: fc.stringMatching(/^[0-9a-f]{16}$/), signature: fc.base64String({ minLength: 4 }) }), { nil: undefined }), fc.subarray(names), fc.boolean(), fc.string({ minLength: 1 })), {
        minLength: names.length,
        maxLength: names.length,
      }),
    ),
  )
  .map(([names, versions, details]) => {
    const packages: Record<string, LockedPackage> = {};
    const skills: Record<string, { specifier: string; version: string }> = {};
    names.forEach((name, index) => {
      const version = versions[index]!;
      const [integrity, resolved, signature, deps, isRoot, specifier] = details[index]!;
      const dependencies = Object.fromEntries(deps.map((dep) => [dep, versions[names.indexOf(dep)]!]));
      packages[`${name}@${version}`] = {
        resolved,
        integrity,
        ...(signature === undefined ? {} : { signature: { algorithm: 'ed25519' as const, ...signature } }),
        ...(deps.length === 0 ? {} : { dependencies }),
      };
      if (isRoot) skills[name] = { specifier, version };
    });
    return { lockfileVersion: 1 as const, skills, packages };
  });

describe('lockfile properties', () => {
  it('parse ∘ serialize is the identity, and serialize is a fixed point', () => {
    fc.assert(
      fc.property(lockfileArb, (lockfile) => {
        const text = serializeLockfile(lockfile);
        const parsed = parseLockfile(text);
        expect(parsed).toEqual(lockfile);
        expect(serializeLockfile(parsed)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary text never crashes: a lockfile or a coded error', () => {
    const textArb = fc.oneof(
      fc.string(),
      fc.json(),
      lockfileArb.map(serializeLockfile).chain((text) => fc.tuple(fc.constant(text), fc.nat(text.length), fc.string({ maxLength: 5 })).map(([t, at, insert]) => t.slice(0, at) + insert + t.slice(at + 1))),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        const outcome = code(() => parseLockfile(text));
        expect([undefined, 'LOCKFILE_INVALID', 'LOCKFILE_UNSUPPORTED_VERSION']).toContain(outcome);
      }),
      { numRuns: 500 },
    );
  });
});
