import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/corpus.js';
import { SpawnedProcessTransport } from '../support/mcp/harness.js';

export const cliBin = path.join(repoRoot, 'apps', 'cli', 'bin', 'skillsync.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Relative to the sandbox's work folder, or absolute. */
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly bin?: string;
}

/**
 * A throw-away user: its own HOME, work folder and SKILLSYNC_HOME, and no terminal
 * (pipes only), so runs see exactly what CI sees and never touch the real home.
 */
export interface Sandbox {
  readonly root: string;
  readonly home: string;
  readonly work: string;
  readonly skillsyncHome: string;
  readonly run: (args: readonly string[], options?: RunOptions) => Promise<CliRun>;
  /** Runs and parses stdout as the one JSON document `--json` promises. */
  readonly runJson: (args: readonly string[], options?: RunOptions) => Promise<{ code: number | null; json: Record<string, unknown>; stderr: string }>;
  readonly cleanup: () => Promise<void>;
}

export async function createSandbox(): Promise<Sandbox> {
  // realpath: macOS tmpdir is a symlink and the CLI reports resolved paths.
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'skillsync-e2e-')));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  const skillsyncHome = path.join(root, 'skillsync-home');
  await Promise.all([mkdir(home), mkdir(work)]);

  const run = (args: readonly string[], options: RunOptions = {}): Promise<CliRun> =>
    runNode([options.bin ?? cliBin, ...args], {
      cwd: options.cwd === undefined ? work : path.resolve(work, options.cwd),
      env: { ...isolatedEnv(home), SKILLSYNC_HOME: skillsyncHome, ...options.env },
    });

  return {
    root,
    home,
    work,
    skillsyncHome,
    run,
    runJson: async (args, options) => {
      const result = await run([...args, '--json'], options);
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(result.stdout) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout is not one JSON document:\n${result.stdout}\nstderr:\n${result.stderr}`);
      }
      return { code: result.code, json, stderr: result.stderr };
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Only what a process needs to run: no colour forcing, XDG or npm settings leak in from the test runner. */
export function isolatedEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    USERPROFILE: home,
    LANG: 'C.UTF-8',
  };
}

/** How a test runs a process: where, with what environment, and (`input`) what it reads on stdin, which it otherwise has none of. */
export interface ProcessOptions {
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly input?: string;
}

export function runNode(args: readonly string[], options: ProcessOptions): Promise<CliRun> {
  return runProcess(process.execPath, args, options);
}

export function runProcess(command: string, args: readonly string[], options: ProcessOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
    // Without input, stdin ends at once: what a child reads there is an immediate end of file.
    child.stdin.end(options.input ?? '');
  });
}

/** A `skillsync serve` child speaking MCP on its stdio. */
export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly transport: SpawnedProcessTransport;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts `skillsync serve <args>` as the sandbox's user (file secret store) in `cwd`,
 * adding the child to `started` so the test file's afterEach can kill what is left.
 */
export function spawnServe(sandbox: Sandbox, args: readonly string[], options: { readonly cwd?: string; readonly env?: Readonly<Record<string, string>>; readonly started: ChildProcessWithoutNullStreams[] }): ServeProcess {
  const child = spawn(process.execPath, [cliBin, 'serve', ...args], {
    cwd: options.cwd ?? sandbox.work,
    env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome, SKILLSYNC_SECRETS_BACKEND: 'file', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  options.started.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => { resolve(code); }));
  return { child, transport: new SpawnedProcessTransport(child), stderr: () => stderr, exited };
}
