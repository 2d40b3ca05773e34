// The benchmark of issue #2. Run with `npm run bench`; prints figures and the ratio
// against each named baseline measured in the same run. Targets are checked here,
// by a person reading the table, not by timed assertions in tests.
// (The sync benchmark is bench/sync.mjs: `npm run bench:sync`.)
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { buildCli, cliBin, loadFixtures, machine, median, printTable, root, time as timeProcess } from './harness.mjs';

const count = Number(process.env.BENCH_SKILLS ?? 500);
const work = await mkdtemp(path.join(os.tmpdir(), 'skillsync-bench-'));
const rows = [];

/** Runs a command `runs` times (in the work folder unless told); returns the median wall time in ms. */
function time(command, args, { cwd = work, ...options } = {}) {
  return timeProcess(command, args, { cwd, ...options });
}

function record(name, ms, { baseline, baselineMs, target } = {}) {
  rows.push({ name, ms, baseline, ratio: baselineMs === undefined ? undefined : ms / baselineMs, target });
}

try {
  buildCli();
  const fixtures = await loadFixtures(work);
  const home = path.join(work, 'home');
  await mkdir(home, { recursive: true });
  // A clean environment, as bench:sync's: a variable of this machine's (NODE_EXTRA_CA_CERTS, read at
  // start-up, is ~30 ms here) would weigh on every figure and the baseline alike.
  const clean = { PATH: process.env.PATH ?? '', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1' };
  const cli = (args, options = {}) => time(process.execPath, [cliBin, ...args], { ...options, cleanEnv: true, env: { ...clean, ...options.env } });

  // 1. Start-up: the CLI against a bare Node.
  const bare = time(process.execPath, ['-e', '0'], { runs: 21, cleanEnv: true, env: clean });
  record('node -e 0', bare);
  record('skillsync --version', cli(['--version'], { runs: 21 }), { baseline: 'node -e 0', baselineMs: bare, target: '≤ 1.5× node -e 0' });
  record('skillsync --help', cli(['--help'], { runs: 11 }), { baseline: 'node -e 0', baselineMs: bare });

  // 2. validate over the real skills of the shared corpus.
  const corpus = path.resolve(process.env.SKILLSYNC_CORPUS ?? path.join(root, '..', 'shared', 'corpus'), 'skills');
  const corpusSkills = [];
  for (const owner of await readdir(corpus).catch(() => [])) {
    for (const skill of await readdir(path.join(corpus, owner)).catch(() => [])) corpusSkills.push(path.join(corpus, owner, skill));
  }
  if (corpusSkills.length > 0) {
    // Real skills have findings, so validate exits 1 by design: both exits are fine here.
    const validate = (flags) => cli(['validate', ...flags, ...corpusSkills, '--json'], { okExits: [0, 1] });
    record(`validate ${corpusSkills.length} corpus skills (lenient)`, validate([]));
    record(`validate ${corpusSkills.length} corpus skills (--strict)`, validate(['--strict']));
  } else {
    console.log(`(corpus not found at ${corpus}: validate over the corpus skipped)`);
  }

  // 3. Pack and install `count` generated skills from a directory registry.
  const skillsDir = path.join(work, 'skills');
  const registry = path.join(work, 'registry');
  const folders = await fixtures.generateSkills(skillsDir, count);
  let started = performance.now();
  const packed = await fixtures.packAll(folders);
  record(`pack ${count} skills (library, in process)`, performance.now() - started);
  started = performance.now();
  await fixtures.publishAll(registry, packed);
  record(`publish ${count} skills to a directory registry`, performance.now() - started);

  const project = path.join(work, 'project');
  await mkdir(project, { recursive: true });
  const manifest = [
    'version: 1',
    `registry: ${pathToFileURL(registry).href}`,
    'skills:',
    ...packed.map((skill) => `  ${skill.name}: ^1.0.0`),
    '',
  ].join('\n');
  await writeFile(path.join(project, 'skillsync.yaml'), manifest);

  const freshHome = async (label) => {
    const dir = path.join(work, `ss-${label}-${Math.random().toString(16).slice(2)}`);
    await mkdir(dir, { recursive: true });
    return dir;
  };
  const lock = path.join(project, 'skillsync.lock');
  const installCold = [];
  for (let run = 0; run < 3; run += 1) {
    await rm(lock, { force: true });
    const ssHome = await freshHome('cold');
    installCold.push(cli(['install'], { runs: 1, cwd: project, env: { SKILLSYNC_HOME: ssHome } }));
  }
  record(`install ${count} skills (cold: resolve, fetch, verify, store, write lock)`, median(installCold));

  const frozenCold = [];
  for (let run = 0; run < 3; run += 1) {
    const ssHome = await freshHome('frozen');
    frozenCold.push(cli(['install', '--frozen'], { runs: 1, cwd: project, env: { SKILLSYNC_HOME: ssHome } }));
  }
  record(`install --frozen ${count} skills (cold store)`, median(frozenCold));

  const warmHome = await freshHome('warm');
  cli(['install', '--frozen'], { runs: 1, cwd: project, env: { SKILLSYNC_HOME: warmHome } });
  const warm = cli(['install', '--frozen'], { runs: 7, cwd: project, env: { SKILLSYNC_HOME: warmHome } });
  record(`install --frozen ${count} skills (already stored)`, warm, { target: '< 300 ms' });
  record(`store verify (${count} entries)`, cli(['store', 'verify'], { runs: 3, cwd: project, env: { SKILLSYNC_HOME: warmHome } }));
} finally {
  // BENCH_KEEP=1 leaves the generated project and homes for profiling.
  if (process.env.BENCH_KEEP === '1') console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

printTable(`skillsync benchmark — ${machine()}, ${count} generated skills`, rows);
console.log('\n(sync, status and the comparison with the `skills` installer: npm run bench:sync)');
