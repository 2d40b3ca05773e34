import { clientAdapters, type ClientAdapter } from '@skillsync/clients';
import { createEnv, type ClientId } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import type { SkillDraft } from '../daemon/contract.js';
import { renderDraft } from './check-draft.js';
import { previewDraft, skillLandings } from './preview-draft.js';

const env = createEnv({ home: '/home/ada', cwd: '/work/app', platform: 'linux', vars: {} });

const draft: SkillDraft = {
  name: 'triage-bug',
  description: 'Triage a bug report. Use when a user files a bug.',
  extra: { metadata: { version: '1.0.0' } },
  body: '# Triage\n',
};

function adapters(...ids: ClientId[]): ClientAdapter[] {
  return ids.map((id) => {
    const adapter = clientAdapters.find((candidate) => candidate.id === id);
    if (adapter === undefined) throw new Error(`no adapter ${id}`);
    return adapter;
  });
}

describe('previewDraft', () => {
  it('puts SKILL.md in each client skill folder of the project, with the draft text', () => {
    const landings = previewDraft(draft, { env, scope: 'project', projectRoot: '/work/app', clients: adapters('claude-code', 'cursor') });
    expect(landings).toEqual([
      { client: 'claude-code', scope: 'project', path: '/work/app/.claude/skills/triage-bug/SKILL.md', content: renderDraft(draft) },
      { client: 'cursor', scope: 'project', path: '/work/app/.agents/skills/triage-bug/SKILL.md', content: renderDraft(draft) },
    ]);
  });

  it('lands in the user folders at user scope', () => {
    const [claude] = previewDraft(draft, { env, scope: 'user', projectRoot: undefined, clients: adapters('claude-code') });
    expect(claude?.path).toBe('/home/ada/.claude/skills/triage-bug/SKILL.md');
  });

  it('lands where the sync planner puts skill folders, for every client that takes them', () => {
    for (const scope of ['user', 'project'] as const) {
      const landings = skillLandings('triage-bug', { env, scope, projectRoot: '/work/app', clients: clientAdapters });
      for (const [index, adapter] of clientAdapters.entries()) {
        const location = adapter.locations(env, scope, '/work/app').skills;
        expect(landings[index]?.path).toBe(location.kind === 'supported' ? `${location.path}/triage-bug/SKILL.md` : undefined);
      }
    }
  });

  it("says why a client takes no skill folder, in the adapter's words, and that the gateway can serve it", () => {
    const [desktop] = previewDraft(draft, { env, scope: 'user', projectRoot: undefined, clients: adapters('claude-desktop') });
    expect(desktop).toMatchObject({ client: 'claude-desktop', path: undefined, content: undefined });
    expect(desktop?.note).toContain('Claude Desktop keeps skills in the app');
    expect(desktop?.note).toContain('gateway');
  });

  it('lands nowhere while the name is invalid, so a path never leaves the skills folder', () => {
    const landings = previewDraft({ ...draft, name: '../../.ssh' }, { env, scope: 'user', projectRoot: undefined, clients: adapters('claude-code', 'cursor') });
    expect(landings.map((landing) => landing.path)).toEqual([undefined, undefined]);
    expect(landings[0]?.note).toContain('valid name');
  });

  it('gives no landing without target clients', () => {
    expect(previewDraft(draft, { env, scope: 'project', projectRoot: '/work/app', clients: [] })).toEqual([]);
  });
});
