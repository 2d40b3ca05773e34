import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { byteOrder } from '@skillsync/core';

/** True when `dir` holds a SKILL.md (or the lowercase variant validation warns about). */
export async function isSkillFolder(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.includes('SKILL.md') || names.includes('skill.md');
}

/**
 * The skill folders a path names: the path itself when it is a skill (or is not a
 * folder at all, so validation reports why), else the skills found below it, a few
 * levels deep, so `validate skills/` checks a whole collection.
 */
export async function expandSkillFolders(dir: string): Promise<string[]> {
  if (await isSkillFolder(dir)) return [dir];
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory() !== true) return [dir];
  const skills: string[] = [];
  await collectSkills(dir, searchDepth, skills);
  return skills.length > 0 ? skills : [dir];
}

const searchDepth = 4;
const skippedFolders = new Set(['node_modules', '__pycache__']);

async function collectSkills(dir: string, depth: number, into: string[]): Promise<void> {
  if (depth === 0) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const children = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !skippedFolders.has(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort(byteOrder);
  for (const child of children) {
    // A skill's own sub-folders (references/, scripts/) are part of it, not more skills.
    if (await isSkillFolder(child)) into.push(child);
    else await collectSkills(child, depth - 1, into);
  }
}
