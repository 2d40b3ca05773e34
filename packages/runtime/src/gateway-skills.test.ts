import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { SkillsClient } from '@modelcontextprotocol/client/ext/skills';
import { createEnv, type ConnectorDefinition } from '@skillsync/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildStdioTestServer, connectTestClient, linkedPair, textOf, type Era } from '../../../test/support/mcp/harness.js';
import { createGateway, serveGatewayStdio, type AuditRecord, type Gateway, type GatewayEvent, type GatewayOptions } from './index.js';

/*
 * The gateway's own skills over MCP: the Skills extension (verified with the SDK's own
 * SkillsClient, which checks every digest, size and frontmatter), a prompt per skill,
 * the list/load tools, and useSkill authorization bound to the connectors a skill
 * requires.
 */

const PDF_SKILL = ['---', 'name: pdf-tools', 'description: Fill and merge PDF forms. Use it for any PDF task.', 'metadata:', '  version: "1.2.0"', '---', '', '# PDF tools', '', 'Read [the guide](references/guide.md).', ''].join('\n');
const GUIDE = '# Guide\n\nStep one: open the file.\n';
const LOGO = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x01]);

let root: string;
let stdioServer: { file: string; cleanup: () => Promise<void> };
const cleanups: (() => Promise<void>)[] = [];

async function writeSkill(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = path.join(root, name);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

const skillMd = (name: string, description: string): string => `---\nname: ${name}\ndescription: ${description}\n---\n\n# ${name}\n\nDo the ${name} thing.\n`;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-gateway-skills-'));
  stdioServer = await buildStdioTestServer();
  await writeSkill('pdf-tools', { 'SKILL.md': PDF_SKILL, 'references/guide.md': GUIDE, 'assets/logo.png': LOGO });
  await writeSkill('deployer', {
    'SKILL.md': skillMd('deployer', 'Deploys through the local connector.'),
    'skillsync.skill.yaml': 'requires:\n  connectors:\n    local:\n      tools: [echo]\n',
  });
  await writeSkill('orphan', { 'SKILL.md': skillMd('orphan', 'Needs a connector nobody serves.'), 'skillsync.skill.yaml': 'requires:\n  connectors:\n    nowhere: {}\n' });
  await writeSkill('greet', { 'SKILL.md': skillMd('greet', 'Greets, like the test server’s prompt of the same name.') });
  await writeSkill('broken', { 'notes.md': 'no SKILL.md here' });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await stdioServer.cleanup();
  await rm(root, { recursive: true, force: true });
});

const local: () => ConnectorDefinition = () => ({ command: process.execPath, args: [stdioServer.file], env: { TEST_SERVER_LABEL: 'local' } });

async function startGateway(options: Partial<GatewayOptions> = {}): Promise<{ gateway: Gateway; audit: AuditRecord[]; events: GatewayEvent[] }> {
  const audit: AuditRecord[] = [];
  const events: GatewayEvent[] = [];
  const gateway = createGateway({
    env: createEnv({ home: '/nonexistent-home', cwd: process.cwd(), vars: { PATH: process.env.PATH, USER: 'ada' } }),
    connectors: { local: local() },
    skills: ['pdf-tools', 'deployer', 'orphan', 'greet', 'broken'].map((name) => ({ name, dir: path.join(root, name) })),
    audit: { append: (record) => audit.push(record) },
    onEvent: (event) => events.push(event),
    ...options,
  });
  cleanups.push(() => gateway.close());
  await gateway.start();
  return { gateway, audit, events };
}

async function connect(gateway: Gateway, era: Era = 'legacy'): Promise<Client> {
  const [clientSide, gatewaySide] = linkedPair();
  const serving = serveGatewayStdio(gateway, { transport: gatewaySide });
  const client = await connectTestClient(clientSide, { era });
  cleanups.push(async () => {
    await client.close();
    await serving.close();
  });
  return client;
}

const sha256 = (bytes: string | Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe.each(['legacy', 'modern'] as const)('skills over MCP, to a %s client', (era) => {
  it('serves every installed skill over the Skills extension: entries with a digest and size per file, files through resources/read', async () => {
    const { gateway, events } = await startGateway();
    expect(events).toContainEqual({ kind: 'skill-skipped', skill: 'broken', reason: 'it has no SKILL.md' });
    const client = await connect(gateway, era);
    const skills = new SkillsClient(client);
    expect(skills.supported).toBe(true);
    expect(skills.directoryRead).toBe(true);
    const listing = await skills.list();
    // `orphan` needs a connector this gateway does not serve, so it is not usable here.
    expect(listing.skills.map((skill) => skill.uri)).toEqual([
      'skill://skillsync/deployer/SKILL.md',
      'skill://skillsync/greet/SKILL.md',
      'skill://skillsync/pdf-tools/SKILL.md',
    ]);
    expect(listing.invalid).toEqual([]);
    if (era === 'modern') expect(listing).toMatchObject({ ttlMs: 0, cacheScope: 'private' });
    const pdf = listing.skills.find((skill) => skill.frontmatter.name === 'pdf-tools');
    expect(pdf?.frontmatter).toEqual({ name: 'pdf-tools', description: 'Fill and merge PDF forms. Use it for any PDF task.', metadata: { version: '1.2.0' } });
    expect(pdf?.resources).toEqual([
      { uri: 'skill://skillsync/pdf-tools/SKILL.md', digest: sha256(PDF_SKILL), size: Buffer.byteLength(PDF_SKILL) },
      { uri: 'skill://skillsync/pdf-tools/assets/logo.png', digest: sha256(LOGO), size: LOGO.byteLength },
      { uri: 'skill://skillsync/pdf-tools/references/guide.md', digest: sha256(GUIDE), size: Buffer.byteLength(GUIDE) },
    ].sort((a, b) => (a.uri < b.uri ? -1 : 1)));
    if (pdf === undefined) throw new Error('pdf-tools not listed');
    // SkillsClient.read checks listed membership, size, digest and (for SKILL.md) the frontmatter.
    const manifest = await skills.read(pdf);
    expect(manifest).toMatchObject({ verified: true, text: PDF_SKILL, mimeType: 'text/markdown' });
    expect(await skills.read(pdf, 'references/guide.md')).toMatchObject({ verified: true, text: GUIDE });
    const logo = await skills.read(pdf, 'assets/logo.png');
    expect(logo.verified).toBe(true);
    expect([...logo.bytes]).toEqual([...LOGO]);
    expect((await skills.get('skill://skillsync/pdf-tools/SKILL.md')).skill).toEqual(pdf);
    await expect(skills.get('skill://skillsync/nothing/SKILL.md')).rejects.toMatchObject({ code: -32602 });
    const root = await skills.readDirectory('skill://skillsync/pdf-tools');
    expect(root.resources.map(({ uri, mimeType }) => ({ uri, mimeType }))).toEqual([
      { uri: 'skill://skillsync/pdf-tools/SKILL.md', mimeType: 'text/markdown' },
      { uri: 'skill://skillsync/pdf-tools/assets', mimeType: 'inode/directory' },
      { uri: 'skill://skillsync/pdf-tools/references', mimeType: 'inode/directory' },
    ]);
    await expect(skills.readDirectory('skill://skillsync/pdf-tools/SKILL.md')).rejects.toMatchObject({ code: -32602 });
    // Each SKILL.md is in resources/list too, with the frontmatter's name and description.
    expect((await client.listResources()).resources).toContainEqual(
      expect.objectContaining({ uri: 'skill://skillsync/pdf-tools/SKILL.md', name: 'pdf-tools', description: 'Fill and merge PDF forms. Use it for any PDF task.', mimeType: 'text/markdown' }),
    );
    await expect(client.readResource({ uri: 'skill://skillsync/pdf-tools/missing.md' })).rejects.toThrow();
  });

  it('offers each skill as a prompt, and through the list and load tools for clients without the extension', async () => {
    const { gateway, audit } = await startGateway();
    const client = await connect(gateway, era);
    const prompts = (await client.listPrompts()).prompts;
    expect(prompts.map((prompt) => prompt.name)).toEqual(expect.arrayContaining(['skillsync__pdf-tools', 'skillsync__deployer', 'local__greet', 'skillsync__greet']));
    expect(prompts.map((prompt) => prompt.name)).not.toContain('skillsync__orphan');
    const prompt = await client.getPrompt({ name: 'skillsync__pdf-tools' });
    const first = prompt.messages[0]?.content;
    expect(first?.type === 'text' ? first.text : '').toContain('# PDF tools');
    expect(first?.type === 'text' ? first.text : '').not.toContain('metadata:');
    const second = prompt.messages[1]?.content;
    expect(second?.type === 'text' ? second.text : '').toContain('references/guide.md');

    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(expect.arrayContaining(['skillsync__list_skills', 'skillsync__load_skill']));
    const listed = await client.callTool({ name: 'skillsync__list_skills', arguments: {} });
    expect((listed.structuredContent as { skills: { name: string }[] }).skills.map((skill) => skill.name)).toEqual(['deployer', 'greet', 'pdf-tools']);
    const loaded = await client.callTool({ name: 'skillsync__load_skill', arguments: { skill: 'pdf-tools' } });
    expect(textOf(loaded)).toMatch(/^# PDF tools/);
    expect(textOf(loaded)).toContain('- references/guide.md');
    const guide = await client.callTool({ name: 'skillsync__load_skill', arguments: { skill: 'skill://skillsync/pdf-tools/SKILL.md', file: 'references/guide.md' } });
    expect(guide.content).toEqual([{ type: 'resource', resource: { uri: 'skill://skillsync/pdf-tools/references/guide.md', mimeType: 'text/markdown', text: GUIDE } }]);
    const unknown = await client.callTool({ name: 'skillsync__load_skill', arguments: { skill: 'orphan' } });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('Unknown skill: orphan');
    expect(audit.filter((record) => record.action === 'useSkill').map(({ target, decision, outcome }) => ({ target, decision, outcome }))).toEqual([
      { target: 'pdf-tools', decision: 'allow', outcome: 'ok' },
      { target: 'pdf-tools', decision: 'allow', outcome: 'ok' },
      { target: 'pdf-tools', decision: 'allow', outcome: 'ok' },
      { target: 'orphan', decision: 'deny', outcome: 'denied' },
    ]);
  });
});

describe('useSkill authorization', () => {
  it('denies a skill bound to a connector tool the principal may not call, everywhere it is offered, exactly like an unknown skill', async () => {
    const { gateway, audit } = await startGateway({
      authorize: (request) => ({ decision: request.action === 'callTool' && request.resource.connector === 'local' && request.resource.id === 'echo' ? 'deny' : 'allow', policyIds: ['no-echo'] }),
    });
    const client = await connect(gateway);
    const skills = new SkillsClient(client);
    expect((await skills.list()).skills.map((skill) => skill.frontmatter.name)).toEqual(['greet', 'pdf-tools']);
    await expect(skills.get('skill://skillsync/deployer/SKILL.md')).rejects.toMatchObject({ code: -32602 });
    await expect(client.readResource({ uri: 'skill://skillsync/deployer/SKILL.md' })).rejects.toThrow();
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).not.toContain('skillsync__deployer');
    await expect(client.getPrompt({ name: 'skillsync__deployer' })).rejects.toThrow(/Unknown prompt/);
    expect(textOf(await client.callTool({ name: 'skillsync__load_skill', arguments: { skill: 'deployer' } }))).toContain('Unknown skill: deployer');
    expect(audit.filter((record) => record.action === 'useSkill' && record.target === 'deployer').every((record) => record.decision === 'deny' && record.outcome === 'denied')).toBe(true);
  });

  it('asks for useSkill on Skill::"<name>" and honours a denial', async () => {
    const asked: string[] = [];
    const { gateway } = await startGateway({
      authorize: (request) => {
        if (request.action === 'useSkill') asked.push(`${request.resource.type}:${request.resource.id}:${request.resource.connector ?? '-'}`);
        return { decision: request.action === 'useSkill' && request.resource.id === 'pdf-tools' ? 'deny' : 'allow', policyIds: [] };
      },
    });
    const client = await connect(gateway);
    expect((await new SkillsClient(client).list()).skills.map((skill) => skill.frontmatter.name)).toEqual(['deployer', 'greet']);
    expect(asked).toContain('Skill:pdf-tools:-');
    expect((await client.listResources()).resources.map((resource) => resource.uri)).not.toContain('skill://skillsync/pdf-tools/SKILL.md');
  });
});

describe('skills a connector serves', () => {
  it('passes them through under the connector’s own segment, digests intact, with its files read through the connector', async () => {
    const { gateway } = await startGateway({ connectors: { local: { ...local(), env: { TEST_SERVER_LABEL: 'local', TEST_SERVER_SKILLS: '1' } } } });
    const client = await connect(gateway);
    const skills = new SkillsClient(client);
    const listing = await skills.list();
    const served = listing.skills.find((skill) => skill.frontmatter.name === 'report-writer');
    expect(served?.uri).toBe('skill://local/report-writer/SKILL.md');
    expect(listing.skills[0]?.uri).toBe('skill://skillsync/deployer/SKILL.md');
    if (served === undefined) throw new Error('report-writer not listed');
    expect(Array.isArray(served.resources) ? served.resources.map((resource) => resource.uri) : served.resources).toEqual([
      'skill://local/report-writer/SKILL.md',
      'skill://local/report-writer/templates/weekly.md',
    ]);
    expect(await skills.read(served)).toMatchObject({ verified: true, uri: 'skill://local/report-writer/SKILL.md' });
    expect(await skills.read(served, 'templates/weekly.md')).toMatchObject({ verified: true, text: '# Week {{n}}\n' });
    expect((await skills.get('skill://local/report-writer/SKILL.md')).skill).toEqual(served);
    expect((await skills.readDirectory('skill://local/report-writer')).resources.map((resource) => resource.uri)).toEqual([
      'skill://local/report-writer/SKILL.md',
      'skill://local/report-writer/templates',
    ]);
    const uris = (await client.listResources()).resources.map((resource) => resource.uri);
    expect(uris).toContain('skill://local/report-writer/SKILL.md');
    expect(uris).not.toContain('skill://report-writer/SKILL.md');
    expect((await client.listResourceTemplates()).resourceTemplates.some((template) => template.uriTemplate.startsWith('skill://'))).toBe(false);
    const loaded = await client.callTool({ name: 'skillsync__load_skill', arguments: { skill: 'skill://local/report-writer/SKILL.md' } });
    expect(textOf(loaded)).toContain('# Report writer');
  });
});

describe('skills and namespace: auto', () => {
  it('names a skill prompt after the skill unless a connector offers a prompt of that name', async () => {
    const { gateway } = await startGateway({ namespace: 'auto' });
    const client = await connect(gateway);
    const prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
    expect(prompts).toEqual(expect.arrayContaining(['pdf-tools', 'deployer', 'local__greet', 'skillsync__greet']));
    expect(prompts).not.toContain('greet');
    const own = (await client.getPrompt({ name: 'skillsync__greet' })).messages[0]?.content;
    expect(own?.type === 'text' ? own.text : '').toContain('Do the greet thing.');
    expect((await client.getPrompt({ name: 'local__greet', arguments: { name: 'Ada' } })).messages[0]?.content).toEqual({ type: 'text', text: 'Say hello to Ada from local.' });
  });
});
