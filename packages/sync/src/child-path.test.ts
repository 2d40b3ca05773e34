import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childPath } from './child-path.js';

describe('childPath', () => {
  it('is exactly path.join, on POSIX and Windows paths, for any root and name', () => {
    const segment = fc.oneof(fc.constantFrom('skills', '.claude', 'a b', '..', '.', '', 'x\\y', 'C:', 'ü'), fc.string({ maxLength: 6 }));
    const root = fc.tuple(fc.constantFrom('/', '/home/u/', 'C:\\', '\\\\server\\share\\', ''), fc.array(segment, { maxLength: 4 }));
    fc.assert(
      fc.property(root, segment, fc.constantFrom(path.posix, path.win32), ([start, parts], name, p) => {
        const base = parts.length === 0 ? start : p.join(start, ...parts);
        expect(childPath(p, base, name)).toBe(p.join(base, name));
        const normal = p.normalize(base);
        expect(childPath(p, normal, name)).toBe(p.join(normal, name));
      }),
      { numRuns: 2000 },
    );
  });
});
