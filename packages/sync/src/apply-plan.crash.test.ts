import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { hashSkillFolder } from '@skillsync/store';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SyncPlan } from './sync-plan.js';
import { applyFor, createSyncFixture, desiredFor, planFor, type SyncFixture } from './test-support/sync-fixture.js';

/*
 * A power cut, approximated: a separate process applies a plan and is SIGKILLed at
 * points spread over its run. Afterwards every client file must be its before or
 * its after text, every skill folder absent or whole, and the next sync must finish.
 */

let bundle: string;
let child: string;

beforeAll(async () => {
  const fixture = await createSyncFixture();
  bundle = path.join(fixture.root, 'sync.mjs');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'silent',
    // jsonc-parser's UMD `main` requires its parts dynamically; its ESM build bundles.
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  child = path.join(fixture.root, 'child.mjs');
  await writeFile(
    child,
    `import { readFile } from 'node:fs/promises';
const { applyPlan } = await import(process.argv[2]);
const job = JSON.parse(await readFile(process.argv[3], 'utf8'));
const env = { home: job.home, cwd: job.project, platform: 'linux', vars: {}, now: () => new Date() };
process.stdout.write('ready\\n');
await applyPlan(job.plan, { env, stateDir: job.stateDir, scope: 'project', projectRoot: job.project, storeRoot: job.storeRoot, lock: { staleMs: 2000 } });
process.stdout.write('done\\n');
`,
  );
});

/** Runs the child on `plan`; kills it `killAfterMs` after it says ready (never, when undefined). Resolves with the ms it ran. */
async function runChild(fixture: SyncFixture, plan: SyncPlan, killAfterMs?: number): Promise<{ ms: number; finished: boolean }> {
  const job = path.join(fixture.root, `job-${Math.random().toString(16).slice(2)}.json`);
  await writeFile(job, JSON.stringify({ plan, home: fixture.home, project: fixture.project, stateDir: fixture.stateDir, storeRoot: fixture.storeRoot }));
  const proc = spawn(process.execPath, [child, bundle, job], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let readyAt = 0;
  proc.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (readyAt === 0 && output.includes('ready')) {
      readyAt = performance.now();
      if (killAfterMs !== undefined) setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    }
  });
  await new Promise<void>((resolve) => proc.on('exit', () => { resolve(); }));
  return { ms: performance.now() - readyAt, finished: output.includes('done') };
}

async function expectBeforeOrAfter(plan: SyncPlan, integrity: string): Promise<void> {
  for (const file of plan.files) {
    let text: string | undefined;
    try {
      text = await readFile(file.path, 'utf8');
    } catch {
      text = undefined;
    }
    expect([file.before, file.after]).toContain(text);
  }
  for (const skill of plan.skills) expect([undefined, integrity]).toContain(await hashSkillFolder(skill.dir));
}

describe('applyPlan killed with SIGKILL', () => {
  it('leaves every file before or after, and the next sync completes', { timeout: 180_000 }, async () => {
    const calibrate = await createSyncFixture();
    const full = await runChild(calibrate, await planFor(calibrate, desiredFor(calibrate, ['docs', 'search', 'lint'])));
    expect(full.finished).toBe(true);

    let killedMidway = 0;
    const rounds = 10;
    for (let round = 0; round < rounds; round += 1) {
      const fixture = await createSyncFixture();
      // A first sync, so the killed run also replaces and removes things, not only creates them.
      await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'])));
      const desired = desiredFor(fixture, ['search', 'lint'], `Rule ${round}.`);
      const plan = await planFor(fixture, round % 2 === 0 ? desired : { ...desired, skills: [] });
      expect(plan.files.length).toBeGreaterThanOrEqual(3);

      const killAfter = (full.ms * (round + Math.random())) / rounds;
      const run = await runChild(fixture, plan, killAfter);
      if (!run.finished) killedMidway += 1;

      await expectBeforeOrAfter(plan, fixture.skill.integrity);
      const resumed = await planFor(fixture, round % 2 === 0 ? desired : { ...desired, skills: [] });
      expect(resumed.problems).toEqual([]);
      const finish = await applyFor(fixture, resumed);
      expect(finish.skipped).toEqual([]);
      for (const file of plan.files) expect(await readFile(file.path, 'utf8').catch(() => undefined)).toBe(file.after);
      const rest = await planFor(fixture, round % 2 === 0 ? desired : { ...desired, skills: [] });
      expect(rest.files).toEqual([]);
      expect(rest.skills).toEqual([]);
    }
    // The kills must land inside runs, or this proves nothing.
    expect(killedMidway).toBeGreaterThan(0);
  });
});
