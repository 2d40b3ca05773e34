import { createHash } from 'node:crypto';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { readTextIfExists } from '../fs/read-text-if-exists.js';
import { isRecord, parseJsonRecord } from '../text/json-record.js';
import type { ManifestParseResult } from './parse-manifest.js';

/**
 * Where parsed manifests are kept, and the identity of the parser that produced them.
 * `key` must change whenever the parsing code may have (the CLI uses the identity of
 * its own build): an entry is used only when it was made from the same text by the
 * same parser.
 */
export interface ManifestCache {
  readonly dir: string;
  readonly key: string;
}

interface CacheEntry {
  readonly digest: string;
  readonly result: ManifestParseResult;
}

/**
 * `parseManifest(text, { file })`, answered from `cache` when it holds the result for
 * this exact text, file and parser. Parsing (YAML, the zod schema, the secret scan) is
 * most of what a no-op sync or `status` would spend on the manifest, and the parser is
 * loaded only on a miss. The cache is an optimisation only: an unreadable or foreign
 * entry is a miss, and failing to write one is ignored.
 */
export async function parseManifestCached(text: string, file: string, cache: ManifestCache | undefined): Promise<ManifestParseResult> {
  if (cache === undefined) return (await import('./parse-manifest.js')).parseManifest(text, { file });
  const entryFile = path.join(cache.dir, `${sha256(file).slice(0, 32)}.json`);
  const digest = sha256(`${cache.key}\0${file}\0${text}`);
  const cached = await readTextIfExists(entryFile).catch(() => undefined);
  if (cached !== undefined) {
    const entry = parseEntry(cached);
    if (entry?.digest === digest) return entry.result;
  }
  const result = (await import('./parse-manifest.js')).parseManifest(text, { file });
  const entry: CacheEntry = { digest, result };
  // 0600: a manifest may hold what its owner would not show others (findings never hold a secret's value).
  await writeFileAtomic(entryFile, JSON.stringify(entry), { mode: 0o600 }).catch(() => undefined);
  return result;
}

function parseEntry(text: string): CacheEntry | undefined {
  const value = parseJsonRecord(text);
  return typeof value?.digest === 'string' && isRecord(value.result) ? (value as unknown as CacheEntry) : undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
