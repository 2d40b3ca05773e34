import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isSkillsyncError } from '@skillsync/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRawTar, gzipTar, listTree, makeTempDir, validSkillMd, type RawEntry } from '../test-support/tar-fixtures.js';
import { readPackage } from './read-package.js';
import { unpackPackage } from './unpack-package.js';

const segment = fc.oneof(
  fc.constantFrom('..', '.', '', 'a', 'B', 'SKILL.md', 'package', 'C:', 'nul', 'x\\..\\y', 'é', 'e\u0301', 'É'),
  fc.string({ minLength: 1, maxLength: 12 }),
);
const entryPath = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `package/${parts.join('/')}`),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
  fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`),
  fc.constant(`package/${'long/'.repeat(30)}x`),
);
const safeEntry: fc.Arbitrary<RawEntry> = fc.record({
  path: fc.stringMatching(/^package\/[a-z]{1,6}(\/[a-z]{1,6})?$/),
  content: fc.uint8Array({ maxLength: 700 }),
  mode: fc.integer({ min: 0, max: 0o7777 }),
});
const anyEntry: fc.Arbitrary<RawEntry> = fc.record({
  path: entryPath,
  type: fc.constantFrom('File', 'File', 'File', 'Directory', 'SymbolicLink', 'Link', 'FIFO', 'CharacterDevice'),
  content: fc.uint8Array({ maxLength: 700 }),
  linkpath: fc.option(fc.constantFrom('../../etc/passwd', '/etc/passwd', 'SKILL.md'), { nil: undefined }),
  mode: fc.integer({ min: 0, max: 0o7777 }),
  paxPath: fc.option(entryPath, { nil: undefined }),
});
const entry = fc.oneof(safeEntry, anyEntry);

function outcomeIsCoded(error: unknown): void {
  expect(isSkillsyncError(error), String(error)).toBe(true);
}

describe('readPackage on hostile input (property)', () => {
  it('turns arbitrary bytes, gzipped or not, into a coded error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.boolean(), async (bytes, gzip) => {
        const input = gzip ? gzipTar(bytes) : bytes;
        await readPackage(input).then(
          () => undefined,
          (error: unknown) => { outcomeIsCoded(error); },
        );
      }),
      { numRuns: 300 },
    );
  });

  it('turns mutated packages into a result or a coded error', async () => {
    const tar = buildRawTar([{ path: 'package/SKILL.md', content: validSkillMd }, { path: 'package/a/b.md', content: 'b' }]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: tar.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        async (edits) => {
          const mutated = Buffer.from(tar);
          for (const [at, value] of edits) mutated[at] = value;
          await readPackage(gzipTar(mutated)).then(
            (contents) => { expect(contents.files.some((file) => file.path === 'SKILL.md')).toBe(true); },
            (error: unknown) => { outcomeIsCoded(error); },
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never writes outside the destination, and writes nothing on refusal', async () => {
    const root = await makeTempDir();
    let run = 0;
    let unpacked = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 6 }), fc.boolean(), async (entries, withSkill) => {
        const parent = path.join(root, String(run++));
        await mkdir(parent);
        const all = withSkill ? [{ path: 'package/SKILL.md', content: validSkillMd }, ...entries] : entries;
        const dest = path.join(parent, 'dest');
        const outcome = await unpackPackage(gzipTar(buildRawTar(all)), dest).then(
          (result) => result,
          (error: unknown) => {
            outcomeIsCoded(error);
            return undefined;
          },
        );
        if (outcome === undefined) {
          expect(await readdir(parent)).toEqual([]);
        } else {
          unpacked++;
          expect(await readdir(parent)).toEqual(['dest']);
          const written = (await listTree(dest)).filter((p) => outcome.files.some((f) => f.path === p));
          expect(written.sort()).toEqual(outcome.files.map((f) => f.path).sort());
        }
        expect((await readdir(root)).every((name) => /^\d+$/.test(name))).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(unpacked).toBeGreaterThan(0);
  });
});
