// What the benchmark scripts share: building the CLI, loading bench/fixtures.ts (which
// uses the real library code), timing a process and printing the table.
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cliBin = path.join(root, 'apps', 'cli', 'bin', 'skillsync.js');

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs a command once; returns its wall time in ms and what it printed. Fails loudly on an
 * exit not in `okExits`, and on a run still going after `timeoutMs` (killed: a peer tool
 * has been seen to hang, idle, under Node 26, and a benchmark must end).
 */
export function runOnce(command, args, { env = {}, cwd, okExits = [0], cleanEnv = false, timeoutMs = 180_000 } = {}) {
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd,
    env: cleanEnv ? env : { ...process.env, ...env },
    encoding: 'utf8',
    // No terminal and no input, as in CI: a command that would prompt gets EOF.
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const ms = performance.now() - started;
  if (result.error?.code === 'ETIMEDOUT') throw new Error(`${[command, ...args].join(' ')} was still running after ${timeoutMs / 1000} s: killed`);
  if (result.error !== undefined) throw result.error;
  if (!okExits.includes(result.status)) {
    throw new Error(`${[command, ...args].join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return { ms, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command `runs` times; returns the median wall time in ms. Fails loudly on a non-zero exit. */
export function time(command, args, options = {}) {
  return median(timeSamples(command, args, options));
}

/** Runs a command `runs` times; returns every wall time in ms. */
export function timeSamples(command, args, { runs = 5, ...options } = {}) {
  const samples = [];
  for (let run = 0; run < runs; run += 1) samples.push(runOnce(command, args, options).ms);
  return samples;
}

/** Builds apps/cli/bin/skillsync.js (scripts/build.mjs), as `npm run build` does. */
export function buildCli() {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

/**
 * Builds the CLI and copies the package (bin/, dist/, package.json) into `dir`, so a
 * rebuild of apps/cli/dist by someone else's test run cannot swap or delete the bundle
 * in the middle of a benchmark. Returns the copied bin/skillsync.js.
 */
export async function buildCliSnapshot(dir) {
  const cli = path.join(root, 'apps', 'cli');
  for (let attempt = 1; ; attempt += 1) {
    buildCli();
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    try {
      for (const part of ['bin', 'dist', 'package.json']) await cp(path.join(cli, part), path.join(dir, part), { recursive: true });
      // Optional native dependencies, if the bundle leaves any external, still resolve.
      await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'junction');
      const bin = path.join(dir, 'bin', 'skillsync.js');
      runOnce(process.execPath, [bin, '--help'], { cwd: dir });
      return bin;
    } catch (error) {
      if (attempt >= 3) throw error;
      console.log(`(the CLI bundle changed while it was copied; building again: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    }
  }
}

/** Bundles bench/fixtures.ts into `work` and imports it. */
export async function loadFixtures(work) {
  const fixturesFile = path.join(work, 'fixtures.mjs');
  await esbuild.build({
    entryPoints: [path.join(root, 'bench', 'fixtures.ts')],
    outfile: fixturesFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // ESM builds first, as scripts/build.mjs does: jsonc-parser's UMD main cannot be bundled.
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return import(pathToFileURL(fixturesFile).href);
}

/** Where `bundleWorkspace(name, …)` writes its bundle: bench/.out/<name>.mjs. */
export function workspaceBundleFile(name) {
  return path.join(root, 'bench', '.out', `${name}.mjs`);
}

/**
 * Bundles workspace packages (TypeScript) for a benchmark into bench/.out/<name>.mjs
 * and imports it. `contents` is the entry's source, e.g.
 * "export * from '@skillsync/policy';". Cedar stays in node_modules (it reads its .wasm
 * from beside itself), and so do better-sqlite3 (native) and Kysely.
 */
export async function bundleWorkspace(name, contents) {
  const outfile = workspaceBundleFile(name);
  await mkdir(path.dirname(outfile), { recursive: true });
  await esbuild.build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: ['@cedar-policy/*', 'better-sqlite3', 'kysely'],
    logLevel: 'warning',
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
  });
  return import(pathToFileURL(outfile).href);
}

/** A table of rows `{ name, ms, min?, ratio?, ratioText?, target? }` with a title line (a `min ms` column when any row has one). */
export function printTable(title, rows) {
  const width = Math.max(...rows.map((row) => row.name.length));
  const withMin = rows.some((row) => row.min !== undefined);
  const min = (row) => (withMin ? `  ${(row.min === undefined ? '' : row.min.toFixed(1)).padStart(8)}` : '');
  console.log(`\n${title}\n`);
  console.log(`${'what'.padEnd(width)}  ${'median ms'.padStart(10)}${withMin ? `  ${'min ms'.padStart(8)}` : ''}  ${'ratio'.padStart(7)}  target`);
  for (const row of rows) {
    const ratio = row.ratioText ?? (row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`);
    console.log(`${row.name.padEnd(width)}  ${row.ms.toFixed(1).padStart(10)}${min(row)}  ${ratio.padStart(7)}  ${row.target ?? ''}`);
  }
}

/** The share of all cores busy over the next `ms` (Linux /proc/stat); undefined elsewhere. */
export async function busyShare(ms = 500) {
  const read = async () => {
    const text = await readFile('/proc/stat', 'utf8').catch(() => undefined);
    const fields = text?.split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number);
    if (fields === undefined || fields.length < 5) return undefined;
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { idle, total: fields.reduce((sum, value) => sum + value, 0) };
  };
  const first = await read();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const second = await read();
  if (first === undefined || second === undefined || second.total === first.total) return undefined;
  return 1 - (second.idle - first.idle) / (second.total - first.total);
}

let waited = 0;
/**
 * Waits (at most BENCH_QUIET_WAIT seconds, default 120, in all) until other processes
 * leave the cores mostly idle, so a shared machine's test runs skew fewer samples.
 */
export async function waitForQuiet() {
  const budget = Number(process.env.BENCH_QUIET_WAIT ?? 120) * 1000;
  while (waited < budget) {
    const busy = await busyShare();
    if (busy === undefined || busy < 0.25) return;
    waited += 1000;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** How long waitForQuiet waited in all, in seconds. */
export function quietWaited() {
  return waited / 1000;
}

export function machine() {
  return `Node ${process.version}, ${os.cpus().length} cores`;
}
