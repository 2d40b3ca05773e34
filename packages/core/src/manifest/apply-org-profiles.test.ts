import { describe, expect, it } from 'vitest';
import { applyOrgProfiles, meetsRequirement, refuseConnector, type OrgProfileLayer } from './apply-org-profiles.js';
import { mergeManifests, type EffectiveManifest, type ScopedManifest } from './merge-manifests.js';
import { parseManifest } from './parse-manifest.js';

const ACME = 'https://skills.example.com/v0.1/orgs/acme';
const BETA = 'https://other.example.com/v0.1/orgs/beta';
const USER_FILE = '/home/ada/.config/skillsync/skillsync.yaml';
const PROJECT_FILE = '/work/app/skillsync.yaml';

function scoped(scope: 'user' | 'project', file: string, text: string): ScopedManifest {
  const { manifest, findings } = parseManifest(text, { file });
  if (manifest === undefined) throw new Error(JSON.stringify(findings));
  return { scope, file, manifest };
}

function userManifest(text: string): EffectiveManifest {
  return mergeManifests(scoped('user', USER_FILE, `version: 1\n${text}`), undefined);
}

function layer(overrides: Partial<OrgProfileLayer> = {}): OrgProfileLayer {
  return { address: ACME, org: 'acme', required: [], blockedSkills: [], blockedConnectors: [], ...overrides };
}

const empty = userManifest('');

describe('applyOrgProfiles', () => {
  it('changes nothing without a layer', () => {
    const manifest = userManifest('skills: { pdf: ^1.0.0 }\nconnectors: { github: { command: gh-mcp } }\n');
    const result = applyOrgProfiles(manifest, [], { addOrgScope: true });
    expect(result.violations).toEqual([]);
    expect(result.manifest).toEqual(manifest);
  });

  it('adds each required skill no manifest names at the org scope, from the org registry', () => {
    const result = applyOrgProfiles(userManifest('skills: { zeta: ./zeta }\n'), [layer({ required: [{ name: 'triage', version: '^1.2.0' }, { name: 'any', version: 'latest' }] })], {
      addOrgScope: true,
    });
    expect(result.violations).toEqual([]);
    expect(result.manifest.skills).toEqual([
      { name: 'any', specifier: { version: 'latest', registry: ACME }, source: { scope: 'org', file: ACME } },
      { name: 'triage', specifier: { version: '^1.2.0', registry: ACME }, source: { scope: 'org', file: ACME } },
      { name: 'zeta', specifier: './zeta', source: { scope: 'user', file: USER_FILE } },
    ]);
  });

  it('works for a member with no manifest at all', () => {
    const result = applyOrgProfiles(empty, [layer({ required: [{ name: 'triage', version: '1.0.0' }], instructions: 'Be kind.' })], { addOrgScope: true });
    expect(result.manifest.skills.map((skill) => skill.name)).toEqual(['triage']);
    expect(result.manifest.instructions).toEqual([{ instruction: { name: 'org:acme', text: 'Be kind.' }, source: { scope: 'org', file: ACME } }]);
  });

  it('adds no org scope where only the blocks apply (the project scope)', () => {
    const project = mergeManifests(undefined, scoped('project', PROJECT_FILE, 'version: 1\nconnectors: { jira: { command: jira-mcp } }\n'));
    const result = applyOrgProfiles(project, [layer({ required: [{ name: 'triage', version: '^1.0.0' }], instructions: 'Be kind.', blockedConnectors: ['jira'] })], {
      addOrgScope: false,
    });
    expect(result.manifest.skills).toEqual([]);
    expect(result.manifest.instructions).toEqual([]);
    expect(result.manifest.connectors).toEqual([]);
    expect(result.violations).toEqual([
      { kind: 'blocked-connector', name: 'jira', org: 'acme', registry: ACME, reason: 'the acme org profile blocks the connector jira', source: { scope: 'project', file: PROJECT_FILE } },
    ]);
  });

  it("keeps a manifest's own specifier for a required skill it names, when it can satisfy the requirement", () => {
    for (const specifier of ['^1.0.0', '">=1.3.0"', 'latest', '"*"', '1.x', '"https://other.example.com/v0.1/orgs/x#^1.4.0"', './local-copy', 'pack.tgz']) {
      const result = applyOrgProfiles(userManifest(`skills: { triage: ${specifier} }\n`), [layer({ required: [{ name: 'triage', version: '^1.2.0' }] })], { addOrgScope: true });
      expect(result.violations, specifier).toEqual([]);
      expect(result.manifest.skills.map((skill) => skill.source.scope), specifier).toEqual(['user']);
    }
  });

  it('reports a registry range that cannot satisfy the requirement as required-version, and keeps the entry', () => {
    const result = applyOrgProfiles(userManifest('skills: { triage: ^2.0.0, notes: { version: "1.0.0" } }\n'), [
      layer({ required: [{ name: 'triage', version: '^1.2.0' }, { name: 'notes', version: '>=1.1.0' }, { name: 'fine', version: 'latest' }] }),
    ], { addOrgScope: true });
    expect(result.violations).toEqual([
      {
        kind: 'required-version',
        name: 'triage',
        org: 'acme',
        registry: ACME,
        reason: `the acme org profile requires triage ^1.2.0, but ${USER_FILE} asks for ^2.0.0`,
        source: { scope: 'user', file: USER_FILE },
      },
      expect.objectContaining({ kind: 'required-version', name: 'notes', reason: `the acme org profile requires notes >=1.1.0, but ${USER_FILE} asks for 1.0.0` }),
    ]);
    expect(result.manifest.skills.map((skill) => [skill.name, skill.source.scope])).toEqual([
      ['fine', 'org'],
      ['notes', 'user'],
      ['triage', 'user'],
    ]);
  });

  it('checks a named skill against the requirement in the project scope too', () => {
    const project = mergeManifests(undefined, scoped('project', PROJECT_FILE, 'version: 1\nskills: { triage: ~0.9.0 }\n'));
    const result = applyOrgProfiles(project, [layer({ required: [{ name: 'triage', version: '^1.2.0' }] })], { addOrgScope: false });
    expect(result.violations).toMatchObject([{ kind: 'required-version', name: 'triage', source: { scope: 'project' } }]);
  });

  it('removes blocked skills and connectors, each a violation with the file that declares it', () => {
    const result = applyOrgProfiles(
      userManifest('skills: { pdf: ^1.0.0, notes: ./notes }\nconnectors: { github: { command: gh-mcp }, shell: { command: sh-mcp } }\n'),
      [layer({ blockedSkills: ['pdf', 'never-named'], blockedConnectors: ['shell', 'also-never'] })],
      { addOrgScope: true },
    );
    expect(result.manifest.skills.map((skill) => skill.name)).toEqual(['notes']);
    expect(result.manifest.connectors.map((connector) => connector.name)).toEqual(['github']);
    expect(result.violations).toEqual([
      { kind: 'blocked-skill', name: 'pdf', org: 'acme', registry: ACME, reason: 'the acme org profile blocks the skill pdf', source: { scope: 'user', file: USER_FILE } },
      { kind: 'blocked-connector', name: 'shell', org: 'acme', registry: ACME, reason: 'the acme org profile blocks the connector shell', source: { scope: 'user', file: USER_FILE } },
    ]);
  });

  it('keeps only the allowed connectors when the profile has an allow-list', () => {
    const manifest = userManifest('connectors: { github: { command: gh-mcp }, linear: { url: "https://mcp.linear.app" }, shell: { command: sh-mcp } }\n');
    const result = applyOrgProfiles(manifest, [layer({ allowedConnectors: ['github', 'shell'], blockedConnectors: ['shell'] })], { addOrgScope: true });
    expect(result.manifest.connectors.map((connector) => connector.name)).toEqual(['github']);
    expect(result.violations.map((violation) => [violation.kind, violation.name, violation.reason])).toEqual([
      ['connector-not-allowed', 'linear', 'the acme org profile does not allow the connector linear: it allows only github, shell'],
      ['blocked-connector', 'shell', 'the acme org profile blocks the connector shell'],
    ]);
    const none = applyOrgProfiles(manifest, [layer({ allowedConnectors: [] })], { addOrgScope: true });
    expect(none.manifest.connectors).toEqual([]);
    expect(none.violations[0]?.reason).toBe('the acme org profile does not allow the connector github: it allows no connector');
  });

  it('stacks several orgs: the first to require a skill adds it, and a block of any wins over a requirement', () => {
    const beta = layer({ address: BETA, org: 'beta', required: [{ name: 'triage', version: '^9.0.0' }, { name: 'lint', version: 'latest' }], blockedSkills: ['review'] });
    const acme = layer({ required: [{ name: 'triage', version: '^1.0.0' }, { name: 'review', version: 'latest' }], instructions: 'acme rules', blockedConnectors: ['shell'] });
    const result = applyOrgProfiles(userManifest('connectors: { shell: { command: sh-mcp } }\n'), [acme, { ...beta, instructions: '  beta rules\n' }], { addOrgScope: true });
    expect(result.manifest.skills.map((skill) => [skill.name, skill.specifier, skill.source.file])).toEqual([
      ['lint', { version: 'latest', registry: BETA }, BETA],
      ['triage', { version: '^1.0.0', registry: ACME }, ACME],
    ]);
    expect(result.manifest.instructions.map((entry) => [entry.instruction.name, entry.instruction.text])).toEqual([
      ['org:acme', 'acme rules'],
      ['org:beta', 'beta rules'],
    ]);
    expect(result.violations.map((violation) => [violation.kind, violation.name, violation.org, violation.source.scope])).toEqual([
      // beta's requirement cannot be met by what acme added: the two orgs disagree.
      ['required-version', 'triage', 'beta', 'org'],
      ['blocked-skill', 'review', 'beta', 'org'],
      ['blocked-connector', 'shell', 'acme', 'user'],
    ]);
  });

  it('puts the org instructions before the manifests\' own and skips blank ones', () => {
    const result = applyOrgProfiles(userManifest('instructions: [{ name: style, text: be brief }]\n'), [layer({ instructions: 'Org first.' }), layer({ address: BETA, org: 'beta', instructions: '  \n' })], {
      addOrgScope: true,
    });
    expect(result.manifest.instructions.map((entry) => [entry.instruction.name, entry.source.scope])).toEqual([
      ['org:acme', 'org'],
      ['style', 'user'],
    ]);
  });

  it('leaves the rest of the manifest as it was', () => {
    const manifest = userManifest('registry: https://skills.example.com/v0.1/orgs/acme\nclients: [cursor]\ngateway: { mode: gateway }\n');
    const { manifest: applied } = applyOrgProfiles(manifest, [layer({ required: [{ name: 'x', version: 'latest' }] })], { addOrgScope: true });
    expect(applied.registry).toEqual(manifest.registry);
    expect(applied.clients).toEqual(manifest.clients);
    expect(applied.gateway).toEqual(manifest.gateway);
    expect(applied.trust).toEqual(manifest.trust);
  });
});

describe('refuseConnector', () => {
  it('says which org refuses a connector name and why, or nothing', () => {
    const layers = [layer({ blockedConnectors: ['shell'] }), layer({ address: BETA, org: 'beta', allowedConnectors: ['github'] })];
    expect(refuseConnector(layers, 'shell')).toEqual({ kind: 'blocked-connector', name: 'shell', org: 'acme', registry: ACME, reason: 'the acme org profile blocks the connector shell' });
    expect(refuseConnector(layers, 'linear')).toMatchObject({ kind: 'connector-not-allowed', org: 'beta' });
    expect(refuseConnector(layers, 'github')).toBeUndefined();
    expect(refuseConnector([], 'anything')).toBeUndefined();
  });
});

describe('meetsRequirement', () => {
  it('holds an exact version against a requirement; latest takes any', () => {
    expect(meetsRequirement('1.4.0', '^1.2.0')).toBe(true);
    expect(meetsRequirement('2.0.0', '^1.2.0')).toBe(false);
    expect(meetsRequirement('0.0.1', 'latest')).toBe(true);
    expect(meetsRequirement('1.2.0', '1.2.0')).toBe(true);
    expect(meetsRequirement('not-a-version', '^1.0.0')).toBe(false);
  });
});
