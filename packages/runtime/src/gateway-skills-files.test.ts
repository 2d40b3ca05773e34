import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGatewaySkillUri, loadGatewaySkills, ownSkillDirectory, ownSkillPath, skillBody, toGatewaySkillUri } from './gateway-skills.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-skill-files-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function skill(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

const md = (name: string): string => `---\nname: ${name}\ndescription: The ${name} skill.\n---\n\n# ${name}\n`;

describe('loadGatewaySkills', () => {
  it('refuses, and reports, a skill with a link, a name that does not match, bad frontmatter or an invalid sidecar; serves the rest', async () => {
    const good = await skill('good', { 'SKILL.md': md('good'), '.hidden': 'not served' });
    const linked = await skill('linked', { 'SKILL.md': md('linked') });
    await symlink('/etc/passwd', path.join(linked, 'passwd'));
    const mismatch = await skill('mismatch', { 'SKILL.md': md('other-name') });
    const unclosed = await skill('unclosed', { 'SKILL.md': '---\nname: unclosed\ndescription: x\n' });
    const sidecar = await skill('sidecar', { 'SKILL.md': md('sidecar'), 'skillsync.skill.yaml': 'requires: { connectors: { a: { tools: 3 } } }\n' });
    const { skills, problems } = await loadGatewaySkills([
      { name: 'linked', dir: linked },
      { name: 'good', dir: good },
      { name: 'mismatch', dir: mismatch },
      { name: 'unclosed', dir: unclosed },
      { name: 'sidecar', dir: sidecar },
      { name: 'absent', dir: path.join(root, 'absent') },
    ]);
    expect(skills.map((loaded) => loaded.name)).toEqual(['good']);
    expect([...(skills[0]?.files.keys() ?? [])]).toEqual(['SKILL.md']);
    expect(skillBody(skills[0] as NonNullable<(typeof skills)[0]>)).toBe('# good\n');
    expect(problems.map((problem) => problem.skill).sort()).toEqual(['absent', 'linked', 'mismatch', 'sidecar', 'unclosed']);
    expect(problems.find((problem) => problem.skill === 'linked')?.reason).toContain('passwd is a link or a special file');
  });

  it('resolves only URIs inside a served skill, never with . or .. segments', async () => {
    const dir = await skill('paths', { 'SKILL.md': md('paths'), 'docs/a.md': 'a' });
    const { skills } = await loadGatewaySkills([{ name: 'paths', dir }]);
    const map = new Map(skills.map((loaded) => [loaded.name, loaded]));
    expect(ownSkillPath(map, 'skill://skillsync/paths/docs/a.md')?.file).toBe('docs/a.md');
    expect(ownSkillPath(map, 'skill://skillsync/paths')?.file).toBe('');
    expect(ownSkillPath(map, 'skill://skillsync/paths/../paths/SKILL.md')).toBeUndefined();
    expect(ownSkillPath(map, 'skill://skillsync/paths/./SKILL.md')).toBeUndefined();
    expect(ownSkillPath(map, 'skill://skillsync/other/SKILL.md')).toBeUndefined();
    const loaded = map.get('paths');
    if (loaded === undefined) throw new Error('not loaded');
    expect(ownSkillDirectory(loaded, 'docs')?.map((child) => child.uri)).toEqual(['skill://skillsync/paths/docs/a.md']);
    expect(ownSkillDirectory(loaded, 'SKILL.md')).toBeUndefined();
  });
});

describe('connector skill URIs', () => {
  it('move every skill:// URI under the connector’s segment and back, and leave other URIs alone', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,10}$/), fc.webPath(), (connector, rest) => {
        fc.pre(connector !== 'skillsync');
        const uri = `skill://${rest.replace(/^\//, '')}`;
        expect(fromGatewaySkillUri(toGatewaySkillUri(connector, uri))).toEqual({ connector, uri });
      }),
    );
    expect(toGatewaySkillUri('github', 'file:///x/SKILL.md')).toBe('file:///x/SKILL.md');
    expect(fromGatewaySkillUri('skill://skillsync/pdf/SKILL.md')).toBeUndefined();
    expect(fromGatewaySkillUri('test://x/y')).toBeUndefined();
  });
});
