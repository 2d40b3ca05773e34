import { describe, expect, it } from 'vitest';
import { addManifestEntries, removeManifestConnector, replaceManifestConnector } from './add-manifest-entries.js';
import { createManifestText } from './edit-manifest.js';
import { parseManifest } from './parse-manifest.js';

describe('addManifestEntries', () => {
  it('opens the starter manifest\'s empty sections into blocks, keeping every comment', () => {
    const before = createManifestText();
    const after = addManifestEntries(before, {
      connectors: { github: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_TOKEN: '${secret:GITHUB_TOKEN}' } } },
      instructions: [{ name: 'claude', file: './instructions/claude.md' }],
    });
    for (const line of before.split('\n').filter((text) => text.startsWith('#'))) expect(after).toContain(line);
    expect(after).toContain('connectors:\n  github:\n    command: npx\n    args: [-y, "@modelcontextprotocol/server-github"]\n    env:\n      GITHUB_TOKEN: ${secret:GITHUB_TOKEN}\n');
    expect(after).toContain('instructions:\n  - name: claude\n    file: ./instructions/claude.md\n');
    const parsed = parseManifest(after);
    expect(parsed.findings).toEqual([]);
    expect(parsed.manifest?.connectors.github?.args).toEqual(['-y', '@modelcontextprotocol/server-github']);
  });

  it('appends after existing entries and leaves them as written', () => {
    const before = 'version: 1\nconnectors:\n  # ours\n  fs: { command: fs-mcp }\ninstructions:\n  - text: Be brief.\n';
    const after = addManifestEntries(before, { connectors: { docs: { url: 'https://docs.example.com/mcp' } }, instructions: [{ name: 'x', text: 'Use pnpm.' }] });
    expect(after).toContain('  # ours\n  fs: { command: fs-mcp }\n  docs:\n    url: https://docs.example.com/mcp\n');
    expect(after).toContain('  - text: Be brief.\n  - name: x\n    text: Use pnpm.\n');
  });

  it('keeps CRLF line endings, adds a missing section, and lets the YAML library handle a filled flow section', () => {
    const crlf = addManifestEntries('version: 1\r\nconnectors:\r\n  fs:\r\n    command: fs-mcp\r\n', { connectors: { docs: { command: 'docs' } }, instructions: [{ text: 'Hi.' }] });
    expect(crlf).toBe('version: 1\r\nconnectors:\r\n  fs:\r\n    command: fs-mcp\r\n  docs:\r\n    command: docs\r\ninstructions:\r\n  - text: Hi.\r\n');
    const flow = addManifestEntries('version: 1\nconnectors: { fs: { command: fs-mcp } }\n', { connectors: { docs: { command: 'docs' } } });
    expect(parseManifest(flow).manifest?.connectors).toEqual({ fs: { command: 'fs-mcp' }, docs: { command: 'docs' } });
  });

  it('refuses a name that is there, and anything that would make the manifest invalid', () => {
    const before = 'version: 1\nconnectors:\n  fs: { command: fs-mcp }\n';
    expect(() => addManifestEntries(before, { connectors: { fs: { command: 'other' } } })).toThrow(expect.objectContaining({ code: 'MANIFEST_ENTRY_EXISTS' }));
    expect(() => addManifestEntries(before, { connectors: { 'bad name': { command: 'x' } } })).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID' }));
    expect(() => addManifestEntries(before, { connectors: { leak: { command: 'x', env: { API_TOKEN: 'abcdef123456' } } } })).toThrow(expect.objectContaining({ code: 'MANIFEST_SECRET_LITERAL' }));
    expect(() => addManifestEntries('version: [', {})).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID_YAML' }));
  });
});

describe('replaceManifestConnector', () => {
  const manifest = [
    '# my tools',
    'version: 1',
    'connectors:',
    '  # the one we keep',
    '  github:',
    '    command: npx',
    '    args: [-y, server-github]   # pinned',
    '  notes:',
    '    url: https://notes.example/mcp # remote',
    'skills: {}',
    '',
  ].join('\n');

  it('rewrites only the lines of that entry, at their indentation', () => {
    const edited = replaceManifestConnector(manifest, 'github', { command: 'npx', args: ['-y', 'server-github', '--read-only'] });
    expect(edited).toBe(manifest.replace('    args: [-y, server-github]   # pinned\n', '    args: [-y, server-github, --read-only]\n'));
    expect(parseManifest(edited).manifest?.connectors.github).toEqual({ command: 'npx', args: ['-y', 'server-github', '--read-only'] });
  });

  it('replaces the last entry and keeps CRLF line endings', () => {
    const crlf = manifest.replaceAll('\n', '\r\n');
    const edited = replaceManifestConnector(crlf, 'notes', { url: 'https://notes.example/v2/mcp', transport: 'http' });
    expect(edited).toBe(crlf.replace('    url: https://notes.example/mcp # remote\r\n', '    url: https://notes.example/v2/mcp\r\n    transport: http\r\n'));
  });

  it('adds a connector the manifest does not have, and edits a flow section through the library', () => {
    expect(replaceManifestConnector(manifest, 'web', { url: 'https://web.example/mcp' })).toBe(
      manifest.replace('skills: {}', '  web:\n    url: https://web.example/mcp\nskills: {}'),
    );
    const flow = 'version: 1\nconnectors: { a: { command: x } }\n';
    expect(parseManifest(replaceManifestConnector(flow, 'a', { command: 'y' })).manifest?.connectors).toEqual({ a: { command: 'y' } });
  });

  it('refuses a definition that would make the manifest invalid', () => {
    expect(() => replaceManifestConnector(manifest, 'github', { command: 'npx', url: 'https://x.example' })).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID' }));
  });
});

describe('removeManifestConnector', () => {
  const manifest = ['version: 1', 'connectors:', '  github:', '    command: npx', '    args: [-y, server-github]   # pinned', '  # remote notes', '  notes:', '    url: https://notes.example/mcp', 'skills: {}', ''].join('\n');

  it('removes only the lines of that entry, comments and the other entries as written', () => {
    expect(removeManifestConnector(manifest, 'github')).toBe(manifest.replace('  github:\n    command: npx\n    args: [-y, server-github]   # pinned\n', ''));
    expect(removeManifestConnector(manifest.replaceAll('\n', '\r\n'), 'notes')).toBe(manifest.replace('  notes:\n    url: https://notes.example/mcp\n', '').replaceAll('\n', '\r\n'));
  });

  it('leaves `connectors: {}` after the last one, and edits a flow section through the library', () => {
    const one = 'version: 1\nconnectors:\n  github:\n    command: npx\n';
    expect(removeManifestConnector(one, 'github')).toBe('version: 1\nconnectors: {}\n');
    expect(parseManifest(removeManifestConnector('version: 1\nconnectors: { a: { command: x }, b: { command: y } }\n', 'a')).manifest?.connectors).toEqual({ b: { command: 'y' } });
  });

  it('refuses a connector that is not there, changing nothing', () => {
    expect(() => removeManifestConnector(manifest, 'gitlab')).toThrow(expect.objectContaining({ code: 'CONNECTOR_NOT_IN_MANIFEST' }));
    expect(() => removeManifestConnector('version: 1\n', 'github')).toThrow(expect.objectContaining({ code: 'CONNECTOR_NOT_IN_MANIFEST' }));
  });
});
