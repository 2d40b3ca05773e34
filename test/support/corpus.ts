import { existsSync } from 'node:fs';
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
