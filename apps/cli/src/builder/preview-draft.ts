import type { ClientAdapter } from '@skillsync/clients';
import { isValidSkillName, pathFor, type Env } from '@skillsync/core';
import { emptyJournal, planSync, type DesiredSkill } from '@skillsync/sync';
import type { DraftLanding, SkillDraft } from '../daemon/contract.js';
import { DRAFT_FILE, renderDraft } from './check-draft.js';

export interface PreviewOptions {
  readonly env: Env;
  readonly scope: 'user' | 'project';
  readonly projectRoot: string | undefined;
  readonly clients: readonly ClientAdapter[];
}

/**
 * Where the draft would land in each client, and the file written there: a skill
 * folder is copied byte for byte, so that is the draft's SKILL.md. Pure.
 */
export function previewDraft(draft: SkillDraft, options: PreviewOptions): DraftLanding[] {
  const skillMd = renderDraft(draft);
  return skillLandings(draft.name, options).map((landing) => (landing.path === undefined ? landing : { ...landing, content: skillMd }));
}

/**
 * Where a skill named `name` lands in each client (its SKILL.md path), or why it does
 * not, without the content. Asked of the sync planner itself, with this one skill as
 * the whole desired state and nothing on disk, so the answer is what `sync` would do.
 * Pure.
 */
export function skillLandings(name: string, options: PreviewOptions): DraftLanding[] {
  const { env, scope, projectRoot, clients } = options;
  if (!isValidSkillName(name)) {
    return clients.map((adapter) => ({ client: adapter.id, scope, path: undefined, content: undefined, note: 'lands nowhere until the skill has a valid name' }));
  }
  // The integrity and store folder only matter when the plan is applied; this one never is.
  const skill: DesiredSkill = { name, version: '0.0.0', integrity: 'sha512-preview', storeDir: '' };
  const plan = planSync({
    env,
    scope,
    ...(projectRoot === undefined ? {} : { projectRoot }),
    clients,
    desired: { connectors: {}, gateway: {}, skills: [skill], instructions: [] },
    files: new Map(),
    skillDirs: new Map(),
    journal: emptyJournal,
  });
  const p = pathFor(env);
  return clients.map((adapter): DraftLanding => {
    const item = plan.items.find((entry) => entry.client === adapter.id && entry.kind === 'skill' && entry.name === name);
    if (item?.path !== undefined && item.status !== 'unsupported') {
      return { client: adapter.id, scope, path: p.join(item.path, DRAFT_FILE), content: undefined };
    }
    return { client: adapter.id, scope, path: undefined, content: undefined, note: unsupportedNote(adapter, item?.detail, options) };
  });
}

/** Why a client takes no skill folder, and whether the skill still reaches it through the gateway. */
function unsupportedNote(adapter: ClientAdapter, reason: string | undefined, options: PreviewOptions): string {
  const why = reason ?? `${adapter.displayName} takes no skill folders`;
  const connectors = adapter.locations(options.env, options.scope, options.projectRoot).connectors;
  return connectors.kind === 'supported'
    ? `${why}; the skillsync gateway serves it over MCP when ${adapter.displayName}'s connectors go through the gateway`
    : why;
}
