import os from 'node:os';
import { createEnv, type Platform } from '@skillsync/core';
import { runCli } from './run-cli.js';

/** Injected by scripts/build.mjs from apps/cli/package.json. */
declare const SKILLSYNC_VERSION: string;

// The only place that reads the real process: everything below receives this Env.
const env = createEnv({
  home: os.homedir(),
  cwd: process.cwd(),
  platform: toPlatform(process.platform),
  vars: process.env,
});

// `skillsync list | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli({
  argv: process.argv.slice(2),
  env,
  version: SKILLSYNC_VERSION,
  io: {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTTY: isTerminal(process.stdout),
    stderrIsTTY: isTerminal(process.stderr),
  },
});

/** Other Unixes lay out home folders like Linux, so they take its paths. */
function toPlatform(platform: NodeJS.Platform): Platform {
  return platform === 'win32' || platform === 'darwin' ? platform : 'linux';
}

/** `isTTY` is typed as always present, but it is undefined on pipes and files. */
function isTerminal(stream: { readonly isTTY?: boolean }): boolean {
  return stream.isTTY === true;
}
