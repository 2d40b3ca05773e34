import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RegistryClient } from '@skillsync/registry';
import { packSkill } from '@skillsync/store';
import { cliBin, isolatedEnv, runNode, type CliRun, type Sandbox } from '../cli/cli-sandbox.js';

/** A `skillsync server` child process (the built CLI), listening. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly child: ChildProcessWithoutNullStreams;
  /** Its stderr so far: one JSON line per request, and its faults. */
  readonly stderr: () => string;
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts `skillsync server --listen 127.0.0.1:0 --json <args>` as the sandbox's user and
 * resolves once it printed the address it listens on (rejecting with its stderr when it
 * exits first).
 */
export async function startServerProcess(sandbox: Sandbox, args: readonly string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, [cliBin, 'server', '--listen', '127.0.0.1:0', '--json', ...args], {
    cwd: sandbox.work,
    env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      try {
        resolve((JSON.parse(stdout.slice(0, newline)) as { url: string }).url);
      } catch {
        reject(new Error(`skillsync server printed something else than its address: ${stdout}`));
      }
    });
    void exited.then((code) => {
      reject(new Error(`skillsync server exited (${String(code)}) before listening:\n${stderr}`));
    });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `skillsync login --registry <address> --token-stdin --json` as the sandbox's user (file secret store), the token on stdin. */
export function loginWithToken(sandbox: Sandbox, address: string, token: string): Promise<CliRun> {
  return runNode([cliBin, 'login', '--registry', address, '--token-stdin', '--json'], {
    cwd: sandbox.work,
    env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome, SKILLSYNC_SECRETS_BACKEND: 'file' },
    input: `${token}\n`,
  });
}

/**
 * Writes a valid skill `name` at `version` into `<dir>/<name>-<version>`, packs it and
 * publishes it through `client` (a token that may publish).
 */
export async function publishSkill(client: RegistryClient, dir: string, name: string, version: string): Promise<void> {
  const folder = path.join(dir, `${name}-${version}`);
  await mkdir(folder, { recursive: true });
  await writeFile(
    path.join(folder, 'SKILL.md'),
    `---\nname: ${name}\ndescription: Does ${name} things. Use when a ${name} task comes up.\nmetadata:\n  version: "${version}"\n---\n\n# ${name}\n\nFollow the team guide.\n`,
  );
  const packed = await packSkill(folder);
  await client.publish({ name: packed.name, version: packed.version, tarball: packed.tarball, integrity: packed.integrity });
}
