import type { Located } from '@skillsync/clients';
import { pathFor } from '@skillsync/core';
import { childPath } from './child-path.js';
import type { PlanKindOptions } from './plan-connectors.js';
import type { DesiredState } from './create-desired-state.js';
import type { SyncItem } from './sync-plan.js';

/**
 * Plans one client's skill folders (`<skills folder>/<name>`), compared by integrity
 * with what is on disk and what we wrote. A shared `.agents/skills` target yields the
 * same actions for every client reading it; `planSync` merges them into one.
 */
export function planSkills(options: PlanKindOptions, location: Located<'skills'>): void {
  const { env, adapter, scope, desired, skillDirs, written, writtenInScope, plan } = options;
  const client = adapter.id;
  const base = { client, scope, kind: 'skill' } as const;
  if (location.kind === 'unsupported') {
    for (const skill of desired.skills) plan.items.push({ ...base, name: skill.name, status: 'unsupported', detail: location.reason });
    return;
  }
  const p = pathFor(env);
  const root = location.path;
  const ours = new Map(written.map((entry) => [entry.name, entry]));
  const wanted = new Set(desired.skills.map((skill) => skill.name));
  const item = (name: string, dir: string, fields: Omit<SyncItem, 'client' | 'scope' | 'kind' | 'name' | 'path'>): void => {
    plan.items.push({ ...base, name, path: dir, ...fields });
  };

  // The loop below runs once per skill per client (thousands of times, mostly in the interpreter):
  // plain object literals (keys in the order the spreads gave them) and no closures per skill.
  const write = (skill: DesiredState['skills'][number], dir: string): void => {
    plan.skillOps.push({ dir, name: skill.name, action: 'write', integrity: skill.integrity, storeDir: skill.storeDir, clients: [client] });
  };
  const record = (skill: DesiredState['skills'][number], dir: string): void => {
    plan.journal.push({ client, scope, kind: 'skill', name: skill.name, path: dir, hash: skill.integrity });
  };
  for (const skill of desired.skills) {
    const dir = childPath(p, root, skill.name);
    const onDisk = skillDirs.get(dir);
    for (const other of location.alsoReads) {
      const twin = childPath(p, other, skill.name);
      // The same bytes there (another client's copy, which skillsync keeps in step) cannot disagree: only another skill of that name is worth a warning.
      const twinOnDisk = skillDirs.get(twin);
      if (twinOnDisk !== undefined && twinOnDisk.integrity !== skill.integrity) {
        plan.warnings.push({
          client,
          code: 'SKILL_NAME_COLLISION',
          name: skill.name,
          paths: [dir, twin],
          message: `${adapter.displayName} also reads ${twin}: two skills named "${skill.name}" may both load`,
        });
      }
    }
    if (onDisk === undefined) {
      plan.items.push({ client, scope, kind: 'skill', name: skill.name, path: dir, status: 'missing' });
      write(skill, dir);
      record(skill, dir);
      continue;
    }
    if (onDisk.integrity === skill.integrity) {
      plan.items.push({ client, scope, kind: 'skill', name: skill.name, path: dir, status: 'in-sync' });
      record(skill, dir);
      continue;
    }
    const journal = ours.get(skill.name) ?? writtenInScope.find((entry) => entry.kind === 'skill' && entry.path === dir);
    if (journal === undefined) {
      item(skill.name, dir, { status: 'conflict', detail: `${dir} holds a skill skillsync did not write; move it away to let skillsync manage "${skill.name}"` });
      continue;
    }
    const untouched = onDisk.integrity === journal.hash;
    item(skill.name, dir, untouched ? { status: 'outdated' } : { status: 'modified', overwritesEdit: true, detail: 'files changed since skillsync wrote them; sync puts the stored version back' });
    write(skill, dir);
    record(skill, dir);
  }

  for (const [name, journal] of ours) {
    if (wanted.has(name)) continue;
    const dir = childPath(p, root, name);
    const onDisk = skillDirs.get(dir);
    if (onDisk === undefined) continue;
    const untouched = onDisk.integrity === journal.hash;
    item(name, dir, untouched ? { status: 'outdated', removal: true, detail: 'no longer in the desired state: removed' } : { status: 'modified', removal: true, overwritesEdit: true, detail: 'edited since skillsync wrote it, and no longer in the desired state: removed' });
    plan.skillOps.push({ dir, name, action: 'remove', clients: [client] });
  }

  for (const [name, dir] of (options.skillDirsByRoot ?? presentSkillDirsByRoot(skillDirs, p)).get(root) ?? []) {
    if (!wanted.has(name) && !ours.has(name)) item(name, dir, { status: 'unmanaged' });
  }
}

type PathApi = ReturnType<typeof pathFor>;

/**
 * The folders present on disk grouped by the skills folder they are in, as
 * `[name, dir]` in the map's order: built once per plan (`planSync`), not scanned
 * once per client.
 */
export function presentSkillDirsByRoot(skillDirs: ReadonlyMap<string, { readonly integrity: string } | undefined>, p: PathApi): Map<string, [string, string][]> {
  const byRoot = new Map<string, [string, string][]>();
  for (const [dir, onDisk] of skillDirs) {
    if (onDisk === undefined) continue;
    const root = p.dirname(dir);
    const list = byRoot.get(root);
    if (list === undefined) byRoot.set(root, [[p.basename(dir), dir]]);
    else list.push([p.basename(dir), dir]);
  }
  return byRoot;
}
