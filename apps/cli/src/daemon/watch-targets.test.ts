import path from 'node:path';
import { createEnv, mergeManifests, parseManifest, skillsyncPaths, type LoadedManifest, type LoadedManifests } from '@skillsync/core';
import { memorySkillFolderFingerprints, type SyncPlan } from '@skillsync/sync';
import { describe, expect, it } from 'vitest';
import type { ScopePlan } from '../sync-context.js';
import { deriveWatchTargets, relevantPaths } from './watch-targets.js';

const env = createEnv({ home: '/home/ada', cwd: '/home/ada/work/sub', vars: { SKILLSYNC_HOME: '/home/ada/.skillsync' } });
const paths = skillsyncPaths(env);

function projectManifests(text: string): LoadedManifests {
  const file = '/home/ada/work/skillsync.yaml';
  const { manifest, findings } = parseManifest(text, { file });
  if (manifest === undefined) throw new Error(JSON.stringify(findings));
  const project: LoadedManifest = { scope: 'project', file, text, manifest: { scope: 'project', file, manifest }, findings };
  return { user: undefined, project, findings, effective: mergeManifests(undefined, project.manifest) };
}

const emptyPlan: SyncPlan = { files: [], skills: [], items: [], problems: [], warnings: [], journal: { entries: [] } };

describe('deriveWatchTargets', () => {
  it('watches both manifests, the lockfile and instruction sources, every file of each planned client, and where clients are detected', () => {
    const manifests = projectManifests('version: 1\nclients: [claude-code]\ninstructions:\n  - file: docs/agents.md\n');
    const plan: ScopePlan = {
      scope: 'project',
      manifest: '/home/ada/work/skillsync.yaml',
      projectRoot: '/home/ada/work',
      clients: ['claude-code'],
      violations: [],
      fingerprints: memorySkillFolderFingerprints(),
      plan: {
        ...emptyPlan,
        items: [
          { client: 'claude-code', scope: 'project', kind: 'skill', name: 'triage', status: 'in-sync', path: '/home/ada/work/.claude/skills/triage' },
          { client: 'claude-code', scope: 'project', kind: 'skill', name: 'theirs', status: 'unmanaged', path: '/home/ada/work/.claude/skills/theirs' },
          { client: 'claude-code', scope: 'project', kind: 'instructions', name: 'tests', status: 'in-sync', path: '/home/ada/work/.claude/rules/skillsync-tests.md' },
        ],
      },
    };
    const targets = deriveWatchTargets({ env, paths, manifests, plans: [plan] });
    expect(targets.paths).toEqual(
      expect.arrayContaining([
        '/home/ada/.skillsync/config/skillsync.yaml',
        '/home/ada/work/skillsync.yaml',
        '/home/ada/work/skillsync.lock',
        '/home/ada/work/docs/agents.md',
        '/home/ada/work/.mcp.json',
        '/home/ada/work/CLAUDE.md',
        // The rule file of a scoped instruction, named by the plan.
        '/home/ada/work/.claude/rules/skillsync-tests.md',
        '/home/ada/work/.claude/skills',
        // Detection markers of clients not planned, so one installed later is noticed.
        '/home/ada/.cursor',
        // The registry logins: one more (or fewer) changes which org profiles apply.
        '/home/ada/.skillsync/config/registries.json',
      ]),
    );
    expect(targets.paths.some((file) => file.startsWith('/home/ada/work/.cursor'))).toBe(false);
    expect(targets.trees).toEqual(['/home/ada/work/.claude/skills/triage']);
    expect([...targets.paths].sort()).toEqual(targets.paths);
  });

  it('watches for a project manifest in the folder it started in when there is none', () => {
    const manifests: LoadedManifests = { user: undefined, project: undefined, findings: [], effective: mergeManifests(undefined, undefined) };
    const targets = deriveWatchTargets({ env, paths, manifests, plans: [] });
    expect(targets.paths).toContain('/home/ada/work/sub/skillsync.yaml');
    expect(targets.paths).toContain('/home/ada/.skillsync/config/skillsync.yaml');
    expect(targets.paths.filter((file) => file.endsWith('skillsync.lock'))).toEqual([]);
    expect(targets.trees).toEqual([]);
  });
});

describe('relevantPaths', () => {
  const relevant = relevantPaths(
    { paths: ['/home/ada/.cursor/mcp.json', '/home/ada/.claude.json'], trees: ['/home/ada/.claude/skills/triage'] },
    path.posix,
  );

  it('takes the targets, everything inside a tree, and the folders leading to either', () => {
    expect(relevant('/home/ada/.cursor/mcp.json')).toBe(true);
    expect(relevant('/home/ada/.claude/skills/triage/references/notes.md')).toBe(true);
    expect(relevant('/home/ada/.claude/skills/triage')).toBe(true);
    expect(relevant('/home/ada/.cursor')).toBe(true);
    expect(relevant('/home/ada/.claude/skills')).toBe(true);
    expect(relevant('/home/ada')).toBe(true);
    expect(relevant('/')).toBe(true);
  });

  it('leaves out everything else a watched folder holds', () => {
    expect(relevant('/home/ada/.cursor/settings.json')).toBe(false);
    expect(relevant('/home/ada/.claude/skills/someone-elses')).toBe(false);
    expect(relevant('/home/ada/.claude/skills/triage-old')).toBe(false);
    expect(relevant('/home/ada/Documents')).toBe(false);
    expect(relevant('/home/ada/.cursor/mcp.json.bak')).toBe(false);
  });
});
