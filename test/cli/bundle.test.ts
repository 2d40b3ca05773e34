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
  // `import { a } from "./x.js"`, `export … from "./x.js"`, and the bare `import "./x.js"` esbuild adds for evaluation order.
  for (const match of text.matchAll(/^\s*(?:(?:import|export)\s[^;]*?from\s*|import\s*)"(\.[^"]+)"/gm)) {
    await staticClosure(path.resolve(path.dirname(file), match[1]!), seen);
  }
  return seen;
}

// `--help`, usage errors and every command pay for what main.js loads before the
// command's own chunk: a library barrel that drags in zod or the YAML parser (it
// happened once, through a re-export) costs ~25 ms on every run. The benchmark
// measures the time; this guards the cause. Most of what loads is the command table
// (every command's help text, ~65 kB), which grows with each command: the bound leaves
// room for that, not for a library (zod alone is several times the margin).
describe('the CLI bundle', () => {
  // esbuild's bare imports (`import "./x.js"`, for evaluation order) load too, and count.
  it('loads less than 115 kB before a command chunk', async () => {
    const files = await staticClosure(path.join(dist, 'main.js'));
    let bytes = 0;
    for (const file of files) bytes += (await stat(file)).size;
    expect(bytes).toBeLessThan(115_000);
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
    expect(await staticallyLoaded(command, /^\/\/ (?:node_modules\/zod\/|packages\/core\/src\/manifest\/manifest-schema\.ts)/m)).toEqual([]);
  });

  // The same for what only a sync that parses or writes needs. The client files' codecs are
  // loaded per format when a file must be parsed (not found as parsed before: the sync
  // package's parsed-files cache) or edited; tar, to hash a skill folder whose fingerprint
  // no longer holds; the sync lock's code (proper-lockfile, graceful-fs), for a run that writes;
  // the lockfile's parser (its checks, and the YAML parser that locates a JSON syntax
  // error), for a lockfile not found in the parsed-files cache.
  it('loads no connector codec, no tar, no lockfile parser and no lock code before it needs them', async () => {
    const lazy = [
      'node_modules/jsonc-parser/',
      'node_modules/yaml/',
      'packages/core/src/lockfile/parse-lockfile.ts',
      'node_modules/smol-toml/',
      'node_modules/tar/',
      'node_modules/proper-lockfile/',
      'node_modules/graceful-fs/',
      'packages/clients/src/codecs/edit-json-map.ts',
      'packages/clients/src/codecs/edit-toml-tables.ts',
      'packages/clients/src/codecs/edit-yaml-map.ts',
      'packages/clients/src/codecs/edit-yaml-list.ts',
      'packages/store/src/format/canonical-tar.ts',
      'packages/sync/src/apply-plan-locked.ts',
    ];
    const pattern = new RegExp(`^// (?:${lazy.map((source) => source.replace(/[.]/g, '\\.')).join('|')})`, 'm');
    expect(await staticallyLoaded(command, pattern)).toEqual([]);
  });
});

/** The files of the command's static closure holding a module whose esbuild region comment (`// <source>`) matches `pattern`. */
async function staticallyLoaded(command: string, pattern: RegExp): Promise<string[]> {
  const files = await staticClosure(await commandChunk(command));
  const texts = await Promise.all([...files].map((file) => readFile(file, 'utf8')));
  return [...files].filter((_file, index) => pattern.test(texts[index]!)).map((file) => path.relative(dist, file));
}
