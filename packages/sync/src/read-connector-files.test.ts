import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_CODEC_FORMATS, connectorCodecFormat, loadConnectorCodecs, type EntriesLayout } from './connector-codecs.js';
import { readConnectorEntries } from './connector-entries.js';
import { connectorEntriesKey, readConnectorFiles, survivesJson, type ConnectorFile } from './read-connector-files.js';

const json: EntriesLayout = { format: 'jsonc', keyPath: ['mcpServers'], container: 'map' };
const toml: EntriesLayout = { format: 'toml', keyPath: ['mcp_servers'], container: 'map' };
const yamlList: EntriesLayout = { format: 'yaml', keyPath: ['mcpServers'], container: 'list' };

const files: readonly ConnectorFile[] = [
  { path: '/home/ada/.cursor/mcp.json', layout: json, text: '{\n  // mine\n  "mcpServers": { "docs": { "command": "docs-mcp", "args": ["-y"] } }\n}\n' },
  { path: '/home/ada/.codex/config.toml', layout: toml, text: '[mcp_servers.lint]\ncommand = "lint-mcp"\nstartup_timeout_sec = 10\n' },
  { path: '/home/ada/.continue/mcpServers/a.yaml', layout: yamlList, text: 'name: a\nmcpServers:\n  - name: search\n    url: https://mcp.example.com/mcp\n' },
];

async function cacheIn(key = 'build-1') {
  const dir = await mkdtemp(path.join(tmpdir(), 'ss-parsed-'));
  return { file: path.join(dir, 'connectors', 'user.json'), key };
}

/** What the codecs give, parsing every file. */
async function parsedByCodecs(list: readonly ConnectorFile[]) {
  const codecs = await loadConnectorCodecs();
  return new Map(list.map((file) => [connectorEntriesKey(file.path, file.layout), readConnectorEntries(file.text, file.layout, codecs)]));
}

describe('readConnectorFiles', () => {
  it('parses on a miss, then answers from the cache with no codec loaded, exactly as the codecs do', async () => {
    const cache = await cacheIn();
    const first = await readConnectorFiles(files, cache);
    const expected = await parsedByCodecs(files);
    expect(first.entries).toEqual(expected);
    expect(Object.keys(first.codecs).sort()).toEqual(['json', 'toml', 'yaml']);
    expect((await stat(cache.file)).mode & 0o777).toBe(0o600);
    const written = await readFile(cache.file, 'utf8');

    const second = await readConnectorFiles(files, cache);
    expect(second.entries).toEqual(expected);
    expect(second.codecs).toEqual({});
    // Nothing learnt, nothing written.
    expect(await readFile(cache.file, 'utf8')).toBe(written);
  });

  it('parses again a file whose text changed, read at another place, or cached by another build', async () => {
    const cache = await cacheIn();
    await readConnectorFiles(files, cache);
    const [cursor, codex, continueFile] = files as [ConnectorFile, ConnectorFile, ConnectorFile];
    const edited = { ...cursor, text: cursor.text.replace('"-y"', '"-q"') };
    const changed = await readConnectorFiles([edited, codex, continueFile], cache);
    expect(changed.entries).toEqual(await parsedByCodecs([edited, codex, continueFile]));
    expect(Object.keys(changed.codecs)).toEqual(['json']);

    const elsewhere = { ...codex, layout: { ...toml, keyPath: ['other'] } };
    const moved = await readConnectorFiles([elsewhere], cache);
    expect(moved.entries.get(connectorEntriesKey(elsewhere.path, elsewhere.layout))).toEqual({ ok: true, value: {} });
    expect(Object.keys(moved.codecs)).toEqual(['toml']);

    const otherBuild = await readConnectorFiles(files, { ...cache, key: 'build-2' });
    expect(Object.keys(otherBuild.codecs).sort()).toEqual(['json', 'toml', 'yaml']);
  });

  it('never serves a planted or damaged entry: the digest of the text must match', async () => {
    const cache = await cacheIn();
    await readConnectorFiles(files, cache);
    const saved = JSON.parse(await readFile(cache.file, 'utf8')) as { files: Record<string, { digest: string; entries: unknown }> };
    for (const entry of Object.values(saved.files)) entry.entries = { planted: { command: 'evil' } };
    const planted = Object.fromEntries(Object.entries(saved.files).map(([key, entry]) => [key, { ...entry, digest: 'x' }]));
    await writeFile(cache.file, JSON.stringify({ ...saved, files: planted }));
    expect((await readConnectorFiles(files, cache)).entries).toEqual(await parsedByCodecs(files));
    for (const damaged of ['{not json', '[]', JSON.stringify({ version: 2, key: cache.key, files: saved.files })]) {
      await writeFile(cache.file, damaged);
      expect((await readConnectorFiles(files, cache)).entries).toEqual(await parsedByCodecs(files));
    }
  });

  it('does not cache a file that does not parse, nor entries JSON would change (a TOML date, inf)', async () => {
    const cache = await cacheIn();
    const broken: ConnectorFile = { path: '/home/ada/.cursor/mcp.json', layout: json, text: '{ "mcpServers": { "x": ' };
    const dated: ConnectorFile = { path: '/home/ada/.codex/config.toml', layout: toml, text: '[mcp_servers.x]\ncommand = "x"\nsince = 1979-05-27\nlimit = inf\n' };
    const first = await readConnectorFiles([broken, dated], cache);
    expect(first.entries).toEqual(await parsedByCodecs([broken, dated]));
    expect(first.entries.get(connectorEntriesKey(broken.path, broken.layout))?.ok).toBe(false);
    expect(await readFile(cache.file, 'utf8').catch(() => undefined)).toBeUndefined();
    const again = await readConnectorFiles([broken, dated], cache);
    expect(again.entries).toEqual(first.entries);
    expect(Object.keys(again.codecs).sort()).toEqual(['json', 'toml']);
  });

  it('without a cache, parses every file and writes nothing', async () => {
    const read = await readConnectorFiles(files, undefined);
    expect(read.entries).toEqual(await parsedByCodecs(files));
  });
});

describe('readConnectorEntries', () => {
  it.each(CONNECTOR_CODEC_FORMATS)('of no file is what the %s codec reads from none, without it', async (format) => {
    const codecs = await loadConnectorCodecs([format]);
    const layouts: EntriesLayout[] = format === 'yaml' ? [yamlList, { ...yamlList, container: 'map' }] : [format === 'json' ? json : toml];
    for (const layout of layouts) {
      expect(connectorCodecFormat(layout)).toBe(format);
      const codec = codecs[format] as NonNullable<(typeof codecs)[typeof format]>;
      expect(readConnectorEntries(undefined, layout, {})).toEqual(codec.read('', layout));
    }
  });

  it('refuses to parse with a codec that was not loaded (a programmer error)', () => {
    expect(() => readConnectorEntries('{}', json, {})).toThrow(/json connector codec is not loaded/);
  });
});

describe('survivesJson', () => {
  it('is true exactly when JSON gives the value back as it was', () => {
    const jsonValue = fc.jsonValue().filter((value) => !containsNegativeZero(value));
    fc.assert(
      fc.property(jsonValue, (value) => {
        expect(survivesJson(value)).toBe(true);
        expect(JSON.parse(JSON.stringify(value))).toStrictEqual(value);
      }),
    );
    const nullPrototype = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(survivesJson({ a: [1, 'x', null, true, { b: nullPrototype }] })).toBe(true);
    for (const value of [new Date(0), { a: undefined }, [1, undefined], Number.POSITIVE_INFINITY, Number.NaN, -0, 1n, { a: new Map() }, Object.defineProperty({}, 'a', { get: () => 1, enumerable: true })]) {
      expect(survivesJson(value)).toBe(false);
    }
    const holes: unknown[] = [];
    holes[2] = 1;
    expect(survivesJson(holes)).toBe(false);
  });
});

function containsNegativeZero(value: unknown): boolean {
  if (Object.is(value, -0)) return true;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(containsNegativeZero);
}
