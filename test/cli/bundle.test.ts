import { readdir, readFile, stat } from 'node:fs/promises';
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

/** The chunk a command runs from: the target of the command table's `import("./…/<name>-HASH.js")`, wherever the table ended up. */
async function commandChunk(name: string): Promise<string> {
  const files = [path.join(dist, 'main.js'), ...(await readdir(path.join(dist, 'chunks'))).filter((file) => file.endsWith('.js')).map((file) => path.join(dist, 'chunks', file))];
  for (const file of files) {
    const found = new RegExp(`import\\("(\\./(?:chunks/)?${name}-[A-Z0-9]+\\.js)"\\)`).exec(await readFile(file, 'utf8'));
    if (found !== null) return path.resolve(path.dirname(file), found[1]!);
  }
  throw new Error(`no chunk of the bundle imports a chunk for ${name}`);
}

// `status` and a no-op `sync` must stay under 150 ms (bench:sync): they read the manifest
// from the parsed-manifest cache and load the parser (zod, the schema) only on a miss. A
// static import path to either, through a package index or a module that also serves
// other commands, doubles the code they compile (scripts/direct-imports.mjs).
describe.each(['status', 'sync', 'diff'])('the %s command', (command) => {
  it('loads neither zod nor the manifest schema before it needs them', async () => {
    const files = await staticClosure(await commandChunk(command));
    const texts = await Promise.all([...files].map((file) => readFile(file, 'utf8')));
    const offenders = [...files].filter((_file, index) => /^\/\/ (?:node_modules\/zod\/|packages\/core\/src\/manifest\/manifest-schema\.ts)/m.test(texts[index]!));
    expect(offenders.map((file) => path.relative(dist, file))).toEqual([]);
  });
});
