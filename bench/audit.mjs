// The audit log benchmark: `npm run bench:audit`. Prints the CPU a flush costs per record
// (redaction, chain, sha256, insert: what each gateway call costs after its reply; `--flush`
// prints only that, for `node --cpu-prof`), the cost of `append` on the
// gateway's hot path (µs per call: it only queues), how fast queued records are written
// (records/s, in batched BEGIN IMMEDIATE transactions), the same with several processes
// appending to one file, and how fast `verify` walks the chain. Measured on the state
// database's real engine for this Node (node:sqlite from 22.13, else better-sqlite3).
// Targets are read from the output, not asserted. AUDIT_BENCH_RECORDS scales it (default 100 000).
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { bundleWorkspace, machine, median, workspaceBundleFile } from './harness.mjs';

const records = Number(process.env.AUDIT_BENCH_RECORDS ?? 100_000);
const bundleName = 'audit-bench';
const flushOnly = process.argv[2] === '--flush';
const FLUSH_RECORDS = 20_000;

/** One record as the gateway appends it: a tool call with a digest of its arguments. */
function record(audit, index, client = 'claude-code') {
  return {
    time: new Date(),
    principal: 'ada@example.com',
    client,
    action: 'callTool',
    connector: 'github',
    target: `github__create_issue_${index % 50}`,
    argumentsDigest: audit.digestArguments({ title: `bug ${index}` }),
    decision: index % 20 === 0 ? 'deny' : 'allow',
    policyIds: ['default-allow'],
    policyVersion: 'v1',
    latencyMs: 3.2,
    outcome: index % 20 === 0 ? 'denied' : 'ok',
  };
}

// A child process of the multi-process figure: append `count` records as fast as the
// event loop lets the timer flush them, then close.
if (process.argv[2] === '--child') {
  const audit = await import(pathToFileURL(workspaceBundleFile(bundleName)).href);
  const [file, id, count] = process.argv.slice(3);
  const log = await audit.openAuditLog({ file });
  const prepared = Array.from({ length: 100 }, (_, index) => record(audit, index, `client-${id}`));
  for (let index = 0; index < Number(count); index += 1) {
    log.append(prepared[index % 100]);
    if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  await log.close();
  process.exit(0);
}

// @skillsync/policy and @skillsync/state (TypeScript), bundled into bench/.out.
const audit = await bundleWorkspace(bundleName, "export * from '@skillsync/policy'; export * from '@skillsync/state';");

const dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-bench-audit-'));
const rows = [];
const row = (name, value, unit, note = '') => rows.push({ name, value, unit, note });
const engine = audit.loadSqliteEngine().name;

/**
 * CPU time (user + system, this process) per record of writing queued records in the
 * default batches: redaction, chaining, sha256 and the inserts, the part of a gateway
 * call's cost that runs after the reply. The median of 5 rounds of 20 000 records.
 */
async function flushCpuPerRecord() {
  const log = await audit.openAuditLog({ file: path.join(dir, 'flush.db'), flushDelayMs: 60_000, maxPending: FLUSH_RECORDS + 1 });
  const inputs = Array.from({ length: 1000 }, (_, index) => ({
    ...record(audit, index),
    // Some records carry a note, as denied and failed calls do.
    ...(index % 10 === 0 ? { detail: `upstream error ${index % 7}: connection reset` } : {}),
  }));
  const rounds = [];
  for (let round = 0; round < 5; round += 1) {
    for (let index = 0; index < FLUSH_RECORDS; index += 1) log.append({ ...inputs[index % 1000], time: new Date() });
    const started = process.cpuUsage();
    await log.flush();
    const used = process.cpuUsage(started);
    rounds.push((used.user + used.system) / FLUSH_RECORDS);
  }
  const result = await log.verify();
  if (!result.ok || result.checked !== 5 * FLUSH_RECORDS) throw new Error(`flush chain: ${JSON.stringify(result)}`);
  await log.close();
  row('flush CPU per record (default batches)', median(rounds), 'µs CPU', `median of 5 × ${FLUSH_RECORDS.toLocaleString('en')} records: redaction, chain, sha256, insert`);
}

try {
  await flushCpuPerRecord();
  // ---- hot path: append only queues --------------------------------------------------
  if (!flushOnly) {
    const log = await audit.openAuditLog({ file: path.join(dir, 'append.db'), flushDelayMs: 60_000, maxBatch: records + 1, maxPending: records + 1 });
    // Inputs built beforehand (the gateway has its record anyway); digestArguments is its own figure.
    const inputs = Array.from({ length: 1000 }, (_, index) => record(audit, index));
    const rounds = [];
    for (let round = 0; round < 5; round += 1) {
      const started = performance.now();
      for (let index = 0; index < records; index += 1) log.append(inputs[index % 1000]);
      rounds.push(((performance.now() - started) * 1000) / records);
      if (round < 4) await log.flush();
    }
    row('append (hot path: check and queue)', median(rounds), 'µs/call', `median of 5 × ${records.toLocaleString('en')} appends`);

    const started = performance.now();
    await log.flush();
    const seconds = (performance.now() - started) / 1000;
    row('flush of queued records', records / seconds, 'records/s', `${records.toLocaleString('en')} records, batches of 1000, one BEGIN IMMEDIATE each`);

    const args = { owner: 'acme', repo: 'api', title: 'Crash on start', body: 'x'.repeat(400), labels: ['bug', 'p1'] };
    const digestStarted = performance.now();
    for (let index = 0; index < 20_000; index += 1) audit.digestArguments(args);
    row('digestArguments (a 0.5 kB argument object)', ((performance.now() - digestStarted) * 1000) / 20_000, 'µs/call', 'done by the gateway before append');

    const verifyStarted = performance.now();
    const result = await log.verify();
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    if (!result.ok) throw new Error(`verify failed: ${JSON.stringify(result.problem)}`);
    row('verify', result.checked / verifySeconds, 'records/s', `${result.checked.toLocaleString('en')} records`);
    await log.close();
  }

  // ---- steady traffic: appends spread over the event loop, written by the timer ------
  if (!flushOnly) {
    const log = await audit.openAuditLog({ file: path.join(dir, 'steady.db') });
    const inputs = Array.from({ length: 1000 }, (_, index) => record(audit, index));
    const started = performance.now();
    for (let index = 0; index < records; index += 1) {
      log.append(inputs[index % 1000]);
      // A request at a time, as a busy gateway sees them: the 5 ms timer flushes between.
      if (index % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
    }
    await log.close();
    row('append + timer flushes, one process', records / ((performance.now() - started) / 1000), 'records/s', 'end to end, until closed');
  }

  // ---- several processes on one file ----------------------------------------------------
  if (!flushOnly) {
    const processes = 4;
    const file = path.join(dir, 'shared.db');
    await (await audit.openAuditLog({ file })).close();
    const perProcess = Math.ceil(records / processes);
    const started = performance.now();
    await Promise.all(
      Array.from(
        { length: processes },
        (_, id) =>
          new Promise((resolve, reject) => {
            const child = fork(new URL(import.meta.url), ['--child', file, String(id), String(perProcess)], { stdio: 'inherit' });
            child.on('error', reject);
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child ${id} exited ${code}`))));
          }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const log = await audit.openAuditLog({ file });
    const result = await log.verify();
    await log.close();
    if (!result.ok || result.checked !== perProcess * processes) throw new Error(`multi-process chain: ${JSON.stringify(result)}`);
    row(`append, ${processes} processes on one file`, (perProcess * processes) / seconds, 'records/s', `${(perProcess * processes).toLocaleString('en')} records, one valid chain (process start-up included)`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

console.log(`\naudit log benchmark (${machine()}, ${engine})\n`);
const width = Math.max(...rows.map((item) => item.name.length));
console.log(`${'what'.padEnd(width)}  ${'value'.padStart(12)}  ${'unit'.padEnd(9)}  note`);
for (const item of rows) {
  const value = item.value < 10 ? item.value.toFixed(2) : Math.round(item.value).toLocaleString('en');
  console.log(`${item.name.padEnd(width)}  ${value.padStart(12)}  ${item.unit.padEnd(9)}  ${item.note}`);
}
