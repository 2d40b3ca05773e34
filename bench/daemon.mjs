// The daemon benchmark. Run with `npm run bench:daemon`: in a temp HOME where every client
// adapter skillsync knows is detected, with a user manifest (BENCH_DAEMON_SKILLS skills,
// default 20, 10 connectors, instructions) and a project manifest (2 connectors, one more
// skill, an instruction) both synced into every client, it runs the real daemon
// (`skillsync up --no-open --headless`, dashboard on) and measures its idle CPU and RSS over
// BENCH_IDLE_SECONDS (default 10) from /proc, then the edit-to-repaired latency of
// BENCH_EDITS (default 10) hand edits, each of a different client's connector file.
// Targets (idle < 1% of one core, RSS < 120 MB) are read from the table, not asserted.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { buildCliSnapshot, loadFixtures, machine, median, quietWaited, runOnce, waitForQuiet } from './harness.mjs';

const skillCount = Number(process.env.BENCH_DAEMON_SKILLS ?? 20);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const editCount = Number(process.env.BENCH_EDITS ?? 10);
const settleMs = 300;
/** Node flags for the daemon's process only (BENCH_DAEMON_NODE_FLAGS, space-separated), to compare V8 settings. */
const nodeFlags = (process.env.BENCH_DAEMON_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (getconf CLK_TCK; 100 on every Linux port in use). */
const TICKS_PER_SECOND = 100;

if (process.platform !== 'linux') throw new Error('bench/daemon.mjs reads /proc: it runs on Linux only');

const loadAtStart = os.loadavg()[0];
const work = await realpath(await mkdtemp(path.join(os.tmpdir(), 'skillsync-bench-daemon-')));
let daemon;
let failed = false;

/** Only what a process needs: no XDG, CLAUDE_CONFIG_DIR, NODE_OPTIONS or CI variables leak in. */
function isolatedEnv(home) {
  return { PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home, LANG: 'C.UTF-8', NO_COLOR: '1' };
}

/** User + system CPU time of a process so far, in seconds. */
async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size in MB, and its peak. */
async function memory(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

function percentile(values, share) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits (at most 60 s) until the process used no CPU for 10 s in a row, longer than the
 * ~8 s after a burst of work at which V8's memory reducer collects garbage (and gives
 * memory back); answers how long the process was busy, in seconds.
 */
async function untilQuiet(pid) {
  const from = performance.now();
  let last = await cpuSeconds(pid);
  let still = 0;
  while (still < 10 && performance.now() - from < 60_000) {
    await sleep(1000);
    const now = await cpuSeconds(pid);
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return (performance.now() - from) / 1000 - still;
}

async function waitFor(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

try {
  const cliBin = await buildCliSnapshot(path.join(work, 'cli'));
  const fixtures = await loadFixtures(work);

  // ---- Inputs: every client detected, a user and a project manifest, both synced. ----
  const home = path.join(work, 'home');
  const project = path.join(work, 'project');
  await mkdir(home, { recursive: true });
  await mkdir(project, { recursive: true });
  const vars = isolatedEnv(home);
  const env = fixtures.benchEnv(home, project, vars);
  const paths = fixtures.benchSkillsyncPaths(env);
  const clients = await fixtures.markAllClientsFound(env);
  const userSkills = await fixtures.generateSkills(path.join(work, 'skills'), skillCount + 1);
  const projectSkill = userSkills.pop();
  const guide = path.join(work, 'team-guide.md');
  await writeFile(guide, `# Team guide\n\n${'Write the test first, then the code. '.repeat(20)}\n`);
  await mkdir(paths.config, { recursive: true });
  await writeFile(paths.userManifest, fixtures.syncManifest({ skillFolders: userSkills, connectors: fixtures.generateConnectors(10), instructionFile: guide }));
  await writeFile(
    path.join(project, 'skillsync.yaml'),
    `version: 1\nskills:\n  ${path.basename(projectSkill)}: ${JSON.stringify(projectSkill)}\nconnectors:\n  project-db:\n    command: npx\n    args: ["-y", "@bench/db-mcp"]\n  project-docs:\n    url: https://docs.example.com/mcp\ninstructions:\n  - text: Run the project's linter before committing.\n`,
  );
  const cli = (args, cwd = project) => runOnce(process.execPath, [cliBin, ...args], { cwd, env: vars, cleanEnv: true });
  cli(['install'], home);
  cli(['install']);
  cli(['sync']);
  const statusJson = JSON.parse(cli(['status', '--json']).stdout);
  const drifted = statusJson.scopes.flatMap((scope) => scope.items).filter((item) => fixtures.DRIFT_STATUSES.includes(item.status));
  if (statusJson.scopes.length !== 2 || drifted.length > 0) throw new Error(`expected both scopes in sync before the daemon starts; ${drifted.length} items drifted`);

  // ---- The daemon, as `npm start` runs it but without a browser or tray. ----
  await waitForQuiet();
  daemon = spawn(process.execPath, [...nodeFlags, cliBin, 'up', '--no-open', '--headless', '--quiet', '--settle', String(settleMs)], { cwd: project, env: vars, stdio: ['ignore', 'ignore', 'pipe'] });
  let daemonErrors = '';
  daemon.stderr.setEncoding('utf8').on('data', (chunk) => (daemonErrors += chunk));
  const startedAt = performance.now();
  const instanceFile = path.join(paths.state, 'daemon.json');
  const statusFile = path.join(paths.state, 'daemon-status.json');
  const readStatus = async () => JSON.parse(await readFile(statusFile, 'utf8'));
  await waitFor(async () => existsSync(instanceFile) && JSON.parse(await readFile(instanceFile, 'utf8')).pid === daemon.pid, 'the daemon to start');
  const startMs = performance.now() - startedAt;
  const started = await readStatus();
  if (started.health !== 'in-sync') throw new Error(`the daemon started ${started.health}: ${JSON.stringify(started.error ?? started.drift)}\n${daemonErrors}`);

  // ---- Idle: nothing changes; it should wait on the OS's change notifications, not poll. ----
  // V8 collects garbage in the seconds after a burst of work (its memory reducer, ~8 s
  // after start, which also returns memory): the idle window starts once that is done.
  const quietFor = await untilQuiet(daemon.pid);
  await waitForQuiet();
  const load = os.loadavg()[0];
  const cpuBefore = await cpuSeconds(daemon.pid);
  const idleFrom = performance.now();
  await sleep(idleSeconds * 1000);
  const idleCpu = ((await cpuSeconds(daemon.pid)) - cpuBefore) / ((performance.now() - idleFrom) / 1000);
  const idleMemory = await memory(daemon.pid);

  // ---- Edit → repaired: hand edits of different client files, one kind after another; the daemon puts them back. ----
  // Each path is edited once (a path repaired three times a minute is held: that is a client fighting it).
  const edits = { connector: [], instructions: [], skill: [] };
  const skillsFolders = new Set();
  for (const target of fixtures.userTargets(env)) {
    const text = async (file) => (file === undefined ? '' : await readFile(file, 'utf8').catch(() => ''));
    // Connectors some clients get directly; the others reach them through the gateway entry.
    if ((await text(target.connectors)).includes('bench-mcp-00')) {
      edits.connector.push({ what: `${target.id} connectors`, file: target.connectors, edit: (before) => before.replace(/bench-mcp-00/g, 'hand-edited-00'), repaired: (after) => after.includes('bench-mcp-00') });
    }
    if ((await text(target.instructions)).includes('Use conventional commits')) {
      edits.instructions.push({ what: `${target.id} instructions`, file: target.instructions, edit: (before) => before.replace('Use conventional commits', 'Use any commit style'), repaired: (after) => after.includes('Use conventional commits') });
    }
    if (target.skills !== undefined && !skillsFolders.has(target.skills)) {
      skillsFolders.add(target.skills);
      const file = path.join(target.skills, path.basename(userSkills[0]), 'SKILL.md');
      const original = await text(file);
      edits.skill.push({ what: `${target.id} skill`, file, edit: (before) => `${before}\nEdited by hand.\n`, repaired: (after) => after === original });
    }
  }
  const plan = [];
  for (let index = 0; plan.length < editCount && index < 100; index += 1) {
    const kind = Object.values(edits)[index % 3];
    const next = kind.shift();
    if (next !== undefined) plan.push(next);
  }
  if (plan.length < editCount) throw new Error(`only ${plan.length} client files to edit, BENCH_EDITS=${editCount}`);
  const samples = [];
  for (const { what, file, edit, repaired } of plan) {
    const edited = edit(await readFile(file, 'utf8'));
    await waitForQuiet();
    const before = (await readStatus()).lastSync?.at;
    const editedAt = performance.now();
    await writeFile(file, edited);
    await waitFor(async () => repaired(await readFile(file, 'utf8')), `the repair of ${file}`);
    const wall = performance.now() - editedAt;
    const reported = await waitFor(async () => {
      const current = await readStatus();
      return current.lastSync?.at !== before && current.lastSync?.trigger === 'watch' ? current.lastSync : undefined;
    }, 'the run in the status file');
    if (!reported.ok) throw new Error(`the repair of ${what} did not go through: ${reported.message}`);
    samples.push({ what, wall, afterSettle: reported.afterSettleMs, sinceChange: reported.sinceChangeMs });
    // Its own write comes back as a change: let that settle and be found in sync before the next edit.
    await sleep(settleMs + 400);
  }
  const final = await readStatus();
  const busyAfterEdits = await memory(daemon.pid);
  await untilQuiet(daemon.pid);
  const afterEdits = await memory(daemon.pid);

  // ---- The table ----
  const column = (values) => ({ median: median(values), p95: percentile(values, 0.95), max: Math.max(...values) });
  const wall = column(samples.map((sample) => sample.wall));
  const afterSettle = column(samples.map((sample) => sample.afterSettle));
  const sinceChange = column(samples.map((sample) => sample.sinceChange));
  const idlePercent = idleCpu * 100;
  const lines = [
    ['idle CPU (% of one core, over ' + idleSeconds + ' s)', `${idlePercent.toFixed(2)} %`, '< 1 %', idlePercent < 1],
    ['RSS, idle', `${idleMemory.rss.toFixed(1)} MB`, '< 120 MB', idleMemory.rss < 120],
    ['RSS right after the edits / once quiet again', `${busyAfterEdits.rss.toFixed(1)} / ${afterEdits.rss.toFixed(1)} MB`, '< 120 MB', afterEdits.rss < 120],
    ['RSS peak (VmHWM, whole run)', `${afterEdits.peak.toFixed(1)} MB`, '', undefined],
    ['start: spawn → instance file (first look included)', `${startMs.toFixed(0)} ms`, '', undefined],
    ['  then busy now and then (V8 garbage collection) for', `${quietFor.toFixed(0)} s`, '', undefined],
    [`edit → repaired, wall (settle ${settleMs} ms included): median / p95 / max`, `${wall.median.toFixed(0)} / ${wall.p95.toFixed(0)} / ${wall.max.toFixed(0)} ms`, '', undefined],
    ['  the same minus the settle time', `${(wall.median - settleMs).toFixed(0)} / ${(wall.p95 - settleMs).toFixed(0)} / ${(wall.max - settleMs).toFixed(0)} ms`, '< 500 ms', wall.p95 - settleMs < 500],
    ['  as the daemon measures it: settle end → repaired', `${afterSettle.median} / ${afterSettle.p95} / ${afterSettle.max} ms`, '< 500 ms', afterSettle.p95 < 500],
    ['  as the daemon measures it: last change → repaired', `${sinceChange.median} / ${sinceChange.p95} / ${sinceChange.max} ms`, '', undefined],
  ];
  const width = Math.max(...lines.map(([name]) => name.length));
  console.log(`\nskillsync daemon · ${machine()} · load average ${loadAtStart.toFixed(2)} at start, ${load.toFixed(2)} before the idle window${quietWaited() > 0 ? ` (waited ${quietWaited()} s for idle cores)` : ''}`);
  console.log(
    `${clients.length} clients detected, both scopes (user: ${skillCount} skills, 10 connectors, 4 instructions; project: 1 skill, 2 connectors, 1 instruction); the daemon watches ${final.watching} paths; dashboard ${final.url === undefined ? 'off' : 'on'}\n`,
  );
  for (const [name, value, target, met] of lines) console.log(`${name.padEnd(width)}  ${value.padStart(24)}  ${target}${met === undefined ? '' : met ? ' ✓' : ' MISSED'}`);
  console.log(`\nedits (wall ms, each path repaired once): ${samples.map((sample) => `${sample.what} ${sample.wall.toFixed(0)}`).join(', ')}`);
  if (final.health !== 'in-sync') console.log(`after the edits the daemon says ${final.health}: ${JSON.stringify(final.drift.slice(0, 3))}`);
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
} finally {
  if (daemon !== undefined && daemon.exitCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
  }
  if (process.env.BENCH_KEEP === '1') console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
