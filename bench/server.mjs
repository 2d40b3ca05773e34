// `npm run bench:server`: the org server under HTTP load, beside Verdaccio (the self-hosted
// npm registry teams already run) serving the same packages. It builds the CLI (from a
// snapshot copy), runs `skillsync server` on SQLite and on PostgreSQL (a database made for
// the run and dropped after), creates an org with `server init`, READERS members with a
// read token each, and publishes N generated skills through the HTTP API; Verdaccio (pinned,
// installed into bench/.cache/verdaccio) gets the same files as npm packages, published over
// its API by a throwaway user. A second process (autocannon) then loads each server with
// metadata reads and downloads, round-robin over the skills and the readers' tokens, and the
// script prints requests/s, p50/p99, non-2xx responses and errors per server and route, the
// ratio skillsync/Verdaccio, and each server's RSS after the load.
//
//   BENCH_SERVER_SKILLS=50  BENCH_CONNECTIONS=32  BENCH_DURATION=10 (s per sample)
//   BENCH_WARMUP=3 (s, once per server and route)  BENCH_ROUNDS=3 (samples; the median is printed)
//   BENCH_SERVER_TARGETS=sqlite,postgres,verdaccio  BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test
//   BENCH_VERDACCIO_VERSION=6.8.0  BENCH_PROFILE=1 (CPU-profile the SQLite server even when it meets its target)
//   BENCH_KEEP=1 (keep the temp folder: server logs, profiles)
//   BENCH_SERVER_CLI=<…/bin/skillsync.js> (measure that build, e.g. a copy of another tree, instead of building this one)
//
// `node bench/server.mjs --load` is the load generator itself: it reads its job (JSON) on
// stdin and prints its figures (JSON) on stdout.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { buildCliSnapshot, loadFixtures, machine, median, quietWaited, root, runOnce, waitForQuiet } from './harness.mjs';
import { summariseProfile } from './profile.mjs';

const LOAD_FLAG = '--load';

if (process.argv[2] === LOAD_FLAG) {
  process.stdout.write(`${JSON.stringify(await generateLoad(JSON.parse(await readStdin())))}\n`);
} else {
  await benchmark();
}

/** The load generator: autocannon against one route, each request for the next skill with the next reader's token. */
async function generateLoad({ url, paths, tokens, connections, duration, warmup, pid }) {
  const { default: autocannon } = await import('autocannon');
  let next = 0;
  const requests = [
    {
      setupRequest: (request) => {
        const index = next;
        next += 1;
        return { ...request, path: paths[index % paths.length], headers: { ...request.headers, authorization: `Bearer ${tokens[index % tokens.length]}` } };
      },
    },
  ];
  const run = (seconds) => autocannon({ url, connections, duration: seconds, requests });
  if (warmup > 0) await run(warmup);
  const serverCpu = await cpuMs(pid);
  const ownCpu = process.cpuUsage();
  const result = await run(duration);
  const serverCpuAfter = await cpuMs(pid);
  const ownCpuUsed = process.cpuUsage(ownCpu);
  const perResponse = (ms) => (result.requests.total > 0 ? (ms * 1000) / result.requests.total : 0);
  const failures = Object.entries(result.statusCodeStats)
    .filter(([status]) => !status.startsWith('2'))
    .map(([status, { count }]) => `${count}× ${status}`);
  return {
    perSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bytesPerResponse: result.requests.total > 0 ? result.throughput.total / result.requests.total : 0,
    serverCpuUs: perResponse(serverCpuAfter - serverCpu),
    loadCpuUs: perResponse((ownCpuUsed.user + ownCpuUsed.system) / 1000),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    failures,
  };
}

/** User + system CPU time of a process so far, in ms, from /proc's clock ticks (10 ms). */
async function cpuMs(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces), counted from its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function benchmark() {
  const count = positive('BENCH_SERVER_SKILLS', 50);
  const connections = positive('BENCH_CONNECTIONS', 32);
  const duration = positive('BENCH_DURATION', 10);
  const warmup = Number(process.env.BENCH_WARMUP ?? 3);
  const rounds = positive('BENCH_ROUNDS', 3);
  const pgUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const verdaccioVersion = process.env.BENCH_VERDACCIO_VERSION ?? '6.8.0';
  const wanted = (process.env.BENCH_SERVER_TARGETS ?? 'sqlite,postgres,verdaccio').split(',').map((name) => name.trim());
  const profileAlways = process.env.BENCH_PROFILE === '1';
  const keep = process.env.BENCH_KEEP === '1';
  /** Members with a read token each: the load spreads over them as over an org's machines, so no token meets its rate limit (6000/min). */
  const READERS = 100;
  const ORG = 'bench';
  const METADATA_TARGET = 5000;

  const loadAtStart = os.loadavg()[0];
  const work = await realpath(await mkdtemp(path.join(os.tmpdir(), 'skillsync-bench-server-')));
  const servers = [];
  const notes = [];
  let pgDatabase;
  let failed = false;
  try {
    const cliBin = process.env.BENCH_SERVER_CLI === undefined ? await buildCliSnapshot(path.join(work, 'cli')) : path.resolve(process.env.BENCH_SERVER_CLI);
    const fixtures = await loadFixtures(work);
    const folders = await fixtures.generateSkills(path.join(work, 'skills'), count);
    const packed = await fixtures.packAll(folders);
    const verdaccio = wanted.includes('verdaccio') ? ensureVerdaccio(verdaccioVersion) : undefined;

    // ---- skillsync on SQLite and PostgreSQL: `server init`, readers, N skills published over HTTP. ----
    const startSkillsync = async (label, database) => {
      const home = path.join(work, `home-${label}`);
      await mkdir(home, { recursive: true });
      const env = isolatedEnv(home);
      const databaseArgs = database === undefined ? [] : ['--database', database];
      const init = JSON.parse(runOnce(process.execPath, [cliBin, 'server', 'init', '--org', ORG, '--owner', 'owner', '--json', ...databaseArgs], { cwd: home, env, cleanEnv: true }).stdout);
      const server = await startProcess(label, process.execPath, [cliBin, 'server', '--listen', '127.0.0.1:0', '--json', ...databaseArgs], { cwd: home, env, work });
      return { ...server, home, ownerToken: init.token };
    };
    const skillsyncTarget = async (label, name, database) => {
      const server = await startSkillsync(label, database);
      servers.push(server);
      const started = performance.now();
      const tokens = await setUpSkillsync(server.url, server.ownerToken, ORG, READERS, packed);
      notes.push(`${name}: ${READERS} members + read tokens, then ${count} skills published over HTTP in ${((performance.now() - started) / 1000).toFixed(1)} s (setup, untimed).`);
      const base = `/v0.1/orgs/${ORG}/skills`;
      return {
        name,
        server,
        tokens,
        routes: {
          version: packed.map((skill) => `${base}/${skill.name}/versions/${skill.version}`),
          skill: packed.map((skill) => `${base}/${skill.name}`),
          download: packed.map((skill) => `${base}/${skill.name}/versions/${skill.version}/package`),
        },
      };
    };

    const targets = [];
    if (wanted.includes('sqlite')) targets.push(await skillsyncTarget('sqlite', 'skillsync (SQLite)'));
    if (wanted.includes('postgres')) {
      try {
        pgDatabase = await createDatabase(pgUrl);
      } catch (error) {
        notes.push(`PostgreSQL NOT MEASURED: could not create a database at ${pgUrl} (${error instanceof Error ? error.message : String(error)}).`);
      }
      if (pgDatabase !== undefined) targets.push(await skillsyncTarget('postgres', 'skillsync (PostgreSQL)', pgDatabase.url));
    }

    // ---- Verdaccio: the same files as npm packages, published over its API. ----
    if (verdaccio !== undefined) {
      const dir = path.join(work, 'verdaccio');
      await mkdir(dir, { recursive: true });
      const config = path.join(dir, 'config.yaml');
      await writeFile(config, verdaccioConfig(dir));
      const port = await freePort();
      const server = await startProcess('verdaccio', process.execPath, [verdaccio.bin, '--config', config, '--listen', `127.0.0.1:${port}`], { cwd: dir, env: isolatedEnv(dir), work, url: `http://127.0.0.1:${port}` });
      servers.push(server);
      await waitForPing(`${server.url}/-/ping`);
      const started = performance.now();
      const { tokens, tarballBytes } = await setUpVerdaccio(server.url, READERS, packed, folders, path.join(work, 'npm'));
      notes.push(
        `Verdaccio: ${READERS} users (htpasswd) with a JWT each, then ${count} npm packages published over its API in ${((performance.now() - started) / 1000).toFixed(1)} s (setup, untimed);`,
        `  each holds the skill's files plus a package.json: ${Math.round(average(tarballBytes))} bytes a .tgz on average, against ${Math.round(average(packed.map((skill) => skill.tarball.byteLength)))} for the skillsync packages.`,
      );
      targets.push({
        name: `Verdaccio ${verdaccio.version}`,
        server,
        tokens,
        routes: {
          version: packed.map((skill) => `/${skill.name}/${skill.version}`),
          skill: packed.map((skill) => `/${skill.name}`),
          download: packed.map((skill) => `/${skill.name}/-/${skill.name}-${skill.version}.tgz`),
        },
      });
    }
    if (targets.length === 0) throw new Error(`BENCH_SERVER_TARGETS=${wanted.join(',')}: nothing to measure`);

    // ---- The load: rounds alternate the servers, so a burst of other work on the machine skews them alike. ----
    const ROUTES = [
      { key: 'version', title: 'metadata: version detail', skillsync: 'GET …/skills/{name}/versions/{version}', verdaccio: 'GET /{pkg}/{version}' },
      { key: 'skill', title: 'metadata: skill detail / packument', skillsync: 'GET …/skills/{name}', verdaccio: 'GET /{pkg}' },
      { key: 'download', title: 'download (.tgz)', skillsync: 'GET …/versions/{version}/package', verdaccio: 'GET /{pkg}/-/{pkg}-{version}.tgz' },
    ];
    const samples = new Map();
    const loadOnce = (target, route, warmupSeconds) =>
      runLoad({ url: target.server.url, pid: target.server.child.pid, paths: target.routes[route], tokens: target.tokens, connections, duration, warmup: warmupSeconds });
    for (let round = 0; round < rounds; round += 1) {
      for (const route of ROUTES) {
        for (const target of targets) {
          await waitForQuiet();
          const key = `${target.name}|${route.key}`;
          samples.set(key, [...(samples.get(key) ?? []), loadOnce(target, route.key, round === 0 ? warmup : 0)]);
        }
      }
    }
    const memory = new Map();
    for (const target of targets) memory.set(target.name, await memoryOf(target.server.child.pid));

    // ---- The table ----
    const figuresOf = (target, route) => summarise(samples.get(`${target.name}|${route}`));
    const verdaccioTarget = targets.find((target) => target.name.startsWith('Verdaccio'));
    console.log(
      `\nskillsync server vs Verdaccio — ${machine()}; ${count} skills, ${READERS} readers (a token each), ${connections} connections, ${duration} s a sample, median of ${rounds}`,
    );
    console.log(`The load generator (autocannon, one process) shares these ${os.cpus().length} cores with the server${pgDatabase === undefined ? '' : ' (and PostgreSQL)'}: every figure is bounded by that.\n`);
    const header = ['', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs', 'load µs', 'B/resp', 'non-2xx', 'errors', 'vs Verdaccio'];
    const lines = [header];
    const misses = [];
    for (const route of ROUTES) {
      lines.push([`${route.title}  (skillsync ${route.skillsync}; Verdaccio ${route.verdaccio})`]);
      for (const target of targets) {
        const figures = figuresOf(target, route.key);
        const ratio = verdaccioTarget === undefined || target === verdaccioTarget ? '' : `${(figures.perSecond / figuresOf(verdaccioTarget, route.key).perSecond).toFixed(2)}×`;
        lines.push([`  ${target.name}`, figures.perSecond.toFixed(0), figures.p50.toFixed(1), figures.p99.toFixed(1), figures.serverCpuUs.toFixed(0), figures.loadCpuUs.toFixed(0), figures.bytesPerResponse.toFixed(0), String(figures.non2xx), String(figures.errors), ratio]);
        if (figures.non2xx > 0 || figures.errors > 0) {
          misses.push(`${target.name}, ${route.title}: ${figures.non2xx} non-2xx (${figures.failures.join(', ') || '—'}), ${figures.errors} errors (${figures.timeouts} timeouts): its figures are not valid`);
        }
        if (target !== verdaccioTarget && verdaccioTarget !== undefined && figures.perSecond <= figuresOf(verdaccioTarget, route.key).perSecond) {
          misses.push(`${target.name}, ${route.title}: not ahead of Verdaccio`);
        }
      }
    }
    printColumns(lines);
    console.log('');
    for (const target of targets) {
      const { rss, peak } = memory.get(target.name);
      console.log(`RSS after the load, ${target.name}: ${rss.toFixed(0)} MB (peak ${peak.toFixed(0)} MB)${target.name.includes('PostgreSQL') ? ', PostgreSQL’s own processes not counted' : ''}`);
    }
    const sqlite = targets.find((target) => target.name === 'skillsync (SQLite)');
    const sqliteMetadata = sqlite === undefined ? [] : ['version', 'skill'].map((route) => ({ route, perSecond: figuresOf(sqlite, route).perSecond }));
    const slow = sqliteMetadata.filter((figure) => figure.perSecond < METADATA_TARGET);
    if (sqlite !== undefined) {
      console.log(
        `\nSQLite metadata reads: ${sqliteMetadata.map((figure) => `${figure.perSecond.toFixed(0)}/s (${figure.route === 'version' ? 'version detail' : 'skill detail'})`).join(', ')}   target ≥ ${METADATA_TARGET}/s per process   ${slow.length === 0 ? 'ok' : 'MISSED'}`,
      );
    }
    if (verdaccioTarget !== undefined) console.log(`ahead of Verdaccio on every route: ${misses.some((miss) => miss.endsWith('not ahead of Verdaccio')) ? 'MISSED' : 'ok'}   (vs Verdaccio = skillsync req/s ÷ Verdaccio req/s)`);
    for (const miss of misses) console.log(`  ${miss}`);

    notes.push(
      `every server runs as one process on ${process.version}, logging one line per request to a file (skillsync: its JSON request log on stderr; Verdaccio: \`log: { level: http }\`, its default level, as JSON);`,
      `  CPU µs: the server process's CPU (user + system, /proc, 10 ms ticks) per response; load µs: the load generator's. B/resp: bytes read per response, headers included. Verdaccio: packages and tarballs readable by $authenticated only (as skillsync's need a token), JWT tokens`,
      `  (\`security.api.jwt\`: its default legacy tokens re-check the password with bcrypt on every request), no uplink (nothing proxied), web UI off.`,
    );

    // ---- A CPU profile of the SQLite server under the metadata load, when it misses (or BENCH_PROFILE=1). ----
    if (sqlite !== undefined && (slow.length > 0 || profileAlways)) {
      for (const server of servers.splice(0)) await stopProcess(server.child);
      const profiles = path.join(work, 'profiles');
      const profiled = await startProcess('sqlite-profiled', process.execPath, ['--cpu-prof', '--cpu-prof-dir', profiles, cliBin, 'server', '--listen', '127.0.0.1:0', '--json'], {
        cwd: sqlite.server.home,
        env: isolatedEnv(sqlite.server.home),
        work,
      });
      await waitForQuiet();
      const profileRuns = ['version', 'skill'].map((route) => ({ route, ...runLoad({ url: profiled.url, pid: profiled.child.pid, paths: sqlite.routes[route], tokens: sqlite.tokens, connections, duration, warmup: 0 }) }));
      await stopProcess(profiled.child);
      const file = (await readdir(profiles)).find((name) => name.endsWith('.cpuprofile'));
      console.log(
        `\nCPU profile of the SQLite server under ${duration} s of version-detail and ${duration} s of skill-detail load (${profileRuns.map((run) => `${run.perSecond.toFixed(0)}/s`).join(', ')} with the profiler on)${keep ? `: ${path.join(profiles, file)}` : ''}:`,
      );
      for (const line of await summariseProfile(path.join(profiles, file), 25)) console.log(line);
    }
  } catch (error) {
    failed = true;
    console.error(error instanceof Error ? error.message : error);
  } finally {
    for (const server of servers) await stopProcess(server.child);
    if (pgDatabase !== undefined) await dropDatabase(pgUrl, pgDatabase.name).catch((error) => notes.push(`could not drop the PostgreSQL database ${pgDatabase.name}: ${error.message}`));
    if (keep) console.log(`kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }

  notes.push(
    `load average (1 min): ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end on ${os.cpus().length} cores; waited ${quietWaited()} s in all for idle cores before samples (BENCH_QUIET_WAIT).`,
  );
  console.log('');
  for (const note of notes) console.log(`  ${note}`);
  if (failed) process.exitCode = 1;
}

function positive(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${process.env[name]}: not a positive whole number`);
  return value;
}

/** Only what a server needs: no XDG, NODE_OPTIONS or SKILLSYNC_* variables leak in. */
function isolatedEnv(home) {
  return { PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home, LANG: 'C.UTF-8', NO_COLOR: '1' };
}

function average(values) {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Runs the load generator (this file, LOAD_FLAG) as a second process; its job goes on stdin (tokens stay off the command line). */
function runLoad(job) {
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), LOAD_FLAG], { input: JSON.stringify(job), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`the load generator exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The median of each figure over the rounds; failures summed. */
function summarise(results) {
  const middle = (key) => median(results.map((result) => result[key]));
  const sum = (key) => results.reduce((total, result) => total + result[key], 0);
  return {
    perSecond: middle('perSecond'),
    p50: middle('p50'),
    p99: middle('p99'),
    bytesPerResponse: middle('bytesPerResponse'),
    serverCpuUs: middle('serverCpuUs'),
    loadCpuUs: middle('loadCpuUs'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    failures: results.flatMap((result) => result.failures),
  };
}

function printColumns(lines) {
  const width = Math.max(...lines.filter((line) => line.length > 1).map((line) => line[0].length));
  for (const [name, ...values] of lines) {
    console.log(values.length === 0 ? name : `${name.padEnd(width)}  ${values.map((value, index) => value.padStart(index === values.length - 1 ? 12 : 8)).join('  ')}`);
  }
}

/**
 * Starts a server process with its output in <work>/<label>.log. Its address is `url`
 * when given, else the first line it prints (`skillsync server --json`: `{"url": …}`).
 */
async function startProcess(label, command, args, { cwd, env, work, url }) {
  const log = openSync(path.join(work, `${label}.log`), 'a');
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', url === undefined ? 'pipe' : log, log] });
  closeSync(log);
  if (url !== undefined) return { label, child, url };
  const line = await new Promise((resolve, reject) => {
    let text = '';
    const fail = (why) => reject(new Error(`${label}: ${why}; its log: ${readFileSync(path.join(work, `${label}.log`), 'utf8').slice(-2000)}`));
    const timer = setTimeout(() => fail('printed no address within 60 s'), 60_000);
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (!text.includes('\n')) return;
      clearTimeout(timer);
      resolve(text.slice(0, text.indexOf('\n')));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(`exited ${code} before it listened`);
    });
  });
  child.stdout.resume();
  return { label, child, url: JSON.parse(line).url };
}

/** SIGTERM, as a service manager stops it; SIGKILL if it is still there 15 s later. */
async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function memoryOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const mb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rss: mb('VmRSS'), peak: mb('VmHWM') };
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPing(url) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await fetch(url).then((response) => response.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

/** One API call; fails loudly on a status not in `expect`. Returns the parsed JSON body (undefined when empty). */
async function call(base, method, route, { token, json, bytes, headers = {}, expect = [200, 201] } = {}) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(json === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    ...(bytes === undefined ? {} : { body: bytes }),
  });
  const text = await response.text();
  if (!expect.includes(response.status)) throw new Error(`${method} ${route}: ${response.status} ${text.slice(0, 500)}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** The bytes at `route`, read with `token`; fails loudly unless 200. */
async function download(base, route, token) {
  const response = await fetch(`${base}${route}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET ${route}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** `readers` members with a read-scoped token each, then every package published by the owner; returns the readers' tokens. */
async function setUpSkillsync(base, ownerToken, org, readers, packed) {
  const orgPath = `/v0.1/orgs/${org}`;
  const tokens = [];
  for (let index = 0; index < readers; index += 1) {
    const user = `reader-${String(index).padStart(3, '0')}`;
    await call(base, 'POST', `${orgPath}/members`, { token: ownerToken, json: { user, role: 'member' } });
    tokens.push((await call(base, 'POST', `${orgPath}/tokens`, { token: ownerToken, json: { name: 'bench', user, scopes: ['read'] } })).token);
  }
  for (const skill of packed) {
    await call(base, 'PUT', `${orgPath}/skills/${skill.name}/versions/${skill.version}`, {
      token: ownerToken,
      bytes: skill.tarball,
      headers: { 'content-type': 'application/gzip', 'x-skillsync-integrity': skill.integrity },
    });
  }
  // What the load will read is there, for a reader: the version, and the very bytes published.
  const [first] = packed;
  const detail = await call(base, 'GET', `${orgPath}/skills/${first.name}/versions/${first.version}`, { token: tokens[0] });
  const bytes = await download(base, `${orgPath}/skills/${first.name}/versions/${first.version}/package`, tokens[0]);
  if (detail.integrity !== first.integrity || !bytes.equals(first.tarball)) throw new Error(`skillsync server: ${first.name}@${first.version} does not read back as published`);
  return tokens;
}

/** `readers` users with a JWT each, then every skill as an npm package (its files + package.json) published by another user. */
async function setUpVerdaccio(base, readers, packed, folders, dir) {
  const addUser = async (name) => (await call(base, 'PUT', `/-/user/org.couchdb.user:${name}`, { json: { name, password: randomBytes(18).toString('base64url') } })).token;
  const tokens = [];
  for (let index = 0; index < readers; index += 1) tokens.push(await addUser(`reader-${String(index).padStart(3, '0')}`));
  const publisher = await addUser('owner');
  const tarballBytes = [];
  for (const [index, skill] of packed.entries()) {
    const tarball = await npmTarball(skill, folders[index], path.join(dir, skill.name));
    tarballBytes.push(tarball.byteLength);
    await call(base, 'PUT', `/${skill.name}`, { token: publisher, json: packument(base, skill, await descriptionOf(folders[index]), tarball) });
  }
  const [first] = packed;
  const read = await call(base, 'GET', `/${first.name}`, { token: tokens[0] });
  const bytes = await download(base, `/${first.name}/-/${first.name}-${first.version}.tgz`, tokens[0]);
  if (read.versions?.[first.version]?.dist?.shasum !== createHash('sha1').update(bytes).digest('hex')) throw new Error(`Verdaccio: ${first.name}@${first.version} does not read back as published`);
  return { tokens, tarballBytes };
}

/** An npm package of the skill: the files skillsync packed, under package/, with a package.json. */
async function npmTarball(skill, folder, dir) {
  const { create } = await import('tar');
  const packageDir = path.join(dir, 'package');
  for (const file of skill.files) await cp(path.join(folder, file.path), path.join(packageDir, file.path));
  await writeFile(path.join(packageDir, 'package.json'), `${JSON.stringify({ name: skill.name, version: skill.version, description: await descriptionOf(folder), license: 'UNLICENSED' }, null, 2)}\n`);
  const file = path.join(dir, `${skill.name}-${skill.version}.tgz`);
  await create({ gzip: true, portable: true, cwd: dir, file }, ['package']);
  return readFile(file);
}

/** The body `npm publish` sends: the packument with the one version and the tarball attached. */
function packument(base, skill, description, tarball) {
  const tarballName = `${skill.name}-${skill.version}.tgz`;
  return {
    _id: skill.name,
    name: skill.name,
    description,
    'dist-tags': { latest: skill.version },
    versions: {
      [skill.version]: {
        _id: `${skill.name}@${skill.version}`,
        name: skill.name,
        version: skill.version,
        description,
        license: 'UNLICENSED',
        dist: {
          shasum: createHash('sha1').update(tarball).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
          tarball: `${base}/${skill.name}/-/${tarballName}`,
        },
      },
    },
    _attachments: { [tarballName]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.byteLength } },
  };
}

async function descriptionOf(folder) {
  const { parse } = await import('yaml');
  const text = await readFile(path.join(folder, 'SKILL.md'), 'utf8');
  return String(parse(/^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '')?.description ?? '');
}

/** Local packages only (no uplink), read and published by authenticated users, JWT tokens, logs as JSON to stdout. */
function verdaccioConfig(dir) {
  return [
    `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    '    max_users: 1000',
    'security:',
    '  api:',
    '    jwt:',
    '      sign:',
    '        expiresIn: 7d',
    'uplinks: {}',
    'packages:',
    "  '**':",
    '    access: $authenticated',
    '    publish: $authenticated',
    'web:',
    '  enable: false',
    'log: { type: stdout, format: json, level: http }',
    '',
  ].join('\n');
}

/**
 * Installs Verdaccio `version` into bench/.cache/verdaccio (npm registry only), once. The
 * registry reached here lacks node-fetch's `cjs` dist-tag, which verdaccio-audit asks for:
 * the override pins the CommonJS release that tag names.
 */
function ensureVerdaccio(version) {
  const cache = path.join(root, 'bench', '.cache', 'verdaccio');
  const installedPackage = path.join(cache, 'node_modules', 'verdaccio', 'package.json');
  const installed = existsSync(installedPackage) && JSON.parse(readFileSync(installedPackage, 'utf8')).version === version;
  if (!installed) {
    console.log(`installing verdaccio@${version} into ${path.relative(root, cache)} …`);
    mkdirSync(cache, { recursive: true });
    writeFileSync(path.join(cache, 'package.json'), `${JSON.stringify({ private: true, dependencies: { verdaccio: version }, overrides: { 'node-fetch': '2.7.0' } }, null, 2)}\n`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['install', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: cache, stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) throw new Error(`npm install of verdaccio@${version} failed (exit ${result.status})`);
  }
  return { version, bin: path.join(cache, 'node_modules', 'verdaccio', 'bin', 'verdaccio') };
}

/** A database of its own for the run, on the server at `baseUrl`; `dropDatabase` removes it. */
async function createDatabase(baseUrl) {
  const { default: pg } = await import('pg');
  const name = `skillsync_bench_${process.pid}_${Date.now()}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { name, url: url.href };
}

async function dropDatabase(baseUrl, name) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
