import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for tests that run built artifacts or read shared data. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The real public artifacts in ../shared/corpus (never copied into the repo).
 * SKILLSYNC_CORPUS points elsewhere. Tests use `describe.skipIf(!corpusAvailable)`
 * and say why in the suite name, so a missing corpus is visible, not silent.
 */
export const corpusDir = path.resolve(process.env.SKILLSYNC_CORPUS ?? path.join(repoRoot, '..', 'shared', 'corpus'));
export const corpusAvailable = existsSync(corpusDir);
export const corpusSkipReason = `corpus not found at ${corpusDir} (set SKILLSYNC_CORPUS or check out ../shared)`;

/** Every skill folder of the corpus as `<owner-repo>/<skill>`, sorted; empty without a corpus. */
export function listCorpusSkills(): string[] {
  const root = path.join(corpusDir, 'skills');
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((owner) => owner.isDirectory())
    .flatMap((owner) =>
      readdirSync(path.join(root, owner.name), { withFileTypes: true })
        .filter((skill) => skill.isDirectory())
        .map((skill) => `${owner.name}/${skill.name}`),
    )
    .sort();
}
