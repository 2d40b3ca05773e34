// The benchmark of issue #2. Run with `npm run bench`; prints figures and the ratio
// against each named baseline measured in the same run. Targets are checked here,
// by a person reading the table, not by timed assertions in tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const cliBin = path.join(root, 'apps', 'cli', 'bin', 'skillsync.js');
const count = Number(process.env.BENCH_SKILLS ?? 500);
const work = await mkdtemp(path.join(os.tmpdir(), 'skillsync-bench-'));
const rows = [];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs a command `runs` times; returns the median wall time in ms. Fails loudly on a non-zero exit. */
function time(command, args, { runs = 5, env = {}, cwd = work, okExits = [0] } = {}) {
  const samples = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
    samples.push(performance.now() - started);
    if (!okExits.includes(result.status)) {
      throw new Error(`${[command, ...args].join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
    }
  }
  return median(samples);
}

function record(name, ms, { baseline, baselineMs, target } = {}) {
  rows.push({ name, ms, baseline, ratio: baselineMs === undefined ? undefined : ms / baselineMs, target });
}

try {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  const fixturesFile = path.join(work, 'fixtures.mjs');
  await esbuild.build({
    entryPoints: [path.join(root, 'bench', 'fixtures.ts')],
    outfile: fixturesFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  const fixtures = await import(pathToFileURL(fixturesFile).href);
  const home = path.join(work, 'home');
  await mkdir(home, { recursive: true });
  const cli = (args, options = {}) => time(process.execPath, [cliBin, ...args], { ...options, env: { HOME: home, NO_COLOR: '1', ...options.env } });

  // 1. Start-up: the CLI against a bare Node.
  const bare = time(process.execPath, ['-e', '0'], { runs: 21 });
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

const width = Math.max(...rows.map((row) => row.name.length));
console.log(`\nskillsync benchmark — Node ${process.version}, ${os.cpus().length} cores, ${count} generated skills\n`);
console.log(`${'what'.padEnd(width)}  ${'median ms'.padStart(10)}  ${'ratio'.padStart(7)}  target`);
for (const row of rows) {
  const ratio = row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`;
  console.log(`${row.name.padEnd(width)}  ${row.ms.toFixed(1).padStart(10)}  ${ratio.padStart(7)}  ${row.target ?? ''}`);
}
