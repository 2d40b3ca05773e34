import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { serializeMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import type { Platform } from '@skillsync/core';
import { JsonLineReader, type MessageInterceptor } from './json-lines.js';
import { spawnCommandFor } from './spawn-command.js';

export interface ChildTransportOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The child's whole environment: nothing of the gateway's own is added. */
  readonly env: Readonly<Record<string, string>>;
  /** The platform the child runs on (the gateway's `Env`): decides process groups and how a Windows batch shim is started. */
  readonly platform: Platform;
  /** Each line the child writes to stderr (never printed here: the caller decides). */
  readonly onStderrLine?: (line: string) => void;
  /** How long close waits after ending stdin, then after SIGTERM, before the next step. */
  readonly graceMs?: number;
}

/**
 * MCP over a child process's stdin/stdout, like the SDK's StdioClientTransport, with
 * two differences that matter for a gateway. The child gets exactly the environment it
 * is given (the SDK adds the parent's PATH, HOME, … read from the real process). And on
 * POSIX the child leads its own process group, which `close` ends as a whole: a server
 * started through a wrapper (`npx`, a shell script) leaves no grandchild behind. On
 * Windows a command that is a `.cmd`/`.bat` shim (`npx`) runs through cmd.exe
 * (`spawnCommandFor`).
 *
 * Close: end stdin (a server should exit when its input closes), then SIGTERM the group,
 * then SIGKILL it, waiting `graceMs` between steps.
 */
export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  /** The group to end at close, even when its leader already exited on its own. */
  private groupPid: number | undefined;
  private readonly buffer = new JsonLineReader(
    (message) => this.onmessage?.(message),
    (error) => this.onerror?.(error),
  );
  private exited: Promise<void> = Promise.resolve();
  private closed = false;
  private corked = false;
  private readonly group: boolean;

  constructor(private readonly options: ChildTransportOptions) {
    this.group = options.platform !== 'win32';
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Offered each message the child writes before the client sees it (json-lines.ts). */
  set intercept(interceptor: MessageInterceptor | undefined) {
    this.buffer.intercept = interceptor;
  }

  start(): Promise<void> {
    if (this.child !== undefined) throw new Error('ChildProcessTransport already started');
    return new Promise((resolve, reject) => {
      const { cwd, env, platform } = this.options;
      const launch = spawnCommandFor(this.options.command, this.options.args, { platform, env, cwd, isFile });
      const child = spawn(launch.command, [...launch.args], {
        cwd,
        env: { ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: this.group,
        shell: false,
        windowsHide: true,
        windowsVerbatimArguments: launch.windowsVerbatimArguments,
      });
      this.child = child;
      this.groupPid = child.pid;
      this.exited = new Promise((done) => child.once('close', () => { done(); }));
      child.once('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.once('spawn', () => { resolve(); });
      child.once('close', () => {
        this.child = undefined;
        this.buffer.clear();
        if (!this.closed) {
          this.closed = true;
          this.onclose?.();
        }
      });
      child.stdin.on('error', (error) => this.onerror?.(error));
      child.stdout.on('data', (chunk: Buffer) => {
        this.buffer.append(chunk);
      });
      let pending = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        // A child that never ends a line must not grow this without bound.
        if (pending.length > 8192) {
          lines.push(pending);
          pending = '';
        }
        for (const line of lines) this.options.onStderrLine?.(line.replace(/\r$/, ''));
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (stdin === undefined || stdin === null || stdin.destroyed) return Promise.reject(new Error('Not connected'));
    // Messages sent in one tick go out in one write (calls in flight come in bursts).
    if (!this.corked) {
      this.corked = true;
      stdin.cork();
      process.nextTick(() => {
        this.corked = false;
        stdin.uncork();
      });
    }
    return new Promise((resolve, reject) => {
      const written = stdin.write(serializeMessage(message), (error) => {
        if (error) reject(error);
      });
      if (written) resolve();
      else stdin.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    this.closed = true;
    if (child === undefined) {
      this.killGroup('SIGTERM');
      this.onclose?.();
      return;
    }
    const grace = this.options.graceMs ?? 2000;
    const wait = (ms: number): Promise<boolean> =>
      Promise.race([this.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => { resolve(false); }, ms).unref())]);
    try {
      child.stdin?.end();
    } catch {
      // Already gone.
    }
    if (!(await wait(grace))) {
      this.signal(child, 'SIGTERM');
      if (!(await wait(grace))) {
        this.signal(child, 'SIGKILL');
        await wait(grace);
      }
    }
    // The leader may be gone while something it started still runs in its group.
    this.killGroup('SIGTERM');
    this.onclose?.();
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (!this.group || this.groupPid === undefined) return;
    try {
      process.kill(-this.groupPid, signal);
    } catch {
      // ESRCH: the group is empty.
    }
  }

  private signal(child: ChildProcess, signal: NodeJS.Signals): void {
    const pid = child.pid;
    if (pid === undefined) return;
    try {
      if (this.group) process.kill(-pid, signal);
      else child.kill(signal);
    } catch {
      // ESRCH: nothing left to signal.
    }
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    // Absent, a folder on the way, no access: not a command to run.
    return false;
  }
}
