// `npm run bench:gateway`: what the gateway adds to a tool call. The same SDK client calls
// the same echo tool (bench/echo-server.mjs) directly over stdio, and through `skillsync
// serve` over stdio (the built CLI, from a snapshot, with a temp HOME and a project
// manifest naming the echo server), first sequentially, then with 32 calls in flight.
// The gateway runs governed, as users run it: a project policy set (Cedar, every call
// authorized), redaction with every built-in detector plus a custom pattern, and the
// audit log in the state database; afterwards the log must hold one allowed callTool
// record per call and verify. A third target, bench/pipe-relay.mjs (a process that only
// copies bytes between the client and the echo server), measures what one more process
// hop costs by itself: the ceiling for any gateway on these cores. Prints p50/p99 per
// call, calls/s and the server-side process's CPU per call for each, the gateway's added
// p50/p99, and its throughput as a share of direct (and of the relay).
//
//   BENCH_CALLS=1000 (sequential calls)  BENCH_CONCURRENT_CALLS=4000  BENCH_CONCURRENCY=32
//   BENCH_PROFILE=1: CPU-profile the gateway process (node --cpu-prof) and print its hotspots
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { buildCliSnapshot, machine, quietWaited, root, runOnce, waitForQuiet } from './harness.mjs';
import { summariseProfile } from './profile.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 1000);
const concurrentCalls = Number(process.env.BENCH_CONCURRENT_CALLS ?? 4000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const warmup = 300;
const echoServer = path.join(root, 'bench', 'echo-server.mjs');
const pipeRelay = path.join(root, 'bench', 'pipe-relay.mjs');
const profile = process.env.BENCH_PROFILE === '1';

/** What the gateway enforces in the run: a blanket permit, forbids that do not match, a team rule. */
const POLICIES = `@id("permit-all")
permit (principal, action, resource);

@id("no-deletes")
forbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Tool::"bench/delete_everything");

@id("prod-for-sre")
forbid (principal, action, resource in Skillsync::Connector::"prod-db") unless { principal in Skillsync::Team::"sre" };
`;

const work = await mkdtemp(path.join(os.tmpdir(), 'skillsync-bench-gateway-'));
try {
  const bin = await buildCliSnapshot(path.join(work, 'cli'));
  const home = path.join(work, 'home');
  const project = path.join(work, 'project');
  await mkdir(home, { recursive: true });
  await mkdir(project, { recursive: true });
  await writeFile(
    path.join(project, 'skillsync.yaml'),
    [
      'version: 1',
      'gateway:',
      '  principal: { user: bench, teams: [perf] }',
      '  redaction: { mode: mask, custom: [{ name: employee-id, pattern: "EMP-\\\\d{6}" }] }',
      'connectors:',
      '  bench:',
      `    command: ${JSON.stringify(process.execPath)}`,
      `    args: [${JSON.stringify(echoServer)}]`,
      '',
    ].join('\n'),
  );
  await mkdir(path.join(project, '.skillsync', 'policies'), { recursive: true });
  await writeFile(path.join(project, '.skillsync', 'policies', 'bench.cedar'), POLICIES);
  const env = { PATH: process.env.PATH ?? '', HOME: home, SKILLSYNC_HOME: path.join(work, 'skillsync-home'), LANG: 'C.UTF-8' };

  const direct = { label: 'direct', tool: 'echo', params: { command: process.execPath, args: [echoServer], env, cwd: project } };
  const relay = { label: 'relay', tool: 'echo', params: { command: process.execPath, args: [pipeRelay, process.execPath, echoServer], env, cwd: project } };
  const profiles = path.join(work, 'profiles');
  const profiling = profile ? ['--cpu-prof', '--cpu-prof-dir', profiles] : [];
  const gateway = { label: 'gateway', tool: 'bench__echo', params: { command: process.execPath, args: [...profiling, bin, 'serve'], env, cwd: project, stderr: 'inherit' } };

  const results = {};
  for (const target of [direct, relay, gateway, direct, relay, gateway]) {
    // Two rounds, alternating, keeping the better of each: less noise from a shared machine.
    await waitForQuiet();
    const measured = await measure(target);
    const previous = results[target.label];
    results[target.label] = previous === undefined ? measured : best(previous, measured);
  }
  report(results.direct, results.relay, results.gateway);
  reportAudit(bin, env, project, 2 * (warmup + calls + concurrentCalls));
  if (profile) {
    for (const file of (await readdir(profiles)).sort()) {
      console.log(`\ngateway CPU profile ${file} (both phases of one round):`);
      for (const line of await summariseProfile(path.join(profiles, file), 25)) console.log(line);
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

/** The audit log after both gateway rounds: one allowed callTool record per call, a chain that verifies. */
function reportAudit(bin, env, cwd, expected) {
  const verify = JSON.parse(runOnce(process.execPath, [bin, 'audit', 'verify', '--json'], { env, cwd, cleanEnv: true }).stdout);
  const listed = JSON.parse(runOnce(process.execPath, [bin, 'audit', '--json', '--limit', '1', '--decision', 'allow', '--connector', 'bench'], { env, cwd, cleanEnv: true }).stdout);
  const last = listed.records[0];
  if (!verify.ok || listed.matching !== expected || last?.policyIds?.[0] !== 'permit-all' || last?.principal !== 'bench') {
    throw new Error(`audit log: expected ${expected} verified callTool records by permit-all for bench, got ${JSON.stringify({ verify, matching: listed.matching, last })}`);
  }
  console.log(`audit log: ${verify.checked} records verified, ${listed.matching} of them the gateway's calls (policy ${last.policyIds[0]}, redaction on)`);
}

/** User + system CPU time of a process so far, in ms (Linux /proc); undefined elsewhere. */
async function cpuMs(pid) {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The fields after the command name (which may hold spaces), counted from its closing parenthesis.
  const fields = text?.slice(text.lastIndexOf(')') + 2).split(' ');
  if (fields === undefined) return undefined;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** A process and every process below it (Linux /proc). */
async function processTree(pid) {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).split(' ').filter(Boolean).map(Number);
  return [pid, ...(await Promise.all(children.map(processTree))).flat()];
}

/** CPU ms so far: the process the client talks to, everything below it (the echo server behind a relay or the gateway), and this client. */
async function cpuOf(pid) {
  const tree = await Promise.all((await processTree(pid)).map(cpuMs));
  const client = process.cpuUsage();
  if (tree.some((ms) => ms === undefined)) return undefined;
  return { server: tree[0], chain: tree.reduce((sum, ms) => sum + ms, 0), client: (client.user + client.system) / 1000 };
}

async function measure(target) {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  const transport = new StdioClientTransport(target.params);
  await client.connect(transport);
  const pid = transport.pid;
  /** µs per call since `before`: of the process the client talks to, of all the processes (client included), and the cores they kept busy. */
  const cpuSince = async (before, count, wallMs) => {
    const after = await cpuOf(pid);
    if (before === undefined || after === undefined) return undefined;
    const all = after.chain - before.chain + (after.client - before.client);
    return { server: ((after.server - before.server) * 1000) / count, all: (all * 1000) / count, cores: all / wallMs };
  };
  const call = async (index) => {
    const started = performance.now();
    const result = await client.callTool({ name: target.tool, arguments: { text: `call ${index}` } });
    const ms = performance.now() - started;
    if (result.content?.[0]?.text !== `call ${index}`) throw new Error(`${target.label}: unexpected result ${JSON.stringify(result)}`);
    return ms;
  };
  for (let index = 0; index < warmup; index += 1) await call(index);

  const sequential = [];
  const sequentialCpu = await cpuOf(pid);
  const sequentialStart = performance.now();
  for (let index = 0; index < calls; index += 1) sequential.push(await call(index));
  const sequentialMs = performance.now() - sequentialStart;
  const sequentialCpuPerCall = await cpuSince(sequentialCpu, calls, sequentialMs);

  const concurrent = [];
  let next = 0;
  const concurrentCpu = await cpuOf(pid);
  const concurrentStart = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < concurrentCalls) {
        const index = next;
        next += 1;
        concurrent.push(await call(index));
      }
    }),
  );
  const concurrentMs = performance.now() - concurrentStart;
  const concurrentCpuPerCall = await cpuSince(concurrentCpu, concurrentCalls, concurrentMs);
  await client.close();
  return {
    sequential: { p50: percentile(sequential, 0.5), p99: percentile(sequential, 0.99), perSecond: (calls / sequentialMs) * 1000, cpuUs: sequentialCpuPerCall },
    concurrent: { p50: percentile(concurrent, 0.5), p99: percentile(concurrent, 0.99), perSecond: (concurrentCalls / concurrentMs) * 1000, cpuUs: concurrentCpuPerCall },
  };
}

function best(a, b) {
  const least = (x, y) => (x === undefined ? y : y === undefined ? x : x.all <= y.all ? x : y);
  const pick = (x, y) => ({ p50: Math.min(x.p50, y.p50), p99: Math.min(x.p99, y.p99), perSecond: Math.max(x.perSecond, y.perSecond), cpuUs: least(x.cpuUs, y.cpuUs) });
  return { sequential: pick(a.sequential, b.sequential), concurrent: pick(a.concurrent, b.concurrent) };
}

function percentile(values, share) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

function report(direct, relay, gateway) {
  console.log(`\nGateway overhead: echo tool over stdio, direct vs through \`skillsync serve\` with policy, redaction and audit on (${machine()})\n`);
  // CPU comes from /proc's clock ticks (10 ms): whole µs per call, no more precise than that.
  const cpu = (figures) =>
    figures.cpuUs === undefined ? ['-', '-', '-'] : [String(Math.round(figures.cpuUs.server)), String(Math.round(figures.cpuUs.all)), figures.cpuUs.cores.toFixed(2)];
  const row = (name, figures) => [name, figures.p50, figures.p99, figures.perSecond, ...cpu(figures)];
  const rows = [
    // CPU µs: of the process the client talks to (the echo server, the relay, or the gateway), per call;
    // all µs: of every process of the run (client, relay or gateway, echo server); cores: how many of them that kept busy.
    ['', 'p50 ms', 'p99 ms', 'calls/s', 'CPU µs', 'all µs', 'cores'],
    row(`direct, sequential (${calls})`, direct.sequential),
    row(`relay, sequential`, relay.sequential),
    row(`gateway, sequential`, gateway.sequential),
    row(`direct, ${concurrency} in flight (${concurrentCalls})`, direct.concurrent),
    row(`relay, ${concurrency} in flight`, relay.concurrent),
    row(`gateway, ${concurrency} in flight`, gateway.concurrent),
  ];
  const width = Math.max(...rows.map((line) => line[0].length));
  for (const [name, ...values] of rows) {
    console.log(`${name.padEnd(width)}  ${values.map((value) => (typeof value === 'number' ? value.toFixed(value >= 100 ? 0 : 3) : value).padStart(9)).join('  ')}`);
  }
  const added = (key) => gateway.sequential[key] - direct.sequential[key];
  const share = (through, mode) => through[mode].perSecond / direct[mode].perSecond;
  const verdict = (ok) => (ok ? 'ok' : 'MISSED');
  const percent = (value) => `${(value * 100).toFixed(0)}%`;
  console.log('');
  console.log(`added p50 per call (sequential): ${added('p50').toFixed(3)} ms   target < 1 ms   ${verdict(added('p50') < 1)}`);
  console.log(`added p99 per call (sequential): ${added('p99').toFixed(3)} ms   target < 5 ms   ${verdict(added('p99') < 5)}`);
  for (const mode of ['sequential', 'concurrent']) {
    const label = mode === 'sequential' ? 'sequential' : `${concurrency} in flight`;
    console.log(
      `throughput, ${label}: ${percent(share(gateway, mode))} of direct   target ≥ 80%   ${verdict(share(gateway, mode) >= 0.8)}   (the byte relay: ${percent(share(relay, mode))}; the gateway: ${percent(gateway[mode].perSecond / relay[mode].perSecond)} of the relay)`,
    );
  }
  if (quietWaited() > 0) console.log(`(waited ${quietWaited()} s for the machine to quieten)`);
}
