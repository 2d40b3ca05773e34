// PLACEHOLDER until part D lands: the signatures the dashboard builds against.
import type { ClientAdapter } from '@skillsync/clients';
import type { Env, SkillsyncPaths } from '@skillsync/core';
import type { DraftFinding, DraftLanding, SkillDraft } from '../daemon/contract.js';

export interface CheckedDraft {
  readonly findings: readonly DraftFinding[];
  /** The SKILL.md text the draft makes (frontmatter + body). */
  readonly skillMd: string;
}

/** Validates a draft by the Agent Skills rules skillsync applies (`validate --strict`). Pure. */
export function checkDraft(_draft: SkillDraft): CheckedDraft {
  throw new Error('the builder is not built yet');
}

export interface PreviewOptions {
  readonly env: Env;
  readonly scope: 'user' | 'project';
  readonly projectRoot: string | undefined;
  readonly clients: readonly ClientAdapter[];
}

/** Where the draft would land in each client, and the file written there. Pure. */
export function previewDraft(_draft: SkillDraft, _options: PreviewOptions): DraftLanding[] {
  throw new Error('the builder is not built yet');
}

export interface CreateSkillOptions {
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  readonly scope: 'user' | 'project';
  /** Where the skill folder goes (default: beside the scope's manifest, under skills/). */
  readonly dir?: string;
}

export interface CreatedSkill {
  readonly name: string;
  readonly dir: string;
  readonly manifest: string;
  readonly version: string;
}

/** Writes the skill folder, validates it strictly, adds it to the scope's manifest and installs it (the lockfile updated). Sync lands it in the clients. */
export function createSkillFromDraft(_draft: SkillDraft, _options: CreateSkillOptions): Promise<CreatedSkill> {
  return Promise.reject(new Error('the builder is not built yet'));
}
