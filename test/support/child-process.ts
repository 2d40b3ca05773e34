import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

/*
 * Crash tests, approximating a power cut or `kill -9`: a separate `node` process
 * runs our code from source (bundled, since `node` cannot import the TypeScript
 * workspace) and is SIGKILLed at a chosen moment.
 */

/**
 * Bundles a TypeScript entry with everything it imports into one ESM file, `outfile`,
 * that a child `node` process can `import()`.
 */
export async function bundleForChild(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'silent',
    // jsonc-parser's UMD `main` requires its parts dynamically; its ESM build bundles.
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return outfile;
}

/** Writes a child script (an ES module: top-level await works) and returns its path. */
export async function writeChildScript(file: string, source: string): Promise<string> {
  await writeFile(file, source);
  return file;
}

export interface ChildRun {
  /** Milliseconds from the ready line to the exit (from the start when it never said ready). */
  readonly ms: number;
  readonly stdout: string;
  /** True when the child was killed by our SIGKILL (not when it exited first). */
  readonly killed: boolean;
  readonly code: number | null;
}

export interface RunChildOptions {
  /** The line the child prints when the moment to measure from has come; `ready` unless told. */
  readonly readyLine?: string;
  /** SIGKILL the child this long after its ready line; never, when undefined. */
  readonly killAfterMs?: number;
  readonly stderr?: 'inherit' | 'ignore';
}

/** Runs `node script ...args` and resolves once it exited, killed or not. */
export async function runChild(script: string, args: readonly string[], options: RunChildOptions = {}): Promise<ChildRun> {
  const readyLine = options.readyLine ?? 'ready';
  const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'] });
  const startedAt = performance.now();
  let stdout = '';
  let readyAt: number | undefined;
  const signal = { sent: false };
  proc.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (readyAt === undefined && stdout.split('\n').includes(readyLine)) {
      readyAt = performance.now();
      const kill = (): void => {
        signal.sent = proc.kill('SIGKILL');
      };
      if (options.killAfterMs === 0) kill();
      else if (options.killAfterMs !== undefined) setTimeout(kill, options.killAfterMs);
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (exitCode) => {
      resolve(exitCode);
    });
  });
  return { ms: performance.now() - (readyAt ?? startedAt), stdout, killed: signal.sent && code === null, code };
}

