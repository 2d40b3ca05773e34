import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/corpus.js';

const dist = path.join(repoRoot, 'apps', 'cli', 'dist');

/** Every file `file` pulls in through static imports, itself included. */
async function staticClosure(file: string, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = await readFile(file, 'utf8');
  for (const match of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*"(\.[^"]+)"/gm)) {
    await staticClosure(path.resolve(path.dirname(file), match[1]!), seen);
  }
  return seen;
}

// `--help`, usage errors and every command pay for what main.js loads before the
// command's own chunk: a library barrel that drags in zod or the YAML parser (it
// happened once, through a re-export) costs ~25 ms on every run. The benchmark
// measures the time; this guards the cause.
describe('the CLI bundle', () => {
  it('loads less than 100 kB before a command chunk', async () => {
    const files = await staticClosure(path.join(dist, 'main.js'));
    let bytes = 0;
    for (const file of files) bytes += (await stat(file)).size;
    expect(bytes).toBeLessThan(100_000);
  });
});
