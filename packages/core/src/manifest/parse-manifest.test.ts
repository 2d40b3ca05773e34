import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isErrorCode } from '../errors/codes.js';
import { manifestJsonSchema } from './manifest-schema.js';
import { parseManifest } from './parse-manifest.js';

const full = `# the team manifest
version: 1
registry: file:///srv/registry
skills:
  pdf: ^1.2.0
  any: "*"
  newest: latest
  minor: 1.x
  local: ./skills/local
  parent: ../shared/x
  absolute: /opt/skills/y
  home: ~/skills/z
  packed: ./dist/pdf-1.0.0.tgz
  bare-tarball: pdf-1.0.0.tgz
  other-registry: file:///other/registry#^2.0.0
  relative-registry: file:./registry
  spelled: { version: ^3.0.0, registry: "file:./r" }
  spelled-path: { path: ./skills/p }
  spelled-tarball: { tarball: ./x.tgz }
connectors:
  github:
    description: GitHub issues
    command: npx
    args: ["-y", "@modelcontextprotocol/server-github"]
    env:
      GITHUB_PERSONAL_ACCESS_TOKEN: \${secret:GITHUB_TOKEN}
      LOG_LEVEL: info
    cwd: ./tmp
    tools: [search_issues, get_issue]
  linear:
    url: https://mcp.linear.app/sse?workspace=acme
    transport: sse
    headers:
      Authorization: Bearer \${secret:LINEAR_TOKEN}
    enabled: false
instructions:
  - text: Use conventional commits.
  - file: ./AGENTS.md
    name: agents
    scope: "src/**"
clients: [claude-code, cursor, zed]
trust:
  keys:
    - name: acme
      publicKey: ed25519:MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=
  requireSignatures: true
`;

function codes(text: string): string[] {
  return parseManifest(text).findings.map((finding) => finding.code);
}

describe('parseManifest', () => {
  it('accepts every field in every form', () => {
    const result = parseManifest(full, { file: '/p/skillsync.yaml' });
    expect(result.findings).toEqual([]);
    expect(result.manifest?.skills.pdf).toBe('^1.2.0');
    expect(result.manifest?.skills.spelled).toEqual({ version: '^3.0.0', registry: 'file:./r' });
    expect(result.manifest?.connectors.github?.tools).toEqual(['search_issues', 'get_issue']);
    expect(result.manifest?.connectors.linear?.transport).toBe('sse');
    expect(result.manifest?.instructions).toHaveLength(2);
    expect(result.manifest?.clients).toEqual(['claude-code', 'cursor', 'zed']);
    expect(result.manifest?.trust?.requireSignatures).toBe(true);
  });

  it('fills defaults for a minimal manifest', () => {
    expect(parseManifest('version: 1\n').manifest).toEqual({ version: 1, skills: {}, connectors: {}, instructions: [] });
  });

  it('requires version 1 and refuses other versions', () => {
    expect(codes('skills: {}\n')).toEqual(['MANIFEST_INVALID']);
    expect(codes('')).toEqual(['MANIFEST_INVALID']);
    expect(codes('version: 2\n')).toEqual(['MANIFEST_UNSUPPORTED_VERSION']);
    expect(codes('version: "1"\n')).toEqual(['MANIFEST_UNSUPPORTED_VERSION']);
  });

  it('reports bad YAML with its line', () => {
    const result = parseManifest('version: 1\nskills:\n  pdf: [unclosed\n', { file: 'm.yaml' });
    expect(result.manifest).toBeUndefined();
    expect(result.findings[0]).toMatchObject({ code: 'MANIFEST_INVALID_YAML', file: 'm.yaml' });
    expect(result.findings[0]?.line).toBeGreaterThanOrEqual(3);
    expect(codes('version: 1\nversion: 1\n')).toEqual(['MANIFEST_INVALID_YAML']);
    expect(codes('- a\n- b\n')).toEqual(['MANIFEST_INVALID']);
  });

  it('reports unknown keys at any depth with a suggestion, line and column', () => {
    const text = 'version: 1\nskils:\n  pdf: ^1\nconnectors:\n  gh:\n    comand: npx\nskills:\n  x: { version: ^1, regsitry: file:///r }\ntrust:\n  keys: [{ name: a, publicKey: "ed25519:AAAA", pubkey: x }]\n';
    const { findings } = parseManifest(text.replace('skills:\n  x', 'skillz:\n  x'), { file: '/p/skillsync.yaml' });
    const unknown = findings.filter((finding) => finding.code === 'MANIFEST_UNKNOWN_KEY');
    expect(unknown.map((finding) => [finding.field, finding.line, finding.message.match(/did you mean `([^`]+)`/)?.[1]])).toEqual([
      ['skils', 2, 'skills'],
      ['connectors.gh.comand', 6, 'command'],
      ['skillz', 7, 'skills'],
      ['trust.keys.0.pubkey', 10, undefined],
    ]);
    expect(unknown[0]).toMatchObject({ file: '/p/skillsync.yaml', column: 1 });
    expect(unknown[1]?.column).toBe(5);
    const nested = parseManifest('version: 1\nskills:\n  x: { version: ^1, regsitry: file:///r }\n').findings;
    expect(nested).toMatchObject([{ code: 'MANIFEST_UNKNOWN_KEY', field: 'skills.x.regsitry', line: 3 }]);
    expect(nested[0]?.message).toContain('did you mean `registry`');
  });

  it('checks skill names and sources', () => {
    expect(parseManifest('version: 1\nskills:\n  Bad_Name: ^1\n').findings).toMatchObject([{ code: 'MANIFEST_INVALID', line: 3 }]);
    expect(parseManifest('version: 1\nskills:\n  pdf: not a range\n').findings).toMatchObject([{ code: 'SOURCE_INVALID', line: 3, field: 'skills.pdf' }]);
    expect(codes('version: 1\nskills:\n  pdf: ""\n')).toEqual(['SOURCE_INVALID']);
    expect(codes('version: 1\nskills:\n  pdf: { path: ./a, tarball: ./b.tgz }\n')).toEqual(['SOURCE_INVALID']);
    expect(codes('version: 1\nskills:\n  pdf: {}\n')).toEqual(['SOURCE_INVALID']);
    expect(codes('version: 1\nskills:\n  pdf: { version: nope }\n')).toEqual(['SOURCE_INVALID']);
    expect(codes('version: 1\nskills:\n  pdf: file://host/share#^1\n')).toEqual(['SOURCE_INVALID']);
    expect(codes('version: 1\nskills:\n  pdf: https://u:p@registry.example.com#^1\n')).toEqual(['SOURCE_INVALID']);
    expect(codes('version: 1\nskills:\n  pdf: 12\n')).toEqual(['MANIFEST_INVALID']);
  });

  it('checks the registry, clients, instructions and trust', () => {
    expect(codes('version: 1\nregistry: ftp://x\n')).toEqual(['MANIFEST_INVALID']);
    expect(codes('version: 1\nregistry: https://skills.example.com\n')).toEqual([]);
    const client = parseManifest('version: 1\nclients: [claude-code, curosr]\n').findings;
    expect(client).toMatchObject([{ code: 'MANIFEST_INVALID', field: 'clients.1', line: 2 }]);
    expect(client[0]?.message).toContain('did you mean `cursor`');
    expect(codes('version: 1\ninstructions: [{ name: x }]\n')).toEqual(['MANIFEST_INVALID']);
    expect(codes('version: 1\ninstructions: [{ text: a, file: b }]\n')).toEqual(['MANIFEST_INVALID']);
    expect(codes('version: 1\ntrust: { keys: [{ name: a, publicKey: "rsa:xyz" }] }\n')).toEqual(['MANIFEST_INVALID']);
    expect(codes('version: 1\ntrust: { requireSignatures: "yes" }\n')).toEqual(['MANIFEST_INVALID']);
  });

  it('checks connector shapes', () => {
    expect(codes('version: 1\nconnectors:\n  a: { description: x }\n')).toEqual(['MANIFEST_INVALID']);
    expect(codes('version: 1\nconnectors:\n  a: { command: x, url: https://x }\n')).toEqual(['MANIFEST_INVALID']);
    expect(parseManifest('version: 1\nconnectors:\n  a:\n    command: x\n    headers: { X-Trace: "1" }\n').findings).toMatchObject([
      { code: 'MANIFEST_INVALID', field: 'connectors.a.headers', line: 5 },
    ]);
    expect(codes('version: 1\nconnectors:\n  a: { url: https://x, env: { A: b } }\n')).toEqual(['MANIFEST_INVALID']);
    expect(codes('version: 1\nconnectors:\n  a: { url: "file:///x" }\n')).toEqual(['MANIFEST_INVALID']);
    expect(codes('version: 1\nconnectors:\n  a: { url: https://x, transport: websocket }\n')).toEqual(['MANIFEST_INVALID']);
    expect(codes('version: 1\nconnectors:\n  a: { command: x, tools: [""] }\n')).toEqual(['MANIFEST_INVALID']);
    expect(codes('version: 1\nconnectors:\n  a: { command: x, env: { A: "${secrets:X}" } }\n')).toEqual(['MANIFEST_INVALID']);
  });

  describe('secret literals', () => {
    const literals: [string, string][] = [
      ['env by key name', 'connectors:\n  a:\n    command: x\n    env:\n      MY_SERVICE_TOKEN: hunter2-not-a-ref\n'],
      ['env api key', 'connectors:\n  a:\n    command: x\n    env:\n      OPENAI_API_KEY: "abcdefgh12345678"\n'],
      ['env token shape under a harmless name', 'connectors:\n  a:\n    command: x\n    env:\n      GH: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n'],
      ['bearer header', 'connectors:\n  a:\n    url: https://x\n    headers:\n      Authorization: Bearer abcdefghijklmnop\n'],
      ['api key header', 'connectors:\n  a:\n    url: https://x\n    headers:\n      X-Api-Key: s3cr3tvalue99\n'],
      ['url query', 'connectors:\n  a:\n    url: "https://x/mcp?api_key=s3cr3tvalue99"\n'],
      ['url password', 'connectors:\n  a:\n    url: "https://bob:s3cr3tvalue99@x/mcp"\n'],
      ['arg', 'connectors:\n  a:\n    command: x\n    args: ["--token=s3cr3tvalue99"]\n'],
    ];
    it.each(literals)('refuses %s without echoing the value', (_label, body) => {
      const { manifest, findings } = parseManifest(`version: 1\n${body}`, { file: 'skillsync.yaml' });
      expect(manifest).toBeUndefined();
      expect(findings.map((finding) => finding.code)).toEqual(['MANIFEST_SECRET_LITERAL']);
      const shown = JSON.stringify(findings);
      for (const secret of ['hunter2-not-a-ref', 'abcdefgh12345678', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'abcdefghijklmnop', 's3cr3tvalue99']) {
        expect(shown).not.toContain(secret);
      }
      expect(findings[0]?.line).toBeGreaterThan(1);
    });

    it('accepts references, templated schemes and harmless values', () => {
      const text = `version: 1
connectors:
  a:
    command: x
    env: { GITHUB_TOKEN: "\${secret:GH}", API_KEY: "\${env:KEY}", DEBUG: "1", KEYBOARD: us, SSH_KEY_PATH: ~/.ssh/id }
    args: ["--token=\${secret:T}", "--verbose"]
  b:
    url: "https://x/mcp?token=\${secret:T}&region=eu"
    headers: { Authorization: "Bearer \${secret:T}", X-Api-Key: "\${env:K}", Accept: application/json }
`;
      expect(parseManifest(text).findings).toEqual([]);
    });

    it('reports secrets even when the manifest has other errors', () => {
      expect(codes('version: 1\nconnectors:\n  a:\n    comand: x\n    env: { MY_TOKEN: abcdef1234 }\n').sort()).toEqual(['MANIFEST_INVALID', 'MANIFEST_SECRET_LITERAL', 'MANIFEST_UNKNOWN_KEY'].sort());
    });
  });

  it('never throws, and every finding has a catalogue code (property)', () => {
    const yamlish = fc.oneof(
      fc.string(),
      fc.json().map((json) => `version: 1\n${json}`),
      fc
        .dictionary(fc.constantFrom('version', 'skills', 'connectors', 'clients', 'trust', 'registry', 'instructions', 'x'), fc.jsonValue())
        .map((value) => JSON.stringify(value)),
      fc.constantFrom(full, full.slice(0, 200), full.replaceAll('  ', '\t')),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        const result = parseManifest(text);
        for (const finding of result.findings) expect(isErrorCode(finding.code)).toBe(true);
        expect(result.manifest === undefined).toBe(result.findings.some((finding) => finding.severity === 'error'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('manifestJsonSchema', () => {
  it('has an $id and describes the fields', () => {
    const schema = manifestJsonSchema() as { $id: string; properties: Record<string, { description?: string }> };
    expect(schema.$id).toBe('https://skillsync.dev/schemas/manifest.schema.json');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['version', 'registry', 'skills', 'connectors', 'instructions', 'clients', 'trust']));
    expect(schema.properties.skills?.description).toContain('skill name');
  });
});

describe('parseManifest: gateway', () => {
  it('reads the gateway settings, and refuses a connector named like the gateway entry', () => {
    const ok = parseManifest('version: 1\ngateway:\n  mode: auto\n  clients: { cursor: direct }\n  command: [npx, -y, skillsync]\n');
    expect(ok.findings).toEqual([]);
    expect(ok.manifest?.gateway).toEqual({ mode: 'auto', clients: { cursor: 'direct' }, command: ['npx', '-y', 'skillsync'] });
    const bad = parseManifest('version: 1\nconnectors:\n  skillsync: { command: x }\ngateway: { mode: sometimes }\n');
    expect(bad.findings.map((finding) => finding.message).join('\n')).toMatch(/gateway's own entry/);
    expect(bad.findings.some((finding) => finding.message.includes('sometimes') || finding.message.includes('auto'))).toBe(true);
  });
});
