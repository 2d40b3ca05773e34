import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnv } from '../env/env.js';
import { skillsyncPaths } from '../env/paths.js';
import { findProjectManifest, loadManifests } from './find-project-manifest.js';
import { mergeManifests, type ScopedManifest } from './merge-manifests.js';
import { parseManifest } from './parse-manifest.js';

function scoped(scope: 'user' | 'project', file: string, text: string): ScopedManifest {
  const { manifest, findings } = parseManifest(text, { file });
  if (manifest === undefined) throw new Error(JSON.stringify(findings));
  return { scope, file, manifest };
}

const user = scoped(
  'user',
  '/home/ada/.config/skillsync/skillsync.yaml',
  `version: 1
registry: file:///home/ada/reg
skills: { pdf: ^1.0.0, notes: ./notes }
connectors: { github: { command: gh-mcp } }
instructions: [{ name: style, text: user style }, { text: always kind }]
clients: [cursor]
trust: { keys: [{ name: ada, publicKey: "ed25519:AAAA" }], requireSignatures: true }
`,
);
const project = scoped(
  'project',
  '/work/app/skillsync.yaml',
  `version: 1
skills: { pdf: ^2.0.0, review: ./skills/review }
connectors: { linear: { url: https://mcp.linear.app } }
instructions: [{ name: style, text: project style }]
trust: { keys: [{ name: team, publicKey: "ed25519:BBBB" }], requireSignatures: false }
`,
);

describe('mergeManifests', () => {
  it('stacks project over user with provenance for each item', () => {
    const merged = mergeManifests(user, project);
    expect(merged.skills.map((skill) => [skill.name, skill.specifier, skill.source.scope])).toEqual([
      ['notes', './notes', 'user'],
      ['pdf', '^2.0.0', 'project'],
      ['review', './skills/review', 'project'],
    ]);
    expect(merged.skills[1]?.source.file).toBe('/work/app/skillsync.yaml');
    expect(merged.connectors.map((item) => [item.name, item.source.scope])).toEqual([
      ['github', 'user'],
      ['linear', 'project'],
    ]);
    expect(merged.instructions.map((item) => [item.instruction.text, item.source.scope])).toEqual([
      ['project style', 'project'],
      ['always kind', 'user'],
    ]);
    expect(merged.registry).toEqual({ value: 'file:///home/ada/reg', source: { scope: 'user', file: user.file } });
    expect(merged.clients?.value).toEqual(['cursor']);
    expect(merged.trust.keys.map((key) => key.name)).toEqual(['ada', 'team']);
    // A project cannot switch off the user's signature requirement.
    expect(merged.trust.requireSignatures).toBe(true);
  });

  it('works with one scope or none', () => {
    expect(mergeManifests(undefined, undefined)).toMatchObject({ skills: [], connectors: [], registry: undefined, trust: { keys: [], requireSignatures: false } });
    expect(mergeManifests(undefined, project).skills.every((skill) => skill.source.scope === 'project')).toBe(true);
  });

  it('takes each gateway setting from the nearest scope that sets it, principal and redaction whole', () => {
    const userGateway = scoped(
      'user',
      '/home/ada/.config/skillsync/skillsync.yaml',
      'version: 1\ngateway: { mode: gateway, principal: { user: ada, teams: [web] }, redaction: { mode: block }, auditRetentionDays: 90 }\n',
    );
    const projectGateway = scoped('project', '/work/app/skillsync.yaml', 'version: 1\ngateway: { principal: { roles: [maintainer] }, redaction: { detectors: [api-key], custom: [{ name: emp, pattern: "EMP-\\\\d{6}" }] } }\n');
    expect(mergeManifests(userGateway, projectGateway).gateway).toEqual({
      mode: 'gateway',
      principal: { roles: ['maintainer'] },
      redaction: { detectors: ['api-key'], custom: [{ name: 'emp', pattern: 'EMP-\\d{6}' }] },
      auditRetentionDays: 90,
    });
    expect(mergeManifests(userGateway, undefined).gateway).toEqual({ mode: 'gateway', principal: { user: 'ada', teams: ['web'] }, redaction: { mode: 'block' }, auditRetentionDays: 90 });
    const refused = parseManifest('version: 1\ngateway: { redaction: { detectors: [api-keys] }, auditRetentionDays: 0 }\n', { file: '/x/skillsync.yaml' });
    expect(refused.manifest).toBeUndefined();
    expect(refused.findings.map((finding) => finding.message).join('\n')).toMatch(/api-keys|detectors/);
  });
});

describe('gateway.namespace', () => {
  it('is taken from the nearest scope that sets it, and only always or auto', () => {
    const userGateway = scoped('user', '/home/ada/.config/skillsync/skillsync.yaml', 'version: 1\ngateway: { namespace: auto }\n');
    const projectGateway = scoped('project', '/work/app/skillsync.yaml', 'version: 1\ngateway: { namespace: always }\n');
    expect(mergeManifests(userGateway, undefined).gateway.namespace).toBe('auto');
    expect(mergeManifests(userGateway, projectGateway).gateway.namespace).toBe('always');
    expect(mergeManifests(undefined, undefined).gateway.namespace).toBeUndefined();
    expect(parseManifest('version: 1\ngateway: { namespace: sometimes }\n', { file: '/x/skillsync.yaml' }).manifest).toBeUndefined();
  });
});

describe('findProjectManifest and loadManifests', () => {
  const temps: string[] = [];
  afterEach(async () => {
    await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('finds the nearest manifest walking up, and reads both scopes', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-manifest-'));
    temps.push(root);
    const home = path.join(root, 'home');
    const repo = path.join(root, 'repo');
    await mkdir(path.join(repo, 'a', 'b'), { recursive: true });
    await writeFile(path.join(repo, 'skillsync.yaml'), 'version: 1\nskills: { pdf: ^2.0.0 }\n');
    const env = createEnv({ home, cwd: path.join(repo, 'a', 'b') });
    expect(await findProjectManifest(env)).toBe(path.join(repo, 'skillsync.yaml'));
    expect(await findProjectManifest(createEnv({ home, cwd: home }))).toBeUndefined();

    const userFile = skillsyncPaths(env).userManifest;
    await mkdir(path.dirname(userFile), { recursive: true });
    await writeFile(userFile, 'version: 1\nskills: { notes: ./notes, pdf: ^1.0.0 }\n');
    const loaded = await loadManifests(env);
    expect(loaded.findings).toEqual([]);
    expect(loaded.effective.skills.map((skill) => `${skill.name}:${skill.source.scope}`)).toEqual(['notes:user', 'pdf:project']);

    await writeFile(path.join(repo, 'skillsync.yaml'), 'version: 1\nskils: {}\n');
    const broken = await loadManifests(env);
    expect(broken.findings).toMatchObject([{ code: 'MANIFEST_UNKNOWN_KEY', file: path.join(repo, 'skillsync.yaml'), line: 2 }]);
    expect(broken.effective.skills.map((skill) => skill.name)).toEqual(['notes', 'pdf']);
  });
});
