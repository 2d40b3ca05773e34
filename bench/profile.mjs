// Summarises a V8 .cpuprofile (`node --cpu-prof`) of the bundled CLI as file:function
// hotspots. The bundle is not minified and esbuild marks where each source file starts
// (`// packages/sync/src/plan-sync.ts`), so a bundle line maps back to its source file.
// Usage: node bench/profile.mjs <file.cpuprofile> [top]
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** For each bundle file: sorted [line, source file] of esbuild's region comments. */
async function regionsOf(url, cache) {
  if (cache.has(url)) return cache.get(url);
  let regions = [];
  if (url.startsWith('file://')) {
    const text = await readFile(fileURLToPath(url), 'utf8').catch(() => '');
    regions = text.split('\n').flatMap((line, index) => {
      const match = /^\/\/ ((?:packages|apps|node_modules)\/\S+\.[cm]?[jt]s)$/.exec(line);
      return match === null ? [] : [[index, match[1]]];
    });
  }
  cache.set(url, regions);
  return regions;
}

async function sourceOf(callFrame, cache) {
  const { url, lineNumber } = callFrame;
  if (url === '') return '(native)';
  if (!url.startsWith('file://')) return url;
  const regions = await regionsOf(url, cache);
  let found;
  for (const [line, file] of regions) {
    if (line > lineNumber) break;
    found = file;
  }
  return found ?? url.replace(/^.*\/(dist\/)/, '$1');
}

/** Lines `self ms  total ms  file:function`, plus the source files by self time. */
export async function summariseProfile(file, top = 15) {
  const profile = JSON.parse(await readFile(file, 'utf8'));
  const self = new Map();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000));
  const total = profile.endTime / 1000 - profile.startTime / 1000;
  const cache = new Map();
  const keyOf = new Map();
  for (const node of profile.nodes) {
    const source = await sourceOf(node.callFrame, cache);
    keyOf.set(node.id, { key: `${source}:${node.callFrame.functionName || '(anonymous)'}`, source });
  }
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfBy = new Map();
  const fileBy = new Map();
  const inclusiveBy = new Map();
  for (const [id, ms] of self) {
    const { key, source } = keyOf.get(id);
    selfBy.set(key, (selfBy.get(key) ?? 0) + ms);
    fileBy.set(source, (fileBy.get(source) ?? 0) + ms);
    // Inclusive time: credit every distinct function on the stack once.
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const ancestor = keyOf.get(at)?.key;
      if (ancestor === undefined || seen.has(ancestor)) continue;
      seen.add(ancestor);
      inclusiveBy.set(ancestor, (inclusiveBy.get(ancestor) ?? 0) + ms);
    }
  }
  const pct = (ms) => `${((ms / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`profile: ${total.toFixed(0)} ms sampled`, 'self time by function:'];
  for (const [key, ms] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${ms.toFixed(1).padStart(7)} ms ${pct(ms)}  ${key}`);
  lines.push('self time by source file:');
  for (const [key, ms] of [...fileBy].sort((a, b) => b[1] - a[1]).slice(0, Math.ceil(top / 2))) lines.push(`  ${ms.toFixed(1).padStart(7)} ms ${pct(ms)}  ${key}`);
  lines.push('total (inclusive) time, our code:');
  const ours = [...inclusiveBy].filter(([key]) => /^(packages|apps)\//.test(key)).sort((a, b) => b[1] - a[1]);
  for (const [key, ms] of ours.slice(0, top)) lines.push(`  ${ms.toFixed(1).padStart(7)} ms ${pct(ms)}  ${key}`);
  return lines;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: node bench/profile.mjs <file.cpuprofile> [top]');
  for (const line of await summariseProfile(file, Number(process.argv[3] ?? 15))) console.log(line);
}
