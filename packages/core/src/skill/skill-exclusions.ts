/**
 * Names that are never part of a skill, at any depth: not read, not validated, not
 * packed. Compared case-insensitively (a `Thumbs.db`
 * and a `thumbs.db` are the same litter on the systems that make them):
 *
 * - version-control data: `.git` (folder, or file in a worktree/submodule), `.hg`, `.svn`
 * - installed dependencies and caches: `node_modules`, `__pycache__`, `*.pyc`
 * - operating-system litter: `.DS_Store`, `Thumbs.db`, `desktop.ini`
 * - editor swap, backup and lock files: `*.swp`, `*.swo`, `*~`, `.#*`, `#*#`
 *
 * The list is part of the package format (docs/package-format.md): changing it
 * changes the integrity of skills that contain such files.
 */
const excludedNames = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '__pycache__',
  '.ds_store',
  'thumbs.db',
  'desktop.ini',
]);

export function isExcludedFromSkill(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    excludedNames.has(lower) ||
    lower.endsWith('.pyc') ||
    lower.endsWith('.swp') ||
    lower.endsWith('.swo') ||
    lower.endsWith('~') ||
    lower.startsWith('.#') ||
    (lower.length > 1 && lower.startsWith('#') && lower.endsWith('#'))
  );
}
