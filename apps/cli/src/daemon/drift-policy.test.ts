import { memorySkillFolderFingerprints, type JournalEntry, type SyncItem, type SyncPlan } from '@skillsync/sync';
import { describe, expect, it } from 'vitest';
import type { ScopePlan } from '../sync-context.js';
import type { DaemonSettings } from './contract.js';
import { classifyDrift, createRepairGuard, restrictPlan } from './drift-policy.js';

const cursorMcp = '/home/ada/work/.cursor/mcp.json';
const claudeMcp = '/home/ada/work/.mcp.json';
const agentsMd = '/home/ada/work/AGENTS.md';
const skillDir = '/home/ada/work/.claude/skills/triage';

function item(fields: Partial<SyncItem> & Pick<SyncItem, 'client' | 'kind' | 'name' | 'status' | 'path'>): SyncItem {
  return { scope: 'project', ...fields };
}

function entry(fields: Pick<JournalEntry, 'client' | 'kind' | 'name' | 'path' | 'hash'>): JournalEntry {
  return { scope: 'project', ...fields };
}

const plan: SyncPlan = {
  files: [
    { path: cursorMcp, format: 'json', clients: ['cursor'], before: '{}', after: '{"mcpServers":{"github":{}}}' },
    { path: claudeMcp, format: 'json', clients: ['claude-code'], before: '{}', after: '{"mcpServers":{"github":{}}}' },
    { path: agentsMd, format: 'markdown', clients: ['codex', 'cursor'], before: 'x', after: 'y' },
  ],
  skills: [{ dir: skillDir, name: 'triage', action: 'write', integrity: 'sha512-abc', clients: ['claude-code'] }],
  items: [
    item({ client: 'cursor', kind: 'connector', name: 'github', status: 'modified', path: cursorMcp }),
    item({ client: 'cursor', kind: 'connector', name: 'linear', status: 'in-sync', path: cursorMcp }),
    item({ client: 'claude-code', kind: 'connector', name: 'github', status: 'missing', path: claudeMcp }),
    item({ client: 'codex', kind: 'instructions', name: 'instructions', status: 'outdated', path: agentsMd }),
    item({ client: 'cursor', kind: 'instructions', name: 'instructions', status: 'outdated', path: agentsMd }),
    item({ client: 'claude-code', kind: 'skill', name: 'triage', status: 'modified', path: skillDir }),
    item({ client: 'cursor', kind: 'connector', name: 'mine', status: 'conflict', path: cursorMcp }),
  ],
  problems: [],
  warnings: [],
  journal: {
    entries: [
      entry({ client: 'cursor', kind: 'connector', name: 'github', path: cursorMcp, hash: 'new-cursor' }),
      entry({ client: 'claude-code', kind: 'connector', name: 'github', path: claudeMcp, hash: 'new-claude' }),
      entry({ client: 'claude-code', kind: 'skill', name: 'triage', path: skillDir, hash: 'sha512-abc' }),
    ],
  },
};

const scopePlan: ScopePlan = {
  scope: 'project',
  manifest: '/home/ada/work/skillsync.yaml',
  projectRoot: '/home/ada/work',
  clients: ['claude-code', 'codex', 'cursor'],
  plan,
  fingerprints: memorySkillFolderFingerprints(),
};

const repairAll: DaemonSettings = { onDrift: { connector: 'repair', skill: 'repair', instructions: 'repair' }, settleMs: 300 };

describe('classifyDrift', () => {
  it('repairs a path only when every drifted item in it is to be repaired: a conflict keeps its file as it is', () => {
    const [scope] = classifyDrift([scopePlan], repairAll, new Set());
    expect([...scope!.repairs].sort()).toEqual([claudeMcp, agentsMd, skillDir].sort());
    expect(scope!.items.filter((drifted) => drifted.path === cursorMcp).map((drifted) => [drifted.name, drifted.handling])).toEqual([
      ['github', 'repairing'],
      ['mine', 'notified'],
    ]);
    expect(scope!.items.some((drifted) => drifted.status === 'in-sync')).toBe(false);
  });

  it('follows the setting of each kind: notify reports, off ignores', () => {
    const [scope] = classifyDrift([scopePlan], { ...repairAll, onDrift: { connector: 'repair', skill: 'notify', instructions: 'off' } }, new Set());
    expect([...scope!.repairs]).toEqual([claudeMcp]);
    const handling = Object.fromEntries(scope!.items.map((drifted) => [`${drifted.client}/${drifted.kind}/${drifted.name}`, drifted.handling]));
    expect(handling).toMatchObject({
      'claude-code/skill/triage': 'notified',
      'codex/instructions/instructions': 'ignored',
      'claude-code/connector/github': 'repairing',
    });
  });

  it('marks the items of a held path held, and never repairs it', () => {
    const [scope] = classifyDrift([scopePlan], repairAll, new Set([claudeMcp]));
    expect(scope!.repairs.has(claudeMcp)).toBe(false);
    expect(scope!.items.find((drifted) => drifted.path === claudeMcp)?.handling).toBe('held');
  });
});

describe('restrictPlan', () => {
  it('keeps only the paths asked for, and the journal as it is now for the paths left out', () => {
    const previous = { entries: [entry({ client: 'cursor', kind: 'connector', name: 'github', path: cursorMcp, hash: 'old-cursor' })] };
    const narrowed = restrictPlan(plan, new Set([claudeMcp, skillDir]), previous);
    expect(narrowed.files.map((file) => file.path)).toEqual([claudeMcp]);
    expect(narrowed.skills.map((skill) => skill.dir)).toEqual([skillDir]);
    expect(narrowed.journal.entries.map((journalEntry) => `${journalEntry.path}:${journalEntry.hash}`).sort()).toEqual(
      [`${claudeMcp}:new-claude`, `${skillDir}:sha512-abc`, `${cursorMcp}:old-cursor`].sort(),
    );
  });
});

describe('createRepairGuard', () => {
  it('is exhausted after the limit of repairs within the window, and forgets older ones', () => {
    const guard = createRepairGuard({ limit: 3, windowMs: 60_000 });
    guard.recordRepairs([cursorMcp], 0);
    guard.recordRepairs([cursorMcp], 10_000);
    expect(guard.exhausted(cursorMcp, 20_000)).toBe(false);
    guard.recordRepairs([cursorMcp, claudeMcp], 20_000);
    expect(guard.exhausted(cursorMcp, 20_000)).toBe(true);
    expect(guard.exhausted(claudeMcp, 20_000)).toBe(false);
    // The first repair has left the window.
    expect(guard.exhausted(cursorMcp, 60_001)).toBe(false);
  });

  it('holds until cleared', () => {
    const guard = createRepairGuard({ limit: 1, windowMs: 1000 });
    guard.hold(cursorMcp);
    expect([...guard.held()]).toEqual([cursorMcp]);
    guard.clear();
    expect(guard.held().size).toBe(0);
  });
});
