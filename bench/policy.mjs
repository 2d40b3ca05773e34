// The policy micro-benchmark: `npm run bench:policy`. Prints µs per Cedar `authorize`
// (uncached and cached) and per redaction of typical MCP tool results, measured in this
// process. Like the other benchmarks, targets are read from the output, not asserted.
// POLICY_BENCH_SECONDS scales the time spent per figure (default 1).
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { bundleWorkspace, machine } from './harness.mjs';

const seconds = Number(process.env.POLICY_BENCH_SECONDS ?? 1);

// @skillsync/policy (TypeScript), bundled into bench/.out; Cedar loads from node_modules.
const policy = await bundleWorkspace('policy-bench', "export * from '@skillsync/policy'; export { registerSecret } from '@skillsync/core';");

/** Runs `fn` for about `seconds` (after a warm-up) and returns µs per call. */
function measure(fn) {
  for (let index = 0; index < 2000; index += 1) fn(index);
  let calls = 0;
  const budget = seconds * 1000;
  const started = performance.now();
  while (performance.now() - started < budget) {
    for (let index = 0; index < 500; index += 1) fn(calls + index);
    calls += 500;
  }
  return ((performance.now() - started) * 1000) / calls;
}

const rows = [];
const row = (name, us, note = '') => {
  rows.push({ name, us, note });
  if (process.env.POLICY_BENCH_TRACE) console.error(`done: ${name}`);
};

// ---- Cedar ----------------------------------------------------------------
const examples = policy.DEFAULT_POLICY.split('\n')
  .map((line) => line.replace(/^\/\/ (forbid| {2})/, '$1'))
  .join('\n');
const manyForbids = Array.from(
  { length: 200 },
  (_, index) => `forbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Tool::"conn${index}/tool${index}") unless { principal in Skillsync::Team::"team${index}" };`,
).join('\n');

const startedEngine = performance.now();
const small = policy.createPolicyEngine({ policies: [{ id: 'examples', text: examples }] });
const engineMs = performance.now() - startedEngine;
const noArgs = policy.createPolicyEngine({ policies: [policy.DEFAULT_POLICY_FILE, { id: 'team', text: 'forbid (principal, action, resource in Skillsync::Connector::"prod-db") unless { principal in Skillsync::Team::"sre" };' }] });
const large = policy.createPolicyEngine({ policies: [policy.DEFAULT_POLICY_FILE, { id: 'many', text: manyForbids }] });

const request = (index, extra = {}) => ({
  principal: { user: `user${index}`, teams: ['web', 'platform'], roles: ['developer'] },
  action: 'callTool',
  resource: { type: 'Tool', id: `tool${index % 50}`, connector: 'github' },
  context: { client: 'cursor', ...extra },
});

row('createPolicyEngine (5 policies), first in the process', engineMs * 1000, 'the wasm warms up');
const startedSecond = performance.now();
policy.createPolicyEngine({ policies: [{ id: 'examples2', text: examples }] });
row('createPolicyEngine (5 policies), later', (performance.now() - startedSecond) * 1000);
row('authorize, uncached: default + 1 forbid', measure((index) => noArgs.authorize(request(index))), 'unique user per call');
row('authorize, uncached: shipped examples (5)', measure((index) => small.authorize(request(index))));
row('authorize, uncached: 201 policies', measure((index) => large.authorize(request(index))));
row('authorize, uncached: examples, with arguments', measure((index) => small.authorize(request(index, { arguments: { path: `/tmp/${index}`, depth: 2 } }))), 'never cached: policies read arguments');
// Cached: a working set of 50 requests, all hits after the warm-up.
row('authorize, cached: examples', measure((index) => small.authorize(request(index % 50))), 'LRU hit');
row('authorize, cached: 201 policies', measure((index) => large.authorize(request(index % 50))));
row('authorize, cached: arguments ignored (no policy reads them)', measure((index) => noArgs.authorize(request(index % 50, { arguments: { q: String(index) } }))));

// ---- Redaction ------------------------------------------------------------
policy.registerSecret('bench-known-secret-value-0123456789');
const redactor = policy.createRedactor();
const prose = 'The quick brown fox jumps over the lazy dog while the build runs; nothing secret here. ';
const cleanSmall = { content: [{ type: 'text', text: prose.repeat(3) }] };
const cleanLarge = { content: [{ type: 'text', text: prose.repeat(120) }], structuredContent: { items: Array.from({ length: 50 }, (_, index) => ({ id: index, title: `Issue ${index}`, state: 'open', body: prose })) } };
const dirty = {
  content: [{ type: 'text', text: `${prose.repeat(10)} contact ada@example.com, token ghp_abcdefghijklmnopqrstuvwxyz0123456789, card 4111 1111 1111 1111 ${prose.repeat(10)}` }],
};
const sizeOf = (value) => `${(JSON.stringify(value).length / 1024).toFixed(1)} KiB`;
row('createRedactor (all detectors)', measure(() => policy.createRedactor()));
row(`redactValue: clean tool result, ${sizeOf(cleanSmall)}`, measure(() => redactor.redactValue(cleanSmall)));
row(`redactValue: clean tool result, ${sizeOf(cleanLarge)} (text + 50 items)`, measure(() => redactor.redactValue(cleanLarge)));
row(`redactValue: tool result with 3 findings, ${sizeOf(dirty)}`, measure(() => redactor.redactValue(dirty)));
const text1m = prose.repeat(Math.ceil((1024 * 1024) / prose.length));
row('redactText: 1 MiB of clean text', measure(() => redactor.redactText(text1m)) , 'per call');

console.log(`\npolicy benchmark (${machine()}, ~${seconds} s per figure)\n`);
const width = Math.max(...rows.map((item) => item.name.length));
console.log(`${'what'.padEnd(width)}  ${'µs/call'.padStart(10)}  note`);
for (const item of rows) console.log(`${item.name.padEnd(width)}  ${item.us.toFixed(item.us < 10 ? 2 : 1).padStart(10)}  ${item.note}`);
