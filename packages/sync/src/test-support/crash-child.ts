import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashSkillFolder } from '@skillsync/store';
import { expect } from 'vitest';
import { bundleForChild, runChild, writeChildScript } from '../../../../test/support/child-process.js';
import type { SyncPlan } from '../sync-plan.js';
import { createSyncFixture, type SyncFixture } from './sync-fixture.js';

/*
 * A power cut, approximated: a separate process applies a plan (this package, bundled
 * from source) and is SIGKILLed at a chosen moment of its run.
 */

export interface CrashChild {
  /** Applies `plan` to the fixture in a child process; SIGKILLs it `killAfterMs` after it is ready (never, when undefined). */
  readonly apply: (fixture: SyncFixture, plan: SyncPlan, killAfterMs?: number) => Promise<{ ms: number; finished: boolean }>;
}

/** Bundles the sync package and writes the child script, once per test file (call it in `beforeAll`). */
export async function createCrashChild(): Promise<CrashChild> {
  const { root } = await createSyncFixture();
  const bundle = await bundleForChild(path.join(import.meta.dirname, '..', 'index.ts'), path.join(root, 'sync.mjs'));
  const script = await writeChildScript(
    path.join(root, 'child.mjs'),
    `import { readFile } from 'node:fs/promises';
const { applyPlan } = await import(process.argv[2]);
const job = JSON.parse(await readFile(process.argv[3], 'utf8'));
const env = { home: job.home, cwd: job.project, platform: 'linux', vars: {}, now: () => new Date() };
process.stdout.write('ready\\n');
await applyPlan(job.plan, { env, stateDir: job.stateDir, scope: 'project', projectRoot: job.project, storeRoot: job.storeRoot, lock: { staleMs: 2000 } });
process.stdout.write('done\\n');
`,
  );
  return {
    apply: async (fixture, plan, killAfterMs) => {
      const job = path.join(fixture.root, `job-${Math.random().toString(16).slice(2)}.json`);
      await writeFile(job, JSON.stringify({ plan, home: fixture.home, project: fixture.project, stateDir: fixture.stateDir, storeRoot: fixture.storeRoot }));
      const run = await runChild(script, [bundle, job], killAfterMs === undefined ? {} : { killAfterMs });
      return { ms: run.ms, finished: run.stdout.split('\n').includes('done') };
    },
  };
}

/** Every planned file holds its before or its after text, and every planned skill folder is absent or whole. */
export async function expectBeforeOrAfter(plan: SyncPlan, integrity: string): Promise<void> {
  for (const file of plan.files) {
    const text = await readFile(file.path, 'utf8').catch(() => undefined);
    expect([file.before, file.after]).toContain(text);
  }
  for (const skill of plan.skills) expect([undefined, integrity]).toContain(await hashSkillFolder(skill.dir));
}
