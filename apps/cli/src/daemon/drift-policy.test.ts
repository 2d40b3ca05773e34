import { memorySkillFolderFingerprints, type JournalEntry, type SyncItem, type SyncPlan } from '@skillsync/sync';
import { describe, expect, it } from 'vitest';
import type { ScopePlan } from '../sync-context.js';
import type { DaemonSettings } from './contract.js';
import { classifyDrift, createRepairGuard } from './drift-policy.js';

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
  violations: [],
  plan,
  fingerprints: memorySkillFolderFingerprints(),
};

const repairAll: DaemonSettings = { onDrift: { connector: 'repair', skill: 'repair', instructions: 'repair' }, settleMs: 300 };

describe('classifyDrift', () => {
  it('repairs a file with a conflict in it: the repair leaves someone else\'s entry as it is', () => {
    const [scope] = classifyDrift([scopePlan], repairAll, new Set());
    expect([...scope!.repairs].sort()).toEqual([cursorMcp, claudeMcp, agentsMd, skillDir].sort());
    expect(scope!.items.filter((drifted) => drifted.path === cursorMcp).map((drifted) => [drifted.name, drifted.handling])).toEqual([
      ['github', 'repairing'],
      ['mine', 'notified'],
    ]);
    expect(scope!.items.some((drifted) => drifted.status === 'in-sync')).toBe(false);
  });

  it('leaves a file alone when an item in it is not to be repaired, and says the others there are only reported', () => {
    const mixed: ScopePlan = { ...scopePlan, plan: { ...plan, items: [...plan.items, item({ client: 'cursor', kind: 'instructions', name: 'rules', status: 'outdated', path: cursorMcp })] } };
    const [scope] = classifyDrift([mixed], { ...repairAll, onDrift: { connector: 'repair', skill: 'repair', instructions: 'notify' } }, new Set());
    expect(scope!.repairs.has(cursorMcp)).toBe(false);
    expect(scope!.items.filter((drifted) => drifted.path === cursorMcp).map((drifted) => [drifted.name, drifted.handling])).toEqual([
      ['github', 'notified'],
      ['mine', 'notified'],
      ['rules', 'notified'],
    ]);
    expect(scope!.items.some((drifted) => drifted.handling === 'repairing' && !scope!.repairs.has(drifted.path))).toBe(false);
  });

  it('follows the setting of each kind: notify reports, off ignores', () => {
    const [scope] = classifyDrift([scopePlan], { ...repairAll, onDrift: { connector: 'repair', skill: 'notify', instructions: 'off' } }, new Set());
    expect([...scope!.repairs].sort()).toEqual([cursorMcp, claudeMcp].sort());
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
    guard.hold(cursorMcp, 0);
    expect([...guard.held()]).toEqual([cursorMcp]);
    guard.clear();
    expect(guard.held().size).toBe(0);
  });

  it('releases a hold once its file has been left alone for the window; a rewrite starts the window again', () => {
    const guard = createRepairGuard({ limit: 3, windowMs: 60_000 });
    guard.hold(cursorMcp, 1000);
    expect(guard.nextRelease()).toBe(61_000);
    guard.rewritten([cursorMcp, claudeMcp], 30_000);
    expect(guard.release(61_000)).toEqual([]);
    expect(guard.nextRelease()).toBe(90_000);
    expect(guard.release(90_000)).toEqual([cursorMcp]);
    expect(guard.held().size).toBe(0);
    expect(guard.nextRelease()).toBeUndefined();
    // Released, it is repaired again: its count starts afresh.
    expect(guard.exhausted(cursorMcp, 90_000)).toBe(false);
  });
});
