import { createHash } from 'node:crypto';
import { isRecord, parseJsonRecord, readTextIfExistsSync, writeFileAtomic } from '@skillsync/core';
import type { CodecReadResult } from '@skillsync/clients';
import { connectorCodecFormat, loadConnectorCodecs, type ConnectorCodecs, type EntriesLayout } from './connector-codecs.js';
import { readConnectorEntries } from './connector-entries.js';

/**
 * Where parsed client files are kept, and the identity of the code that parsed them:
 * `key` must change whenever a codec may have (the CLI uses the identity of its own
 * build, as for the parsed-manifest cache). An entry is used only when it was made
 * from the same text, read at the same place in the file, by the same code.
 */
export interface ParsedFilesCache {
  /** The cache file of one scope. */
  readonly file: string;
  readonly key: string;
}

/** A client's MCP config file as read from disk. */
export interface ConnectorFile {
  readonly path: string;
  readonly text: string;
  readonly layout: EntriesLayout;
}

export interface ConnectorFilesRead {
  /** The entries of every file, by `connectorEntriesKey`. */
  readonly entries: ReadonlyMap<string, CodecReadResult<Record<string, unknown>>>;
  /** The codecs loaded to parse the files the cache did not answer for. */
  readonly codecs: ConnectorCodecs;
}

/** The key of one file read with one layout (a file could hold entries for two clients at two places). */
export function connectorEntriesKey(path: string, layout: EntriesLayout): string {
  return [path, layout.format, layout.container, ...layout.keyPath].join('\u0000');
}

const VERSION = 1;

interface CachedFile {
  readonly digest: string;
  readonly entries: Record<string, unknown>;
}

/**
 * The server entries of each file, from `cache` where it holds this exact text (a
 * digest of the text and the layout), else parsed, loading only the codecs those
 * files need. A run that finds every client file as it last parsed it loads no codec.
 *
 * The cache is an optimisation only: a damaged, foreign or other build's file is a
 * miss, and failing to write it is ignored. Only entries that come back from JSON
 * exactly as the codec gave them are kept (a TOML date, a YAML `.inf` are parsed
 * every time), and a file that does not parse is never cached. 0600: a client file
 * may hold a token its owner pasted into it.
 */
export async function readConnectorFiles(files: readonly ConnectorFile[], cache: ParsedFilesCache | undefined): Promise<ConnectorFilesRead> {
  const loaded = cache === undefined ? new Map<string, CachedFile>() : loadCache(cache);
  const entries = new Map<string, CodecReadResult<Record<string, unknown>>>();
  const misses: { readonly file: ConnectorFile; readonly key: string; readonly digest: string }[] = [];
  for (const file of files) {
    const key = connectorEntriesKey(file.path, file.layout);
    const digest = digestOf(file);
    const cached = loaded.get(key);
    if (cached?.digest === digest) entries.set(key, { ok: true, value: cached.entries });
    else misses.push({ file, key, digest });
  }
  const codecs = await loadConnectorCodecs(misses.map(({ file }) => connectorCodecFormat(file.layout)));
  const next = new Map(loaded);
  let changed = false;
  for (const { file, key, digest } of misses) {
    const read = readConnectorEntries(file.text, file.layout, codecs);
    entries.set(key, read);
    if (read.ok && survivesJson(read.value)) {
      next.set(key, { digest, entries: read.value });
      changed = true;
    } else if (next.delete(key)) changed = true;
  }
  if (cache !== undefined && changed) {
    const text = `${JSON.stringify({ version: VERSION, key: cache.key, files: Object.fromEntries(next) })}\n`;
    await writeFileAtomic(cache.file, text, { mode: 0o600 }).catch(() => undefined);
  }
  return { entries, codecs };
}

function digestOf(file: ConnectorFile): string {
  return createHash('sha256').update(`${connectorEntriesKey('', file.layout)}\u0000${file.text}`, 'utf8').digest('base64');
}

/** The cached files made by this build (`key`); none when the file is missing, damaged or another build's. */
function loadCache(cache: ParsedFilesCache): Map<string, CachedFile> {
  const out = new Map<string, CachedFile>();
  let text: string | undefined;
  try {
    text = readTextIfExistsSync(cache.file);
  } catch {
    return out;
  }
  const value = text === undefined ? undefined : parseJsonRecord(text);
  if (value?.version !== VERSION || value.key !== cache.key || !isRecord(value.files)) return out;
  for (const [key, entry] of Object.entries(value.files)) {
    if (isRecord(entry) && typeof entry.digest === 'string' && isRecord(entry.entries)) out.set(key, { digest: entry.digest, entries: entry.entries });
  }
  return out;
}

/**
 * True when JSON gives `value` back exactly: plain objects and arrays of strings,
 * booleans, null and finite numbers (not -0). Anything else (a date, a bigint,
 * Infinity, an undefined member, a class instance) would come back different.
 */
export function survivesJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    // Holes and extra properties would not survive either.
    if (Object.keys(value).length !== value.length) return false;
    return value.every(survivesJson);
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const own = Reflect.ownKeys(value);
  if (own.length !== Object.keys(value).length) return false;
  return own.every((key) => {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    return descriptor !== undefined && 'value' in descriptor && survivesJson(descriptor.value);
  });
}
